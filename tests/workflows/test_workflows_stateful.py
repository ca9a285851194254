"""Property-based runs: random facts changes and random events on each pathway.

Invariants: the state is always one of the machine's states, and the success terminal is only
reached if every rule guarding every transition taken held on the facts at the moment it fired
(re-evaluated on the snapshot kept for that step).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from workflow_scenarios import facts_for

from workflows import engine
from workflows.errors import EventNotAllowed, StepBlocked
from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate
from workflows.registry import definition

RUN_SETTINGS = settings(max_examples=25, stateful_step_count=30, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])


class PathwayRun(RuleBasedStateMachine):
    """One enrolment driven by random facts changes and events."""

    pathway: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.defn = definition(self.pathway, 1)
        self.state = engine.initial_state(self.pathway, 1)
        self.facts = Facts(pathway=self.pathway, today=date(2025, 7, 1))
        self.taken: list[tuple[str, Facts]] = []
        self.signoffs = sorted({r.signoff for r in self.defn.rules.values() if r.signoff})

    # --- facts change ---------------------------------------------------------------------------

    @rule(kind=st.sampled_from(list(EvidenceKind)), status=st.sampled_from(list(EvidenceStatus)))
    def set_evidence(self, kind: EvidenceKind, status: EvidenceStatus) -> None:
        """Upload, verify, send back or remove a document."""
        self.facts = self.facts.replace(evidence={**self.facts.evidence, kind: status})

    @rule(index=st.integers(min_value=0, max_value=50), give=st.booleans())
    def toggle_signoff(self, index: int, give: bool) -> None:
        """Give or withdraw one of the pathway's sign-offs."""
        pair = self.signoffs[index % len(self.signoffs)]
        signoffs = self.facts.signoffs | {pair} if give else self.facts.signoffs - {pair}
        self.facts = self.facts.replace(signoffs=signoffs)

    @rule(count=st.sampled_from(list(Count)), value=st.integers(min_value=0, max_value=130))
    def set_count(self, count: Count, value: int) -> None:
        """A log total changes."""
        self.facts = self.facts.replace(counts={**self.facts.counts, count: value})

    @rule(flag=st.sampled_from(list(Flag)), on=st.booleans())
    def set_flag(self, flag: Flag, on: bool) -> None:
        """A yes/no fact changes."""
        self.facts = self.facts.replace(flags=self.facts.flags | {flag} if on
                                        else self.facts.flags - {flag})

    @rule(key=st.sampled_from(list(KeyDate)),
          offset=st.none() | st.integers(min_value=-2000, max_value=400))
    def set_date(self, key: KeyDate, offset: int | None) -> None:
        """A key date is recorded relative to today, or removed."""
        dates = {k: v for k, v in self.facts.dates.items() if k != key}
        if offset is not None:
            dates[key] = self.facts.today + timedelta(days=offset)
        self.facts = self.facts.replace(dates=dates)

    @rule(days=st.integers(min_value=1, max_value=800))
    def time_passes(self, days: int) -> None:
        """The calendar moves on."""
        self.facts = self.facts.replace(today=self.facts.today + timedelta(days=days))

    @rule(data=st.data(), steps=st.integers(min_value=1, max_value=10))
    def make_progress(self, data: st.DataObject, steps: int) -> None:
        """Take up to `steps` steps that do not end in failure, each on facts satisfying it,
        so runs get deep enough to reach the success terminal."""
        for _ in range(steps):
            finals = {s.value for s in self.defn.machine.final_states} - {self.defn.success}
            options = [o.event for o in engine.events_from(self.pathway, 1, self.state, self.facts)
                       if o.target not in finals]
            if not options:
                return
            event = data.draw(st.sampled_from(options))
            self.facts = facts_for(self.pathway, event)
            self._fire(event)

    # --- events -----------------------------------------------------------------------------------

    def _fire(self, event: str) -> None:
        """Fire and check the outcome against the rules evaluated independently."""
        leaving = {o.event for o in engine.events_from(self.pathway, 1, self.state, self.facts)}
        try:
            new_state = engine.fire(self.pathway, 1, self.state, event, self.facts)
        except EventNotAllowed:
            assert event not in leaving
            return
        except StepBlocked as blocked:
            expected = [r for r in self.defn.events[event].rules if not r.check(self.facts)]
            assert event in leaving and blocked.unmet == expected and expected
            return
        assert event in leaving
        self.taken.append((event, self.facts))
        self.state = new_state

    @rule(event=st.sampled_from(["no_such_event", "withdraw", "recommend", "credential_issued"]))
    def fire_a_common_event(self, event: str) -> None:
        """Events that exist on every pathway, or on none."""
        self._fire(event)

    @rule(data=st.data())
    def fire_any_event(self, data: st.DataObject) -> None:
        """Any event of the pathway, allowed from here or not."""
        self._fire(data.draw(st.sampled_from(sorted(self.defn.events))))

    @rule(data=st.data())
    def fire_a_leaving_event(self, data: st.DataObject) -> None:
        """An event that leaves the current state (blocked or not)."""
        options = engine.events_from(self.pathway, 1, self.state, self.facts)
        if options:
            self._fire(data.draw(st.sampled_from([o.event for o in options])))

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def the_state_is_always_a_state_of_the_machine(self) -> None:
        """No transition leaves the machine's state set."""
        assert self.state in self.defn.machine.states_map

    @invariant()
    def success_only_when_every_guard_held_when_fired(self) -> None:
        """Re-check each transition taken against the facts it was fired with."""
        if self.state == self.defn.success:
            for event, facts in self.taken:
                assert all(r.check(facts) for r in self.defn.events[event].rules), event


class PipRun(PathwayRun):
    """Random PIP enrolments."""

    pathway = "pip"


class InductionRun(PathwayRun):
    """Random induction enrolments."""

    pathway = "induction"


class CascRun(PathwayRun):
    """Random CASC enrolments."""

    pathway = "casc"


TestPipRun = PipRun.TestCase
TestPipRun.settings = RUN_SETTINGS
TestInductionRun = InductionRun.TestCase
TestInductionRun.settings = RUN_SETTINGS
TestCascRun = CascRun.TestCase
TestCascRun.settings = RUN_SETTINGS
