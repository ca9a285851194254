"""The public API the app calls: ask about and advance one enrolment, given its facts.

The app stores (pathway, version, state) per enrolment and builds `Facts` from the database;
everything here is pure. Errors: `StepBlocked` (unmet rules -> 422), `EventNotAllowed`
(-> 409), `UnknownState` (corrupt stored value), `UnknownDefinition` (no such pathway/version).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from statemachine.exceptions import InvalidStateValue, TransitionNotAllowed

from workflows.base import Definition, PathwayMachine
from workflows.errors import EventNotAllowed, UnknownState
from workflows.facts import Facts
from workflows.registry import definition
from workflows.roles import Role
from workflows.rules import Rule, RuleStatus


@dataclass(frozen=True)
class EventOption:
    """One event leaving the current state: a button when enabled, the reasons when blocked."""

    event: str
    label: str
    target: str
    enabled: bool
    unmet: tuple[Rule, ...]
    reasons: tuple[str, ...]  # unmet rules explained for these facts
    automatic: bool  # fired by jobs; hide from people
    by: frozenset[Role]  # roles that may ask for it (empty for automatic events)


@dataclass(frozen=True)
class StateInfo:
    """A state of a pathway version, in declaration order."""

    value: str
    label: str
    initial: bool
    final: bool
    success: bool


@dataclass(frozen=True)
class RequirementItem:
    """One checklist line."""

    rule: Rule
    title: str
    status: RuleStatus
    explanation: str
    progress: tuple[float, float] | None  # (have, need) for totals

    @property
    def met(self) -> bool:
        """Whether this requirement holds."""
        return self.status is RuleStatus.MET


@dataclass(frozen=True)
class RequirementGroup:
    """A labelled group of checklist lines ("Eligibility", "Year 1"...)."""

    label: str
    items: tuple[RequirementItem, ...]

    @property
    def met(self) -> int:
        """How many items hold."""
        return sum(item.met for item in self.items)

    @property
    def total(self) -> int:
        """How many items the group has."""
        return len(self.items)

    @property
    def complete(self) -> bool:
        """Whether every item holds."""
        return self.met == self.total


def _require_pathway(defn: Definition, facts: Facts) -> None:
    """Raise ValueError unless the facts belong to this pathway."""
    if facts.pathway != defn.pathway:
        raise ValueError(f"facts are for {facts.pathway}, not {defn.pathway}")


def _machine(defn: Definition, state: str, facts: Facts | None = None) -> PathwayMachine[object]:
    """Build the machine at `state`, checking the facts belong to this pathway."""
    if facts is not None:
        _require_pathway(defn, facts)
    return defn.build(state)


def _target(defn: Definition, state: str, event: str) -> str | None:
    """The state `event` leads to from `state`, or None when it does not leave it."""
    for transition in defn.machine.states_map[state].transitions:
        if any(e.id == event for e in transition.events):
            return str(transition.target.value)
    return None


def _require_allowed(defn: Definition, state: str, event: str) -> None:
    """Raise EventNotAllowed unless `event` leaves `state`."""
    if event not in defn.events or _target(defn, state, event) is None:
        raise EventNotAllowed(event, state)


def unmet_rules(pathway: str, version: int, state: str, event: str, facts: Facts) -> list[Rule]:
    """Every rule blocking `event` from `state` (empty when it may fire)."""
    defn = definition(pathway, version)
    machine = _machine(defn, state, facts)
    _require_allowed(defn, state, event)
    return machine.unmet(event, facts)


def events_from(pathway: str, version: int, state: str, facts: Facts) -> list[EventOption]:
    """The events leaving `state`, in declaration order, each enabled or with its reasons.

    Asked of the definition, not of a machine built for the purpose: the events leaving a state
    and their guards are fixed (`leaving`), and a machine costs more to build than the rules to
    check (tests/workflows/test_engine_leaving.py holds the two answers equal)."""
    defn = definition(pathway, version)
    _require_pathway(defn, facts)
    if not isinstance(state, str):  # garbage from the database (a state is a string), unfit for the cache
        raise UnknownState(defn.pathway, defn.version, state)
    options = []
    for event, label, target in leaving(pathway, version, state):
        spec = defn.events[event]
        unmet = tuple(rule for rule in spec.rules if not rule.check(facts))
        options.append(EventOption(
            event=event, label=label, target=target,
            enabled=not unmet, unmet=unmet, reasons=tuple(r.explain(facts) for r in unmet),
            automatic=spec.automatic, by=spec.by))
    return options


@cache
def leaving(pathway: str, version: int, state: str) -> tuple[tuple[str, str, str], ...]:
    """(event, its name, the state it leads to) for each event leaving `state`, in the order a
    machine at `state` lists them (raises UnknownState for a state the pathway does not know)."""
    defn = definition(pathway, version)
    machine = _machine(defn, state)
    return tuple((event.id, event.name, _target(defn, state, event.id) or state) for event in machine.allowed_events)


def fire(pathway: str, version: int, state: str, event: str, facts: Facts) -> str:
    """Apply `event` and return the new state value; raises StepBlocked/EventNotAllowed."""
    defn = definition(pathway, version)
    machine = _machine(defn, state, facts)
    _require_allowed(defn, state, event)
    try:
        machine.send(event, facts=facts)
    except TransitionNotAllowed:
        raise EventNotAllowed(event, state) from None
    except (KeyError, InvalidStateValue):
        raise UnknownState(defn.pathway, defn.version, state) from None
    model: Any = machine.model  # the record the machine wrote its state on
    return str(model.state)


def requirements(pathway: str, version: int, facts: Facts) -> list[RequirementGroup]:
    """Every requirement of the pathway, grouped, with its status (the dashboard checklist)."""
    defn = definition(pathway, version)
    _require_pathway(defn, facts)
    return [RequirementGroup(group.label, tuple(
        RequirementItem(rule=rule, title=rule.title(facts), status=rule.status(facts),
                        explanation=rule.explain(facts), progress=rule.progress(facts))
        for rule in group.rules if rule.is_applicable(facts))) for group in defn.groups]


def states(pathway: str, version: int) -> list[StateInfo]:
    """The pathway's states in declaration order, with labels and terminal flags."""
    defn = definition(pathway, version)
    return [StateInfo(value=str(s.value), label=s.name, initial=s.initial, final=s.final,
                      success=s.value == defn.success) for s in defn.machine.states]


def initial_state(pathway: str, version: int) -> str:
    """The state value a new enrolment starts in."""
    initial = definition(pathway, version).machine.initial_state
    assert initial is not None  # every pathway machine declares one
    return str(initial.value)


def diagram(pathway: str, version: int) -> str:
    """The pathway's state diagram as Mermaid text (generated by python-statemachine)."""
    return f"{definition(pathway, version).machine:mermaid}"
