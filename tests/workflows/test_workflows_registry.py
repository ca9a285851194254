"""Versioned definitions: an enrolment pinned to v1 keeps v1's rules when v2 exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from workflow_scenarios import HAPPY

from workflows import engine, registry
from workflows import rules as r
from workflows.base import Definition, EventSpec, GroupSpec
from workflows.casc import rules as casc_rules
from workflows.errors import StepBlocked, UnknownDefinition
from workflows.facts import Count
from workflows.pip import rules as pip_rules
from workflows.roles import Role

FIVE_REVIEWS = r.at_least("pip.v2.reviews_held", Count.REVIEWS_HELD, lambda f: 5,
                          Role.SITE_ADMINISTRATOR, "v2 test rule",
                          "{have:g} of {need:g} reviews held.")


@pytest.fixture
def pip_v2() -> Iterator[Definition]:
    """A throwaway PIP v2 that asks for five reviews instead of the setting's three."""
    v1 = registry.definition("pip", 1)
    old = v1.events["declare_intern_ready"]

    def swap(rules: tuple[r.Rule, ...]) -> tuple[r.Rule, ...]:
        return tuple(FIVE_REVIEWS if rule is pip_rules.PIP_REVIEWS else rule for rule in rules)

    events = {**v1.events, "declare_intern_ready": EventSpec(swap(old.rules), old.by,
                                                             old.automatic)}
    groups = tuple(GroupSpec(g.label, swap(g.rules)) for g in v1.groups)
    with registry.registered(Definition(v1.pathway, 2, v1.machine, events, groups,
                                        v1.success)) as v2:
        yield v2


def test_every_pathway_starts_at_version_one() -> None:
    """CURRENT_VERSION pins new enrolments."""
    assert {p: registry.CURRENT_VERSION[p] for p in ("pip", "induction", "casc")} == {"pip": 1, "induction": 1, "casc": 1}
    for pathway in registry.CURRENT_VERSION:
        assert registry.versions(pathway) == [1]
        assert registry.current(pathway) is registry.definition(pathway, 1)


@pytest.mark.parametrize(("pathway", "version"), [("pip", 2), ("pip", 0), ("stsp", 1),
                                                  ("casc", "1")])
def test_an_unknown_version_raises(pathway: str, version: int) -> None:
    """No silent fallback to another version."""
    with pytest.raises(UnknownDefinition):
        registry.definition(pathway, version)
    with pytest.raises(LookupError):
        engine.initial_state(pathway, version)


def test_an_enrolment_pinned_to_v1_keeps_v1_rules_when_v2_exists(pip_v2: Definition) -> None:
    """Three reviews pass v1; v2 needs five; v1 is unchanged by v2's registration."""
    facts = HAPPY["pip"]  # three reviews held
    assert registry.versions("pip") == [1, 2]
    assert registry.CURRENT_VERSION["pip"] == 1
    assert engine.unmet_rules("pip", 1, "plan_established", "declare_intern_ready", facts) == []
    assert engine.fire("pip", 1, "plan_established", "declare_intern_ready", facts) == \
        "intern_ready"
    with pytest.raises(StepBlocked) as blocked:
        engine.fire("pip", 2, "plan_established", "declare_intern_ready", facts)
    assert blocked.value.reasons == ["3 of 5 reviews held."]
    assert "pip.reviews_held" in registry.definition("pip", 1).rules
    assert "pip.reviews_held" not in pip_v2.rules
    checklist = [i.rule.key for g in engine.requirements("pip", 2, facts) for i in g.items]
    assert "pip.v2.reviews_held" in checklist and "pip.reviews_held" not in checklist


def test_the_throwaway_version_is_gone_after_the_test() -> None:
    """registered() cleans up."""
    assert registry.versions("pip") == [1]


def test_a_version_cannot_be_registered_twice() -> None:
    """Publishing over an existing version would rewrite running enrolments."""
    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.definition("pip", 1))


def test_a_definition_must_match_its_machines_events() -> None:
    """Rules for an event the machine lacks (or a missing event) fail at definition time."""
    v1 = registry.definition("casc", 1)
    events = dict(v1.events)
    del events["admit"]
    with pytest.raises(ValueError, match="admit"):
        Definition(v1.pathway, 9, v1.machine, events, v1.groups, v1.success)
    with pytest.raises(ValueError, match="final"):
        Definition(v1.pathway, 9, v1.machine, v1.events, v1.groups, "year1_active")
    clash = replace(casc_rules.CASC_CL_777)  # same key, different object
    with pytest.raises(ValueError, match="casc.cl_777"):
        Definition(v1.pathway, 9, v1.machine, {**v1.events, "admit": EventSpec((clash,))},
                   v1.groups, v1.success)
