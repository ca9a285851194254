"""Program settings (defaults, validation) and the Facts snapshot."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate, SignOff
from workflows.roles import Role
from workflows.settings import InvalidSetting, ProgramSettings


def test_defaults_are_the_rule_books_thresholds() -> None:
    """§6 thresholds at a glance."""
    s = ProgramSettings()
    assert (s.pip_validity_months, s.pip_min_reviews, s.pip_preservice_hours) == (12, 3, 120)
    assert s.pip_requires_basic_skills is True and s.pip_max_prior_emergency_permits == 4
    assert (s.mentor_assignment_days, s.ilp_goals_days, s.mentoring_hours_per_week) == (30, 60, 1)
    assert s.eco_min_teaching_years == 2
    assert (s.casc_enrolment_window_days, s.casc_enrolment_warning_days) == (365, 120)
    assert (s.coach_assignment_days, s.coaching_weeks_per_year, s.pl_hours_per_year) == (30, 40, 20)
    assert (s.cpsel_self_assessments, s.admin_experience_years) == (3, 2)
    assert s.recommendation_window_days == 90 and s.deadline_warning_days == (90, 60, 30, 7)


def test_settings_round_trip_through_json() -> None:
    """What the app stores as JSON comes back equal."""
    s = ProgramSettings(casc_enrolment_window_days=120, deadline_warning_days=(7, 30))
    stored = json.loads(json.dumps(s.to_mapping()))
    assert ProgramSettings.from_mapping(stored) == s
    assert stored["deadline_warning_days"] == [30, 7]
    assert ProgramSettings.from_mapping({}) == ProgramSettings() == ProgramSettings.from_mapping(None)


@pytest.mark.parametrize(("data", "field"), [
    ({"coaching_weeks_per_year": 53}, "coaching_weeks_per_year"),
    ({"coaching_weeks_per_year": -1}, "coaching_weeks_per_year"),
    ({"coaching_weeks_per_year": "40"}, "coaching_weeks_per_year"),
    ({"coaching_weeks_per_year": 39.5}, "coaching_weeks_per_year"),
    ({"pip_validity_months": True}, "pip_validity_months"),
    ({"pip_requires_basic_skills": "yes"}, "pip_requires_basic_skills"),
    ({"pip_requires_basic_skills": 1}, "pip_requires_basic_skills"),
    ({"deadline_warning_days": [30, 30]}, "deadline_warning_days"),
    ({"deadline_warning_days": "30"}, "deadline_warning_days"),
    ({"deadline_warning_days": [0]}, "deadline_warning_days"),
    ({"casc_enrolment_window_day": 120}, "casc_enrolment_window_day"),
    ({"pl_hours_per_year": None}, "pl_hours_per_year"),
])
def test_from_mapping_rejects_bad_values_naming_the_field(data: dict[str, object],
                                                          field: str) -> None:
    """Wrong type, range, duplicates or unknown keys raise InvalidSetting naming the field."""
    with pytest.raises(InvalidSetting) as err:
        ProgramSettings.from_mapping(data)
    assert err.value.field_name == field and str(err.value).startswith(field)


def test_whole_floats_are_accepted_for_whole_number_settings() -> None:
    """JSON may give 30.0; it means 30."""
    assert ProgramSettings.from_mapping({"coaching_weeks_per_year": 30.0}).coaching_weeks_per_year == 30


def test_every_setting_documents_its_source_and_conflicts() -> None:
    """Admin pages can show where each default comes from and which are [C]."""
    described = {d["name"]: d for d in ProgramSettings.describe()}
    assert all(d["doc"] and d["source"] for d in described.values())
    conflicts = {n for n, d in described.items() if d["conflict"]}
    assert conflicts == {"pip_requires_basic_skills", "eco_min_teaching_years",
                         "casc_enrolment_window_days"}


def test_facts_accept_plain_strings_from_the_database() -> None:
    """The app may pass the stored string values; they are normalised to enums."""
    facts = Facts(pathway="casc", today=date(2026, 1, 1),
                  dates={"admitted_on": date(2025, 9, 1)}, evidence={"cl_777": "submitted"},
                  signoffs=[("admitted", "program_director")], counts={"pl_hours_y1": 3},
                  flags=["exit_panel_mastery"])
    assert facts.date_of(KeyDate.ADMITTED_ON) == date(2025, 9, 1)
    assert facts.status(EvidenceKind.CL_777) is EvidenceStatus.SUBMITTED
    assert not facts.verified(EvidenceKind.CL_777)
    assert facts.signed(SignOff.ADMITTED, Role.PROGRAM_DIRECTOR)
    assert facts.count(Count.PL_HOURS_Y1) == 3 and facts.count(Count.PL_HOURS_Y2) == 0
    assert facts.flag(Flag.EXIT_PANEL_MASTERY)
    with pytest.raises(TypeError):
        facts.dates[KeyDate.ENROLLED_ON] = date(2025, 1, 1)  # type: ignore[index]


@pytest.mark.parametrize("bad", [
    {"pathway": "stsp"}, {"today": datetime(2026, 1, 1, 12)}, {"dates": {"enroled_on": date(2026, 1, 1)}},
    {"dates": {"enrolled_on": datetime(2026, 1, 1)}}, {"evidence": {"cl_857": "approved"}},
    {"evidence": {"cl857": "verified"}}, {"signoffs": [("admitted", "principal")]},
    {"counts": {"pl_hours_y1": -1}}, {"counts": {"pl_hours_y1": "3"}}, {"flags": ["eco"]},
])
def test_facts_reject_unknown_keys_and_values(bad: dict[str, object]) -> None:
    """A typo never silently reads as 'missing'."""
    base: dict[str, object] = {"pathway": "pip", "today": date(2026, 1, 1)}
    with pytest.raises(ValueError):
        Facts(**{**base, **bad})  # type: ignore[arg-type]
