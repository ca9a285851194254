"""Issue 29: a candidate met one hour every school week from August reaches "Year 1 complete"."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session

from app.models import LogEntry, utcnow
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.facts import Count
from workflows.induction import rules as induction_rules
from workflows.roles import Role
from workflows.school_calendar import CALIFORNIA, EVERY_WEEK, california_year, school_year_of


def _school_year_under_way() -> int:
    """The latest school year whose first Wednesday has come (the suite's day may be any day of the year)."""
    year = school_year_of(TODAY)
    return year if california_year(year).first_day + timedelta(days=2) <= TODAY else year - 1


def test_one_hour_every_school_week_from_august_completes_year_1(app: Flask, session: Session) -> None:
    year = california_year(_school_year_under_way())
    enrolled = year.first_day + timedelta(days=2)  # the first Wednesday of school
    # Enrolled months ago, whatever the suite's day: the mentor and ILP windows are not what this is about.
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=(TODAY - enrolled).days,
                           settings={"mentor_assignment_days": 365, "ilp_goals_days": 365})
    for event, role in (("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE)):
        driver.advance(event, role)
    # Year 1 ends after the last day of school (or today, when that is later in the summer).
    end = max(TODAY, year.last_day + timedelta(days=10))
    driver.travel_to(end)
    # One signed hour in every school week so far: on its first school day on or after enrolment.
    monday, weeks = enrolled - timedelta(days=enrolled.weekday()), 0
    while monday + timedelta(days=6) < end:
        days = [monday + timedelta(days=n) for n in range(5)]
        met_on = next((d for d in days if d >= enrolled and CALIFORNIA.is_school_day(d)), None)
        if met_on is not None:
            session.add(LogEntry(enrollment_id=driver.enrollment.id, kind="mentoring", occurred_on=met_on, hours=1,
                                 author_id=driver.candidate.id, signer_id=driver.person(Role.MENTOR).id,
                                 signed_at=utcnow()))
            weeks += 1
        monday += timedelta(days=7)
    session.commit()
    assert 36 <= weeks <= 40  # a school year's weeks, not the ~42 calendar weeks since August

    facts = driver.facts()
    assert facts.count(Count.MENTORING_HOURS) == weeks
    assert induction_rules.IND_MENTORING_AVERAGE.check(facts), induction_rules.IND_MENTORING_AVERAGE.explain(facts)
    assert f"over {weeks} school weeks since enrolment" in induction_rules.IND_MENTORING_AVERAGE.explain(facts)
    # Counting calendar weeks (as before issue 29) the same hours fall short: summer and breaks were owed.
    assert not induction_rules.IND_MENTORING_AVERAGE.check(facts.replace(calendar=EVERY_WEEK))

    driver.advance("complete_year1", Role.PROGRAM_DIRECTOR)
    assert driver.refresh().state == "year1_complete"
    assert driver.facts().count(Count.MENTORING_HOURS) == weeks  # nothing logged to get there


def test_the_guard_still_owes_every_school_week(app: Flask, session: Session) -> None:
    """A school week missed is still owed: the calendar excuses summer and breaks, not school weeks."""
    year = california_year(_school_year_under_way())
    enrolled = year.first_day
    facts = PathwayDriver(app, session, "induction", enrolled_days_ago=(TODAY - enrolled).days).facts()
    today = max(TODAY, year.first_day + timedelta(days=70))
    owed = CALIFORNIA.weeks_owed(enrolled, today)
    short = facts.replace(today=today, dates={**facts.dates, "enrolled_on": enrolled},
                          counts={**facts.counts, Count.MENTORING_HOURS: owed - 1})
    assert owed >= 9 and facts.calendar == CALIFORNIA
    assert not induction_rules.IND_MENTORING_AVERAGE.check(short)
    assert induction_rules.IND_MENTORING_AVERAGE.check(short.replace(counts={Count.MENTORING_HOURS: owed}))
