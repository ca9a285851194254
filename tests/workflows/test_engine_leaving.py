"""`events_from` answers from the definition (no machine built per call) exactly what a machine
restored at the state answers: the same events in the same order, the same unmet rules."""

from __future__ import annotations

import pytest

from tests.workflows.workflow_scenarios import HAPPY, break_rule
from workflows import engine
from workflows.errors import UnknownState
from workflows.registry import definition, versions


def _by_a_machine(pathway: str, version: int, state: str, facts):  # type: ignore[no-untyped-def]
    """The answer as it was computed before: a machine built at `state`, asked directly."""
    defn = definition(pathway, version)
    machine = defn.build(state)
    return [(event.id, event.name, tuple(rule.key for rule in machine.unmet(event.id, facts)))
            for event in machine.allowed_events]


@pytest.mark.parametrize("pathway", sorted(HAPPY))
def test_every_state_lists_what_a_machine_at_it_lists(pathway: str) -> None:
    happy = HAPPY[pathway]
    for version in versions(pathway):
        defn = definition(pathway, version)
        for state in defn.machine.states:
            value = str(state.value)
            # With every rule met, and with each guarding rule broken in turn.
            broken = [break_rule(rule, happy) for spec in defn.events.values() for rule in spec.rules[:1]]
            for facts in [happy, *broken[:6]]:
                found = [(o.event, o.label, tuple(r.key for r in o.unmet))
                         for o in engine.events_from(pathway, version, value, facts)]
                assert found == _by_a_machine(pathway, version, value, facts), (pathway, version, value)


def test_a_state_the_pathway_does_not_know_is_still_refused() -> None:
    with pytest.raises(UnknownState):
        engine.events_from("pip", 1, "no_such_state", HAPPY["pip"])
    with pytest.raises(ValueError, match="facts are for"):
        engine.events_from("pip", 1, "enrolled", HAPPY["casc"])
