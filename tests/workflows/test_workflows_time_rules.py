"""Deadlines that end person-fired steps: pure rules, their wording, and where they guard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from workflow_scenarios import HAPPY

from workflows import engine
from workflows import rules as r
from workflows.base import EventSpec, ended_by, person
from workflows.casc import rules as casc_rules
from workflows.errors import StepBlocked
from workflows.facts import Facts, Flag, KeyDate
from workflows.induction import rules as induction_rules
from workflows.pip import rules as pip_rules
from workflows.registry import definition
from workflows.roles import Role


def pip(today: date, **dates: date) -> Facts:
    return HAPPY["pip"].replace(today=today, dates={**HAPPY["pip"].dates, **dates})


def test_a_pip_is_valid_until_the_day_before_its_expiry_date() -> None:
    expires = date(2026, 8, 1)  # issued Aug 1 2025 + 12 months
    assert pip_rules.PIP_PERMIT_NOT_EXPIRED.check(pip(expires - timedelta(days=1)))
    assert not pip_rules.PIP_PERMIT_NOT_EXPIRED.check(pip(expires))
    # The automatic expiry and the person-fired guard never both hold or both fail.
    for today in (expires - timedelta(days=1), expires, expires + timedelta(days=30)):
        assert pip_rules.PIP_PERMIT_NOT_EXPIRED.check(pip(today)) != pip_rules.PIP_PERMIT_EXPIRED.check(pip(today))


def test_a_recorded_expiry_date_wins_over_issue_plus_validity() -> None:
    facts = pip(date(2026, 3, 1), **{KeyDate.PERMIT_EXPIRES_ON: date(2026, 3, 1)})
    assert not pip_rules.PIP_PERMIT_NOT_EXPIRED.check(facts)
    assert pip_rules.PIP_PERMIT_NOT_EXPIRED.explain(facts) == (
        "Your PIP expired on March 1, 2026 and cannot be renewed, so this step can no longer be taken on "
        "it. If the expiry date is wrong, your credential analyst corrects it.")
    assert pip_rules.PIP_PERMIT_NOT_EXPIRED.clears is Role.CREDENTIAL_ANALYST and "CL-856" in pip_rules.PIP_PERMIT_NOT_EXPIRED.source


def test_an_unknown_end_date_holds_so_other_rules_ask_for_it() -> None:
    for rule, pathway in ((pip_rules.PIP_PERMIT_NOT_EXPIRED, "pip"), (induction_rules.IND_PRELIMINARY_NOT_EXPIRED, "induction"),
                          (casc_rules.CASC_PASC_NOT_EXPIRED, "casc"), (casc_rules.CASC_WINDOW_OPEN, "casc")):
        assert rule.check(Facts(pathway=pathway, today=date(2040, 1, 1)))
        assert rule.ends_steps and rule.label and rule.source


def test_the_casc_window_is_open_on_its_last_day_and_an_extension_lifts_it() -> None:
    started = date(2026, 1, 1)
    casc = HAPPY["casc"]
    last_day = started + timedelta(days=casc.settings.casc_enrolment_window_days)
    on = casc.replace(dates={**casc.dates, KeyDate.ADMIN_POSITION_STARTED_ON: started}, today=last_day)
    after = on.replace(today=last_day + timedelta(days=1))
    assert casc_rules.CASC_WINDOW_OPEN.check(on) and not casc_rules.CASC_WINDOW_MISSED.check(on)
    assert not casc_rules.CASC_WINDOW_OPEN.check(after) and casc_rules.CASC_WINDOW_MISSED.check(after)
    assert f"closed on {last_day:%B} {last_day.day}, {last_day.year}" in casc_rules.CASC_WINDOW_OPEN.explain(after)
    assert casc_rules.CASC_WINDOW_OPEN.check(after.replace(flags=after.flags | {Flag.ENROLMENT_WINDOW_EXTENSION}))


@pytest.mark.parametrize(("pathway", "expires_key", "rule"), [
    ("induction", KeyDate.PRELIMINARY_EXPIRES_ON, induction_rules.IND_PRELIMINARY_NOT_EXPIRED),
    ("casc", KeyDate.PASC_EXPIRES_ON, casc_rules.CASC_PASC_NOT_EXPIRED)])
def test_preliminary_credentials_end_on_their_expiry_date(pathway: str, expires_key: KeyDate, rule: r.Rule) -> None:
    happy = HAPPY[pathway]
    expires = happy.today + timedelta(days=1)
    facts = happy.replace(dates={**happy.dates, expires_key: expires})
    assert rule.check(facts)
    assert not rule.check(facts.replace(today=expires))
    assert "expired on" in rule.explain(facts.replace(today=expires))


def test_the_ready_step_names_the_expiry_first_once_the_permit_expired() -> None:
    with pytest.raises(StepBlocked) as blocked:
        engine.fire("pip", 1, "plan_established", "declare_intern_ready", pip(date(2026, 8, 1)))
    assert [rule.key for rule in blocked.value.unmet] == ["pip.permit_not_expired"]
    assert engine.fire("pip", 1, "plan_established", "declare_intern_ready", pip(date(2026, 7, 31))) == "intern_ready"


CLOSING = {"withdraw", "transfer_out", "recommendation_returned", "credential_issued"}


@pytest.mark.parametrize(("pathway", "rule", "exempt"), [
    ("induction", induction_rules.IND_PRELIMINARY_NOT_EXPIRED, CLOSING | {"declare_induction_unavailable", "deny_eco", "revoke_eco"}),
    ("casc", casc_rules.CASC_PASC_NOT_EXPIRED, CLOSING)])
def test_every_person_fired_step_but_closing_ones_ends_with_the_preliminary(pathway: str, rule: r.Rule,
                                                                           exempt: set[str]) -> None:
    for event, spec in definition(pathway, 1).events.items():
        guarded = rule in spec.rules
        assert guarded == (not spec.automatic and event not in exempt), event
        if guarded:
            assert spec.rules[0] is rule  # the decisive reason comes first


def test_only_the_plan_and_ready_steps_end_with_the_pip_and_only_admission_with_the_window() -> None:
    assert {e for e, s in definition("pip", 1).events.items() if pip_rules.PIP_PERMIT_NOT_EXPIRED in s.rules} == {
        "establish_plan", "declare_intern_ready"}
    assert {e for e, s in definition("casc", 1).events.items() if casc_rules.CASC_WINDOW_OPEN in s.rules} == {"admit"}


def test_ended_by_refuses_unknown_event_names_and_leaves_automatic_events_alone() -> None:
    events = {"step": person(Role.CANDIDATE), "tick": EventSpec(automatic=True)}
    guarded = ended_by(events, pip_rules.PIP_PERMIT_NOT_EXPIRED)
    assert guarded["step"].rules == (pip_rules.PIP_PERMIT_NOT_EXPIRED,) and guarded["tick"].rules == ()
    with pytest.raises(ValueError, match="no such events"):
        ended_by(events, pip_rules.PIP_PERMIT_NOT_EXPIRED, exempt=("stpe",))
