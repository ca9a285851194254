"""Every transition of every pathway, and every guard's failing branch."""

from __future__ import annotations

from datetime import date

import pytest
from statemachine import StateChart
from workflow_scenarios import HAPPY, all_guard_rules, all_transitions, break_rule, facts_for, some_source, transitions

from workflows import engine
from workflows.base import PathwayMachine
from workflows.casc import rules as casc_rules
from workflows.errors import EventNotAllowed, StepBlocked, UnknownState
from workflows.facts import Count, Facts
from workflows.induction import rules as induction_rules
from workflows.pip import rules as pip_rules
from workflows.registry import definition
from workflows.settings import ProgramSettings

PATHWAYS = ["pip", "induction", "casc"]


def test_the_base_class_sets_the_four_switches_to_strict_values() -> None:
    """Failed guards raise, errors propagate, state updates atomically, no self-entry actions."""
    assert issubclass(PathwayMachine, StateChart)
    assert PathwayMachine.allow_event_without_transition is False
    assert PathwayMachine.catch_errors_as_events is False
    assert PathwayMachine.atomic_configuration_update is True
    assert PathwayMachine.enable_self_transition_entries is False
    for pathway in PATHWAYS:
        machine = definition(pathway, 1).machine
        assert issubclass(machine, PathwayMachine)
        assert machine.allow_event_without_transition is False
        assert machine.catch_errors_as_events is False


@pytest.mark.parametrize(("pathway", "event", "source", "target"), all_transitions(),
                         ids=lambda v: str(v))
def test_every_transition_fires_with_satisfying_facts(pathway: str, event: str, source: str,
                                                      target: str) -> None:
    """With facts that satisfy its rules, each transition lands on its target."""
    facts = facts_for(pathway, event)
    assert engine.unmet_rules(pathway, 1, source, event, facts) == []
    assert engine.fire(pathway, 1, source, event, facts) == target


@pytest.mark.parametrize(("pathway", "event", "rule_key"), all_guard_rules(), ids=str)
def test_breaking_one_rule_blocks_the_event_naming_exactly_that_rule(pathway: str, event: str,
                                                                     rule_key: str) -> None:
    """The failing branch of each guard raises StepBlocked listing only the broken rule."""
    defn = definition(pathway, 1)
    rule = defn.rules[rule_key]
    facts = break_rule(rule, facts_for(pathway, event))
    assert not rule.check(facts)
    source = some_source(pathway, event)
    with pytest.raises(StepBlocked) as blocked:
        engine.fire(pathway, 1, source, event, facts)
    assert [r.key for r in blocked.value.unmet] == [rule_key]
    assert blocked.value.reasons == [rule.explain(facts)]
    option = next(o for o in engine.events_from(pathway, 1, source, facts) if o.event == event)
    assert not option.enabled and [r.key for r in option.unmet] == [rule_key]


# Deadlines that end a step hold while their date is unknown: alone they require nothing.
_ENDING = {pip_rules.PIP_PERMIT_NOT_EXPIRED, induction_rules.IND_PRELIMINARY_NOT_EXPIRED, casc_rules.CASC_PASC_NOT_EXPIRED}


@pytest.mark.parametrize(("pathway", "event"),
                         [(p, e) for p in PATHWAYS for e, s in definition(p, 1).events.items()
                          if set(s.rules) - _ENDING], ids=str)
def test_a_blocked_event_lists_every_unmet_rule_not_just_the_first(pathway: str,
                                                                   event: str) -> None:
    """On an empty snapshot the error carries all unmet rules, in declaration order."""
    facts = Facts(pathway=pathway, today=HAPPY[pathway].today)
    spec = definition(pathway, 1).events[event]
    expected = [r.key for r in spec.rules if not r.check(facts)]
    assert expected, "an empty snapshot satisfies no positive requirement"
    with pytest.raises(StepBlocked) as blocked:
        engine.fire(pathway, 1, some_source(pathway, event), event, facts)
    assert [r.key for r in blocked.value.unmet] == expected
    assert len(blocked.value.reasons) == len(expected)


