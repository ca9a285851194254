"""The school calendar: California's default years, school days and weeks, the weeks a weekly rule owes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.dates import whole_weeks_since
from workflows.facts import Count, Facts, KeyDate
from workflows.induction import rules as induction_rules
from workflows.school_calendar import (
    CALIFORNIA,
    EVERY_WEEK,
    Break,
    InvalidCalendar,
    SchoolCalendar,
    SchoolYear,
    after_school_weeks,
    california_year,
    school_year_of,
)


def test_the_default_california_year_has_a_mid_august_start_an_early_june_end_and_three_breaks() -> None:
    year = california_year(2026)
    assert (year.first_day, year.last_day) == (date(2026, 8, 17), date(2027, 6, 4))
    assert year.first_day.weekday() == 0 and year.last_day.weekday() == 4
    assert [(b.name, b.first_day, b.last_day) for b in year.breaks] == [
        ("Thanksgiving break", date(2026, 11, 23), date(2026, 11, 27)),  # Thanksgiving is 26 November 2026
        ("Winter break", date(2026, 12, 21), date(2027, 1, 1)),
        ("Spring break", date(2027, 3, 29), date(2027, 4, 2)),
    ]
    assert year.name == "2026–27" and year.problems() == []


@pytest.mark.parametrize("starts_in", range(2020, 2036))
def test_every_default_year_is_usable_and_about_38_school_weeks_long(starts_in: int) -> None:
    year = california_year(starts_in)
    assert year.problems() == [] and year.starts_in == starts_in
    weeks = SchoolCalendar().school_weeks_between(year.first_day, year.last_day)
    assert 36 <= weeks <= 40, weeks
    thanksgiving = year.breaks[0]
    assert thanksgiving.first_day.month == 11 and (thanksgiving.first_day + timedelta(days=3)).day in range(22, 29)


def test_school_days_are_weekdays_of_the_year_outside_breaks() -> None:
    assert CALIFORNIA.is_school_day(date(2026, 12, 2))  # a Wednesday in December
    assert not CALIFORNIA.is_school_day(date(2026, 12, 5))  # a Saturday
    assert not CALIFORNIA.is_school_day(date(2026, 11, 25))  # Thanksgiving week
    assert not CALIFORNIA.is_school_day(date(2026, 12, 30))  # winter break
    assert not CALIFORNIA.is_school_day(date(2027, 7, 14))  # summer
    assert not CALIFORNIA.is_school_day(date(2026, 8, 14))  # the Friday before the first day
    assert CALIFORNIA.is_school_day(date(2026, 8, 17)) and CALIFORNIA.is_school_day(date(2027, 6, 4))
    assert all(EVERY_WEEK.is_school_day(date(2027, 7, 1) + timedelta(days=n)) for n in range(60))


def test_school_weeks_are_monday_weeks_holding_a_school_day_inside_the_span() -> None:
    assert CALIFORNIA.is_school_week(date(2026, 11, 29)) is False  # Sunday of Thanksgiving week
    assert CALIFORNIA.is_school_week(date(2026, 12, 6)) is True
    assert not CALIFORNIA.is_school_week(date(2027, 7, 5)) and not CALIFORNIA.is_school_week(date(2027, 8, 9))
    # A summer and a break hold none; a span starting on a Saturday does not count that weekend's week.
    assert CALIFORNIA.school_weeks_between(date(2027, 6, 7), date(2027, 8, 15)) == 0
    assert CALIFORNIA.school_weeks_between(date(2026, 12, 19), date(2027, 1, 3)) == 0
    assert CALIFORNIA.school_weeks_between(date(2026, 12, 19), date(2027, 1, 4)) == 1
    assert CALIFORNIA.school_weeks_between(date(2026, 8, 17), date(2027, 6, 30)) == 38
    assert CALIFORNIA.school_weeks_between(date(2027, 1, 4), date(2027, 1, 3)) == 0


def _by_day(calendar: SchoolCalendar, start: date, end: date) -> int:
    """The definition, walked day by day."""
    mondays = {start + timedelta(days=n) - timedelta(days=(start + timedelta(days=n)).weekday())
               for n in range((end - start).days + 1) if calendar.is_school_day(start + timedelta(days=n))}
    return len(mondays)


EDITED = SchoolCalendar(years=(SchoolYear(date(2026, 8, 5), date(2027, 6, 11),
                                          (Break("Fall break", date(2026, 10, 12), date(2026, 10, 16)),
                                           Break("Winter break", date(2026, 12, 21), date(2027, 1, 8)))),))


@given(st.dates(date(2023, 1, 1), date(2030, 12, 31)), st.integers(0, 900),
       st.sampled_from([CALIFORNIA, EVERY_WEEK, EDITED]))
def test_counting_school_weeks_matches_walking_the_days(start: date, length: int, calendar: SchoolCalendar) -> None:
    end = start + timedelta(days=length)
    assert calendar.school_weeks_between(start, end) == _by_day(calendar, start, end)


@given(st.dates(date(2020, 1, 1), date(2032, 12, 31)), st.integers(-30, 1500))
def test_a_calendar_of_every_week_owes_exactly_the_whole_weeks_it_always_did(start: date, days: int) -> None:
    today = start + timedelta(days=days)
    assert EVERY_WEEK.weeks_owed(start, today) == whole_weeks_since(start, today)
    assert EVERY_WEEK.weeks_in(start, today) == max(days, 0) / 7
    assert EVERY_WEEK.weeks_owed(None, today) == CALIFORNIA.weeks_owed(None, today) == 0


def test_a_school_calendar_owes_only_school_weeks_that_have_ended() -> None:
    enrolled = date(2026, 8, 19)  # the Wednesday of the first week of school
    assert CALIFORNIA.weeks_owed(enrolled, date(2026, 8, 23)) == 0  # that week is not over until Sunday
    assert CALIFORNIA.weeks_owed(enrolled, date(2026, 8, 24)) == 1
    june = CALIFORNIA.weeks_owed(enrolled, date(2027, 6, 14))
    assert june == 38 and CALIFORNIA.weeks_owed(enrolled, date(2027, 8, 15)) == june  # summer owes nothing
    assert whole_weeks_since(enrolled, date(2027, 8, 15)) == 51


def test_after_school_weeks_passes_over_breaks_and_summer() -> None:
    assert after_school_weeks(CALIFORNIA, date(2026, 12, 2), 3) == date(2027, 1, 10)  # 7, 14 Dec, then 4 Jan
    assert after_school_weeks(CALIFORNIA, date(2027, 6, 1), 1) == date(2027, 8, 22)
    assert after_school_weeks(EVERY_WEEK, date(2026, 12, 2), 3) == date(2026, 12, 23)
    assert after_school_weeks(CALIFORNIA, date(2026, 12, 2), 0) == date(2026, 12, 2)


def test_the_year_a_day_belongs_to_runs_from_july_to_june() -> None:
    assert school_year_of(date(2026, 7, 1)) == 2026 and school_year_of(date(2027, 6, 30)) == 2026


def test_an_edited_year_replaces_the_default_and_other_years_keep_theirs() -> None:
    assert EDITED.edited(2026) and not EDITED.edited(2027)
    assert EDITED.year(2026).first_day == date(2026, 8, 5) and EDITED.year(2027) == california_year(2027)
    assert EDITED.is_school_day(date(2026, 8, 5)) and not CALIFORNIA.is_school_day(date(2026, 8, 5))
    assert not EDITED.is_school_day(date(2027, 1, 6)) and CALIFORNIA.is_school_day(date(2027, 1, 6))
    assert EDITED.is_school_day(date(2026, 11, 25))  # this district has no Thanksgiving break
    assert SchoolCalendar.from_mapping(EDITED.to_mapping()) == EDITED
    assert SchoolCalendar.from_mapping(None) == CALIFORNIA == SchoolCalendar.from_mapping({})


@pytest.mark.parametrize(("year", "problem"), [
    (SchoolYear(date(2026, 8, 17), date(2026, 8, 10)), "The last day of school must be after the first day."),
    (SchoolYear(date(2026, 8, 17), date(2027, 7, 2)), "the last day must be on or before 30 June 2027"),
    (SchoolYear(date(2026, 8, 17), date(2027, 6, 4), (Break("Winter break", date(2026, 12, 21), date(2026, 12, 18)),)),
     "Winter break ends before it starts."),
    (SchoolYear(date(2026, 8, 17), date(2027, 6, 4), (Break("Summer school", date(2027, 6, 1), date(2027, 6, 20)),)),
     "Summer school must fall between the first and the last day of school"),
    (SchoolYear(date(2026, 8, 17), date(2027, 6, 4), (Break("Winter break", date(2026, 12, 21), date(2027, 1, 1)),
                                                      Break("New Year", date(2026, 12, 31), date(2027, 1, 8)))),
     "Winter break and New Year overlap."),
    (SchoolYear(date(2026, 8, 17), date(2027, 6, 4), (Break(" ", date(2026, 12, 21), date(2027, 1, 1)),)),
     "Each break needs a name"),
])
def test_an_unusable_year_says_what_is_wrong_in_words(year: SchoolYear, problem: str) -> None:
    assert any(problem in p for p in year.problems()), year.problems()
    with pytest.raises(InvalidCalendar) as refused:
        SchoolCalendar.from_mapping({"years": [year.to_mapping()]})
    assert any(problem in p for p in refused.value.problems)


def test_stored_calendars_with_unknown_keys_or_unreadable_dates_are_refused() -> None:
    for data in ({"colour": "red"}, {"years": [{"first_day": "17/08/2026", "last_day": "2027-06-04"}]},
                 {"every_week": "yes"}, {"years": [{"first_day": "2026-08-17"}]}):
        with pytest.raises(InvalidCalendar):
            SchoolCalendar.from_mapping(data)


def test_the_mentoring_average_counts_school_weeks_and_says_so() -> None:
    """Issue 29: a candidate met one hour every school week is not behind after the summer."""
    enrolled = date(2026, 8, 19)
    facts = Facts(pathway="induction", today=date(2027, 8, 16), calendar=CALIFORNIA,
                  dates={KeyDate.ENROLLED_ON: enrolled}, counts={Count.MENTORING_HOURS: 38})
    assert induction_rules.IND_MENTORING_AVERAGE.check(facts)
    assert induction_rules.IND_MENTORING_AVERAGE.explain(facts) == (
        "38 mentoring hours logged over 38 school weeks since enrolment; an average of 1 hour a school week "
        "needs 38.")
    assert not induction_rules.IND_MENTORING_AVERAGE.check(facts.replace(counts={Count.MENTORING_HOURS: 37}))
    # Counting every week, the same candidate owes the 51 calendar weeks (the behaviour before issue 29).
    every = facts.replace(calendar=EVERY_WEEK)
    assert not induction_rules.IND_MENTORING_AVERAGE.check(every)
    assert "over 51 weeks since enrolment; an average of 1 hour a week needs 51" in (
        induction_rules.IND_MENTORING_AVERAGE.explain(every))
