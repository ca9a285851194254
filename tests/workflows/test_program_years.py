"""Program years from dates, reviews with the roles the rule book names, CASC coaching hours."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.casc import machine as casc
from workflows.casc import rules as casc_rules
from workflows.facts import Count, Facts
from workflows.pip import rules as pip_rules
from workflows.pip.reviews import REVIEWS
from workflows.program_years import counts_on, in_words, program_year, year_starts_on
from workflows.settings import InvalidSetting, ProgramSettings

ENROLLED = date(2025, 8, 15)


@pytest.mark.parametrize(("day", "year"), [
    (date(2025, 8, 14), None),  # the day before enrolment belongs to no year
    (ENROLLED, 1),
    (date(2026, 8, 14), 1),  # the last day of the first 12 months
    (date(2026, 8, 15), 2),
    (date(2028, 1, 1), 2),  # past two years (an extension): still the last year
])
def test_the_program_year_is_the_date_against_the_enrolment(day: date, year: int | None) -> None:
    assert program_year(day, ENROLLED) == year


def test_a_leap_day_enrolment_turns_to_year_two_on_28_february() -> None:
    assert program_year(date(2025, 2, 27), date(2024, 2, 29)) == 1
    assert program_year(date(2025, 2, 28), date(2024, 2, 29)) == 2


def test_an_early_completion_candidate_is_in_year_two_from_enrolment() -> None:
    assert program_year(ENROLLED, ENROLLED, early_completion=True) == 2
    assert program_year(date(2025, 8, 1), ENROLLED, early_completion=True) is None
    assert year_starts_on(2, ENROLLED, early_completion=True) == ENROLLED
    assert year_starts_on(2, ENROLLED) == date(2026, 8, 15) and year_starts_on(1, ENROLLED) == ENROLLED
    with pytest.raises(ValueError):
        year_starts_on(3, ENROLLED)


def test_an_entry_counts_only_inside_the_enrolment_and_not_after_today() -> None:
    today = date(2025, 9, 1)
    assert counts_on(ENROLLED, ENROLLED, today) and counts_on(today, ENROLLED, today)
    assert not counts_on(date(2025, 8, 14), ENROLLED, today)
    assert not counts_on(date(2025, 9, 2), ENROLLED, today)


def test_a_review_needs_district_supervisor_mentor_and_support_provider_by_default() -> None:
    settings = ProgramSettings()
    everyone = ["district_hr", "site_administrator", "mentor", "prep_program_support_provider"]
    assert REVIEWS.missing(everyone, settings) == []
    assert REVIEWS.missing(["credential_analyst", *everyone[1:]], settings) == []  # the analyst is the district
    assert REVIEWS.missing(["mentor"], settings) == [
        "someone from your district (HR or credential analyst)", "your direct supervisor (site administrator)",
        "your teacher-preparation program support provider"]
    assert len(REVIEWS.missing([], settings)) == 4


def test_a_program_may_drop_a_role_it_cannot_staff() -> None:
    settings = ProgramSettings(pip_review_needs_support_provider=False, pip_review_needs_district=False)
    assert REVIEWS.missing(["site_administrator", "mentor"], settings) == []
    assert REVIEWS.required(settings) == ["your direct supervisor (site administrator)", "your mentor"]
    with pytest.raises(InvalidSetting):
        ProgramSettings.from_mapping({"pip_review_needs_mentor": "yes"})


def test_the_reviews_rule_names_who_must_attend() -> None:
    facts = Facts(pathway="pip", today=ENROLLED, counts={Count.REVIEWS_HELD: 3})
    assert pip_rules.PIP_REVIEWS.check(facts)
    assert "your mentor and your teacher-preparation program support provider present" in pip_rules.PIP_REVIEWS.explain(facts)
    alone = facts.replace(settings=ProgramSettings(**{name: False for name in (
        "pip_review_needs_district", "pip_review_needs_supervisor", "pip_review_needs_mentor",
        "pip_review_needs_support_provider")}), counts={Count.REVIEWS_HELD: 2})
    assert not pip_rules.PIP_REVIEWS.check(alone) and "your support team present" in pip_rules.PIP_REVIEWS.explain(alone)


def test_in_words_joins_phrases_the_way_people_write_them() -> None:
    assert [in_words([]), in_words(["a"]), in_words(["a", "b"]), in_words(["a", "b", "c"])] == [
        "", "a", "a and b", "a, b and c"]


def test_casc_coaching_hours_default_to_forty_a_year_from_the_butte_requirements() -> None:
    setting = next(s for s in ProgramSettings.describe() if s["name"] == "coaching_hours_per_year")
    assert setting["default"] == 40.0 and "80 hours" in setting["source"]
    short = Facts(pathway="casc", today=ENROLLED, counts={Count.COACHING_WEEKS_Y1: 40, Count.COACHING_HOURS_Y1: 39.5})
    assert casc_rules.CASC_COACHING_Y1.check(short) and not casc_rules.CASC_COACHING_HOURS_Y1.check(short)
    assert casc_rules.CASC_COACHING_HOURS_Y1.progress(short) == (39.5, 40.0)
    assert casc_rules.CASC_COACHING_HOURS_Y1.check(short.replace(settings=ProgramSettings(coaching_hours_per_year=30)))


def test_completing_each_casc_year_checks_its_coaching_hours() -> None:
    assert casc_rules.CASC_COACHING_HOURS_Y1 in casc.YEAR1 and casc_rules.CASC_COACHING_HOURS_Y2 in casc.YEAR2
    assert casc_rules.CASC_COACHING_Y1 in casc.YEAR1 and casc_rules.CASC_COACHING_Y2 in casc.YEAR2  # the weeks still count too