@pytest.mark.parametrize("pathway", PATHWAYS)
def test_enabled_events_from_the_library_agree_with_the_rules(pathway: str) -> None:
    """The library's cond evaluation and our rule evaluation give the same buttons."""
    defn = definition(pathway, 1)
    for state in defn.machine.states_map:
        for facts in (HAPPY[pathway], Facts(pathway=pathway, today=HAPPY[pathway].today)):
            machine = defn.build(state)
            library = {e.id for e in machine.enabled_events(facts=facts)}
            ours = {o.event for o in engine.events_from(pathway, 1, state, facts) if o.enabled}
            assert library == ours


@pytest.mark.parametrize("pathway", PATHWAYS)
def test_terminal_states_are_final_and_offer_no_events(pathway: str) -> None:
    """Terminal states end the enrolment; exactly one of them is the success."""
    infos = engine.states(pathway, 1)
    assert sum(i.success for i in infos) == 1 and sum(i.initial for i in infos) == 1
    assert engine.initial_state(pathway, 1) == next(i.value for i in infos if i.initial)
    for info in infos:
        assert info.final == (engine.events_from(pathway, 1, info.value, HAPPY[pathway]) == [])
        assert not info.success or info.final


@pytest.mark.parametrize("pathway", PATHWAYS)
def test_an_event_that_does_not_leave_the_state_is_not_allowed(pathway: str) -> None:
    """Unknown events and events from the wrong state raise EventNotAllowed (HTTP 409)."""
    initial = engine.initial_state(pathway, 1)
    with pytest.raises(EventNotAllowed):
        engine.fire(pathway, 1, initial, "credential_issued", HAPPY[pathway])
    with pytest.raises(EventNotAllowed):
        engine.fire(pathway, 1, initial, "no_such_event", HAPPY[pathway])
    success = definition(pathway, 1).success
    with pytest.raises(EventNotAllowed):
        engine.fire(pathway, 1, success, "withdraw", facts_for(pathway, "withdraw"))


@pytest.mark.parametrize("bad_state", ["", "draft", "INTERN_READY", None, ["x"]])
def test_a_corrupt_stored_state_raises_unknown_state(bad_state: object) -> None:
    """A state value the pathway does not know is reported, not guessed at."""
    for call in (lambda: engine.fire("pip", 1, bad_state, "withdraw", HAPPY["pip"]),  # type: ignore[arg-type]
                 lambda: engine.events_from("pip", 1, bad_state, HAPPY["pip"]),  # type: ignore[arg-type]
                 lambda: engine.unmet_rules("pip", 1, bad_state, "withdraw", HAPPY["pip"])):  # type: ignore[arg-type]
        with pytest.raises(UnknownState):
            call()


def test_facts_of_another_pathway_are_rejected() -> None:
    """Asking the PIP machine with induction facts is a programming error."""
    with pytest.raises(ValueError, match="induction"):
        engine.fire("pip", 1, "vacancy_search", "start_screening", HAPPY["induction"])


def test_automatic_events_are_marked_and_have_no_human_askers() -> None:
    """Time events are hidden from people but fireable by jobs."""
    auto = {(p, e) for p in PATHWAYS for e, s in definition(p, 1).events.items() if s.automatic}
    assert auto == {("pip", "expire_permit"), ("pip", "recommendation_purged"),
                    ("induction", "expire_preliminary"), ("induction", "recommendation_purged"),
                    ("casc", "miss_enrolment_window"), ("casc", "expire_pasc"),
                    ("casc", "recommendation_purged")}
    for pathway, event in auto:
        assert definition(pathway, 1).events[event].by == frozenset()
    for pathway in PATHWAYS:
        for event, spec in definition(pathway, 1).events.items():
            assert spec.automatic or spec.by, f"{pathway}.{event} has nobody to ask for it"


def test_a_time_event_fails_before_its_date_and_fires_on_it() -> None:
    """A job firing expire_permit early is blocked; on the expiry day it succeeds."""
    facts = HAPPY["pip"].replace(today=date(2026, 7, 31))  # the day before expiry
    with pytest.raises(StepBlocked) as blocked:
        engine.fire("pip", 1, "plan_established", "expire_permit", facts)
    assert "August 1, 2026" in blocked.value.reasons[0]
    expiry_day = facts_for("pip", "expire_permit")
    assert engine.fire("pip", 1, "plan_established", "expire_permit", expiry_day) == \
        "pip_expired_not_ready"


