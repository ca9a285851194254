"""The project's StateChart base class and the pieces every pathway machine shares.

Topology (states, events) lives in the machine class; the rules guarding each event live in a
versioned `Definition`, so a new version can change a rule without touching running enrolments
pinned to the old one. Every transition is guarded the same way: `cond="rules_met"` (so
`enabled_events` is right for buttons) and `validators="require_rules"` (so `send` raises
`StepBlocked` listing every unmet rule; `enabled_events` never runs validators, stack.md §1.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from statemachine import Event, State, StateChart
from statemachine.transition_list import TransitionList

from workflows.errors import StepBlocked, UnknownState
from workflows.facts import Facts, Pathway
from workflows.roles import Role
from workflows.rules import CREDENTIAL_ISSUED, RECOMMENDATION_PURGED, Rule

M = TypeVar("M")

_GUARDED: dict[str, Any] = {"cond": "rules_met", "validators": "require_rules"}


class PathwayMachine(StateChart[M]):
    """A flat pathway machine with strict switches: a failed guard raises, and an action error
    never completes a transition (stack.md §1.1: the StateChart defaults would do both silently).
    """

    allow_event_without_transition = False
    catch_errors_as_events = False
    atomic_configuration_update = True
    enable_self_transition_entries = False

    def __init__(self, model: M | None = None, state_field: str = "state", *,
                 guards: Mapping[str, Sequence[Rule]], **kwargs: Any) -> None:
        # Set before super().__init__: the engine may evaluate callbacks while starting.
        self._guards = guards
        super().__init__(model, state_field, **kwargs)

    def unmet(self, event_id: str, facts: Facts) -> list[Rule]:
        """Every rule guarding `event_id` that does not hold, in declaration order."""
        return [rule for rule in self._guards[event_id] if not rule.check(facts)]

    def rules_met(self, event: Any, facts: Facts) -> bool:
        """Guard (`cond`): all rules of the event hold."""
        return not self.unmet(event.id, facts)

    def require_rules(self, event: Any, facts: Facts) -> None:
        """Validator: raise StepBlocked with every unmet rule of the event."""
        unmet = self.unmet(event.id, facts)
        if unmet:
            raise StepBlocked(event.id, unmet, facts)


def step(source: State, target: State) -> TransitionList:
    """A guarded transition source -> target."""
    transitions: TransitionList = source.to(target, **_GUARDED)
    return transitions


def step_from(target: State, *sources: State) -> TransitionList:
    """Guarded transitions from each source to target (withdraw, expiry...)."""
    transitions: TransitionList = target.from_(*sources, **_GUARDED)
    return transitions


def recommendation_events(ready: State, recommended: State,
                          issued: State) -> tuple[Event, Event, Event, Event]:
    """The life after a recommendation, identical on every pathway (CTC's 90-day window):
    recommend, recommendation_purged, recommendation_returned, credential_issued."""
    return (Event(step(ready, recommended), name="Recommend to the CTC"),
            Event(step(recommended, ready), name="Recommendation purged after 90 days"),
            Event(step(recommended, ready), name="Recommendation returned by the candidate"),
            Event(step(recommended, issued), name="Credential issued"))


@dataclass(frozen=True)
class EventSpec:
    """An event's rules, and who may ask for it; automatic events are fired by jobs."""

    rules: tuple[Rule, ...] = ()
    by: frozenset[Role] = frozenset()
    automatic: bool = False


def person(*roles: Role, rules: Sequence[Rule] = ()) -> EventSpec:
    """An event people holding `roles` may ask for."""
    return EventSpec(rules=tuple(rules), by=frozenset(roles))


def automatic(*rules: Rule) -> EventSpec:
    """A system/time event a job fires; its rules are date rules that fail before the date."""
    return EventSpec(rules=tuple(rules), automatic=True)


def ended_by(events: Mapping[str, EventSpec], rule: Rule, *, only: Sequence[str] = (),
             exempt: Sequence[str] = ()) -> dict[str, EventSpec]:
    """`events` with `rule` (a deadline that ends the enrolment) guarding person-fired steps first.

    Only the events named in `only` when given, else every person-fired event but `exempt`
    (withdrawing, transferring and the like stay possible after the deadline).
    """
    unknown = (set(only) | set(exempt)) - set(events)
    if unknown:
        raise ValueError(f"no such events: {sorted(unknown)}")
    guarded = set(only) if only else {name for name, spec in events.items()
                                      if not spec.automatic and name not in exempt}
    return {name: replace(spec, rules=(rule, *spec.rules)) if name in guarded else spec
            for name, spec in events.items()}


def recommendation_specs(submitted: Rule, submitter: Role,
                         extra: Sequence[Rule] = ()) -> dict[str, EventSpec]:
    """Rules for the four recommendation events (see `recommendation_events`)."""
    return {
        "recommend": person(submitter, rules=(*extra, submitted)),
        "recommendation_purged": automatic(RECOMMENDATION_PURGED),
        "recommendation_returned": person(Role.CANDIDATE, submitter),
        "credential_issued": person(Role.CREDENTIAL_ANALYST, rules=(CREDENTIAL_ISSUED,)),
    }


@dataclass(frozen=True)
class GroupSpec:
    """A labelled group of requirements for the candidate's checklist."""

    label: str
    rules: tuple[Rule, ...]


class _Record:
    """The minimal model a machine reads and writes its state on."""

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True)
class Definition:
    """One version of one pathway: topology, the rules per event, and the checklist groups."""

    pathway: Pathway
    version: int
    machine: type[PathwayMachine[Any]]
    events: Mapping[str, EventSpec]
    groups: tuple[GroupSpec, ...]
    success: str  # the success terminal's state value
    rules: Mapping[str, Rule] = field(init=False)

    def __post_init__(self) -> None:
        # Catch a definition that drifts from its machine at import time, not in production.
        # On the class, `events` is the machine's list of events (the metaclass builds it).
        declared = {event.id for event in self.machine.events}  # type: ignore[attr-defined]
        if set(self.events) != declared:
            raise ValueError(f"{self.pathway} v{self.version}: rules for "
                             f"{sorted(set(self.events) ^ declared)} do not match the machine")
        success = self.machine.states_map.get(self.success)
        if success is None or not success.final:
            raise ValueError(f"{self.success!r} is not a final state")
        rules: dict[str, Rule] = {}
        for rule in [r for s in self.events.values() for r in s.rules] + [
                r for g in self.groups for r in g.rules]:
            if rules.setdefault(rule.key, rule) is not rule:
                raise ValueError(f"two different rules share the key {rule.key!r}")
        object.__setattr__(self, "rules", rules)

    def build(self, state: str) -> PathwayMachine[Any]:
        """A machine restored at `state` (raises UnknownState for a corrupt value)."""
        try:
            known = state in self.machine.states_map
        except TypeError:  # unhashable garbage from the database
            known = False
        if not known:
            raise UnknownState(self.pathway, self.version, state)
        guards = {event: spec.rules for event, spec in self.events.items()}
        return self.machine(model=_Record(state), guards=guards)
