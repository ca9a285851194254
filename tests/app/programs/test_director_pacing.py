"""Pacing: the projection, the needed rate, and the date by which the pace must rise."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session

from app.services.programs.pacing import measure
from tests.app.director_fixtures import signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.facts import Count
from workflows.roles import Role

START = date(2025, 8, 4)
END = START + timedelta(weeks=52)


def test_on_track_needs_no_rise_and_projects_before_the_deadline() -> None:
    pace = measure("h", "Hours", "hours", have=26, target=52, starts_on=START, due_on=END,
                   today=START + timedelta(weeks=26))
    assert pace.rate == 1.0 and pace.expected_now == 26 and not pace.behind
    assert pace.projected_on == END and pace.must_rise_by is None and pace.needed_rate == 1.0


def test_behind_pace_gives_the_last_day_to_switch_to_the_catch_up_rate() -> None:
    today = START + timedelta(weeks=20)
    pace = measure("h", "Hours", "hours", have=10, target=52, starts_on=START, due_on=END, today=today)
    assert pace.behind and pace.rate == 0.5 and pace.expected_now == 20
    assert pace.needed_rate == round(42 / 32, 2)
    # Catch-up is 2 h/week: 10 + 0.5x + 2(32 - x) = 52  ->  x = 22/1.5 weeks from today.
    assert pace.must_rise_by == today + timedelta(days=int(22 / 1.5 * 7))
    assert pace.projected_on == today + timedelta(days=round(42 / 0.5 * 7)) and not pace.out_of_reach


def test_weekly_meetings_catch_up_at_one_a_week_and_can_fall_out_of_reach() -> None:
    today = START + timedelta(weeks=26)
    pace = measure("w", "Weeks", "weeks", have=10, target=40, starts_on=START, due_on=END, today=today, weekly=True)
    assert pace.out_of_reach and pace.must_rise_by == today  # 30 more weeks needed, 26 left
    fine = measure("w", "Weeks", "weeks", have=10, target=40, starts_on=START, due_on=END,
                   today=START + timedelta(weeks=10), weekly=True)
    assert fine.must_rise_by is None and fine.projected_on is not None and fine.projected_on <= END


def test_nothing_logged_yet_has_no_rate_and_no_projection() -> None:
    pace = measure("h", "Hours", "hours", have=0, target=20, starts_on=START, due_on=END, today=START + timedelta(days=3))
    assert pace.rate is None and pace.projected_on is None and pace.must_rise_by is not None


def test_the_pacing_page_shows_each_candidates_requirements(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=25)
    for event, role in [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR),
                        ("start_year1", Role.CANDIDATE)]:
        driver.advance(event, role)
    with app.app_context():
        driver.walker().log(Count.COACHING_WEEKS_Y1, 1, TODAY)
    session.commit()
    body = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email).get(
        f"/programs/{driver.program.id}/pacing").get_data(as_text=True)
    assert "Weeks with a coaching meeting, Year 1" in body and "1 of 40 weeks" in body
    assert "behind" in body