def test_a_program_setting_changes_a_threshold() -> None:
    """A program needing 30 coaching weeks passes with 30; the default of 40 does not."""
    facts = HAPPY["casc"].replace(counts={**HAPPY["casc"].counts, Count.COACHING_WEEKS_Y1: 30})
    with pytest.raises(StepBlocked) as blocked:
        engine.fire("casc", 1, "year1_active", "complete_year1", facts)
    assert blocked.value.reasons == ["30 of 40 coaching weeks logged for Year 1."]
    relaxed = facts.replace(settings=ProgramSettings.from_mapping({"coaching_weeks_per_year": 30}))
    assert engine.fire("casc", 1, "year1_active", "complete_year1", relaxed) == "year1_complete"


def test_basic_skills_for_the_permit_follows_the_program_setting() -> None:
    """[C] BSR before the PIP is required by default and can be switched off."""
    facts = HAPPY["pip"].replace(evidence={})
    keys = [r.key for r in engine.unmet_rules("pip", 1, "eligibility_screen",
                                              "confirm_eligibility", facts)]
    assert "pip.basic_skills_for_permit" in keys
    off = facts.replace(settings=ProgramSettings(pip_requires_basic_skills=False))
    keys = [r.key for r in engine.unmet_rules("pip", 1, "eligibility_screen",
                                              "confirm_eligibility", off)]
    assert "pip.basic_skills_for_permit" not in keys
    titles = [i.rule.key for g in engine.requirements("pip", 1, off) for i in g.items]
    assert "pip.basic_skills_for_permit" not in titles and "pip.basic_skills" in titles


def test_the_pip_walks_from_vacancy_to_issued_credential() -> None:
    """The happy path, event by event."""
    state = engine.initial_state("pip", 1)
    for event in ["start_screening", "confirm_eligibility", "request_permit", "permit_issued",
                  "establish_plan", "declare_intern_ready", "recommend", "credential_issued"]:
        state = engine.fire("pip", 1, state, event, HAPPY["pip"])
    assert state == "intern_credential_issued"


def test_the_eco_track_skips_year_one_and_revoking_it_returns_to_the_two_year_track() -> None:
    """ECO: apply -> approved (one year) -> revoked -> Year 1."""
    facts = HAPPY["induction"]
    state = "ilp_goals_set"
    for event in ["apply_eco", "approve_eco"]:
        state = engine.fire("induction", 1, state, event, facts)
    assert state == "eco_active"
    assert engine.fire("induction", 1, state, "request_completion_review", facts) == \
        "completion_review"
    assert engine.fire("induction", 1, state, "revoke_eco", facts) == "year1_active"
    assert engine.fire("induction", 1, "eco_applied", "deny_eco", facts) == "year1_active"


def test_eco_needs_the_programs_teaching_years() -> None:
    """[C] eco_min_teaching_years: 2 by default, 3 where a program says so."""
    facts = HAPPY["induction"].replace(settings=ProgramSettings(eco_min_teaching_years=3))
    with pytest.raises(StepBlocked) as blocked:
        engine.fire("induction", 1, "ilp_goals_set", "apply_eco", facts)
    assert blocked.value.reasons == [("The Early Completion Option needs 3 years as teacher of "
                                      "record; your district HR has verified 2.")]


def test_a_purged_or_stale_recommendation_must_be_made_again() -> None:
    """After the purge the old date no longer counts: the program must re-recommend."""
    purged = facts_for("pip", "recommendation_purged")
    state = engine.fire("pip", 1, "intern_recommended", "recommendation_purged", purged)
    assert state == "intern_ready"
    blocked = engine.unmet_rules("pip", 1, state, "recommend", purged)
    assert [r.key for r in blocked] == ["pip.recommendation_submitted"]


def test_transitions_helper_covers_every_event() -> None:
    """Sanity: the parametrized transition list covers every declared event."""
    for pathway in PATHWAYS:
        events = {e for e, _, _ in transitions(definition(pathway, 1))}
        assert events == set(definition(pathway, 1).events)
