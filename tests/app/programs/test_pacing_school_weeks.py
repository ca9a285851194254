"""Pacing on a school calendar: summer and breaks neither pass nor are left (issue 29)."""

from __future__ import annotations

from datetime import date

from app.services.programs.pacing import measure
from workflows.school_calendar import CALIFORNIA, EVERY_WEEK

START, DUE = date(2026, 8, 19), date(2027, 8, 19)  # a CASC Year 1 from the first Wednesday of school


def coaching(have: float, today: date, calendar=CALIFORNIA):  # type: ignore[no-untyped-def]
    return measure("coaching_weeks_y1", "Weeks with a coaching meeting, Year 1", "weeks", have, 40, START, DUE,
                   today, weekly=True, calendar=calendar)


def test_weeks_left_are_school_weeks() -> None:
    # On 1 March 2027 the school weeks left to 19 August are March to early June and the week of 16 August.
    pace = coaching(20, date(2027, 3, 1))
    assert CALIFORNIA.weeks_in(date(2027, 3, 1), DUE) == 14
    assert pace.needed_rate == round(20 / 14, 2)
    assert coaching(20, date(2027, 3, 1), EVERY_WEEK).needed_rate == round(20 / ((DUE - date(2027, 3, 1)).days / 7), 2)


def test_a_candidate_met_every_school_week_is_never_behind_over_the_summer() -> None:
    """Induction's mentoring hours: an hour a school week over two years (workflows/induction/pathway.py)."""
    due = date(2028, 8, 19)
    target = CALIFORNIA.weeks_in(START, due)
    assert target == 78  # 38 + 39 school weeks, and the first week of 2028-29 before the due day

    def mentoring(have: float, today: date, calendar=CALIFORNIA):  # type: ignore[no-untyped-def]
        return measure("mentoring_hours", "Mentoring hours since enrolment", "hours", have,
                       calendar.weeks_in(START, due), START, due, today, calendar=calendar)

    met_all_year = CALIFORNIA.weeks_in(START, date(2027, 6, 7))  # an hour every school week to the last day
    for day in (date(2027, 6, 14), date(2027, 7, 15), date(2027, 8, 9)):
        pace = mentoring(met_all_year, day)
        assert not pace.behind and pace.expected_now == met_all_year, day
    # Counting calendar weeks (an hour each of ~104 weeks), the summer makes the same candidate fall behind.
    assert mentoring(met_all_year, date(2027, 8, 9), EVERY_WEEK).behind


def test_the_catch_up_date_and_projection_skip_breaks() -> None:
    # Behind on 2 December 2026 (Thanksgiving just passed): the projection at the current rate is a school-week count on.
    pace = coaching(5, date(2026, 12, 2))
    assert pace.behind and pace.rate is not None and pace.projected_on is not None
    assert pace.projected_on.weekday() == 6  # the end of a school week
    assert not CALIFORNIA.is_school_week(date(2026, 12, 28)) and pace.projected_on != date(2027, 1, 3)
