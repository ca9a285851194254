"""A program's school calendar: the director's page and the API, refusals that save nothing, the audit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Program
from app.services.enrollments.facts import CALENDAR_KEY, program_calendar, program_settings
from app.services.programs.settings import fields
from tests.api.helpers import token_for
from tests.app.director_fixtures import post, signed_in
from tests.app.pathway_driver import PathwayDriver
from workflows.roles import Role
from workflows.school_calendar import CALIFORNIA, california_year

YEAR = 2026  # the 2026-27 school year; the page is asked for it by name, whatever day the suite runs as
PAGE = "/programs/{}/calendar?year=2026"


def form(**changes: str) -> dict[str, str]:
    """The 2026-27 form as a district with its own dates would fill it in."""
    values = {"year": str(YEAR), "first_day": "2026-08-12", "last_day": "2027-06-10",
              "break-1-name": "Winter break", "break-1-first": "2026-12-21", "break-1-last": "2027-01-08",
              "break-2-name": "Spring break", "break-2-first": "2027-04-05", "break-2-last": "2027-04-09",
              "break-3-name": "", "break-3-first": "", "break-3-last": ""}
    return values | changes


def audits(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "program.calendar_changed")).all())


def test_the_page_shows_a_usual_california_year_until_the_director_changes_it(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    body = client.get(PAGE.format(driver.program.id)).get_data(as_text=True)
    assert "School year 2026–27" in body and "A usual California school year" in body
    assert 'value="2026-08-17"' in body and 'value="2027-06-04"' in body
    for name in ("Thanksgiving break", "Winter break", "Spring break"):
        assert name in body
    assert "school_calendar" not in body and "every_week" not in body.split("<form")[0]
    # The settings page links to it.
    settings = client.get(f"/programs/{driver.program.id}/settings").get_data(as_text=True)
    assert f'href="/programs/{driver.program.id}/calendar"' in settings


def test_the_director_saves_a_year_with_before_and_after_in_the_audit(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", settings={"mentoring_hours_per_week": 1.5})
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = PAGE.format(driver.program.id)
    assert post(client, page, page, form()).status_code == 302
    session.expire_all()
    program = session.get(Program, driver.program.id)
    calendar = program_calendar(program)
    year = calendar.year(YEAR)
    assert (year.first_day, year.last_day) == (date(2026, 8, 12), date(2027, 6, 10))
    assert [b.name for b in year.breaks] == ["Winter break", "Spring break"]
    assert not calendar.is_school_day(date(2027, 1, 6)) and calendar.is_school_day(date(2026, 11, 25))
    assert calendar.year(YEAR + 1) == california_year(YEAR + 1)  # other years keep the defaults
    assert program_settings(program).mentoring_hours_per_week == 1.5  # the other settings are untouched
    [audit] = audits(session)
    assert audit.actor_id == driver.person(Role.PROGRAM_DIRECTOR).id
    assert audit.details["program_id"] == program.id
    assert audit.details["before"] == CALIFORNIA.to_mapping()
    assert audit.details["after"]["years"][0]["first_day"] == "2026-08-12"
    # The same form again changes nothing and writes no second audit row.
    assert post(client, page, page, form()).status_code == 302
    assert len(audits(session)) == 1
    assert "Your program's dates" in client.get(page).get_data(as_text=True)
    # Saving the settings page keeps the calendar.
    settings_page = f"/programs/{driver.program.id}/settings"
    values = {f.name: f.shown for f in fields(program) if f.kind != "bool"} | {"mentoring_hours_per_week": "2"}  # type: ignore[arg-type]
    assert post(client, settings_page, settings_page, values).status_code == 302
    session.expire_all()
    assert program_calendar(session.get(Program, driver.program.id)) == calendar
    # Back to the usual year: the program stores no calendar at all.
    assert post(client, page, page, form(action="reset")).status_code == 302
    session.expire_all()
    assert CALENDAR_KEY not in session.get(Program, driver.program.id).settings  # type: ignore[union-attr]
    assert len(audits(session)) == 2


def test_a_break_can_be_removed_and_every_week_chosen(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = PAGE.format(driver.program.id)
    assert post(client, page, page, form(**{"break-2-remove": "on", "every_week": "on"})).status_code == 302
    session.expire_all()
    calendar = program_calendar(session.get(Program, driver.program.id))
    assert calendar.every_week and [b.name for b in calendar.year(YEAR).breaks] == ["Winter break"]


def test_bad_dates_are_refused_with_every_problem_and_nothing_saved(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = PAGE.format(driver.program.id)
    for changes, says in (
        ({"last_day": "2026-08-01"}, "The last day of school must be after the first day."),
        ({"break-2-first": "2027-07-05", "break-2-last": "2027-07-09"},
         "Spring break must fall between the first and the last day of school"),
        ({"break-2-first": "2027-01-04", "break-2-last": "2027-01-15"}, "Winter break and Spring break overlap."),
        ({"first_day": "12 August"}, "The first day of school must be a date such as 2026-08-17"),
        ({"first_day": "2025-08-12"}, "The first day of the 2026–27 school year must fall between 1 July 2026"),
        ({"break-3-first": "2027-02-15"}, "Enter the last day of Break 3."),
    ):
        response = post(client, page, page, form(**changes))
        body = response.get_data(as_text=True)
        assert response.status_code == 400, changes
        assert "Nothing was saved" in body and says in body.replace("&#34;", '"'), (changes, body[:3000])
    session.expire_all()
    assert session.get(Program, driver.program.id).settings == {}  # type: ignore[union-attr]
    assert audits(session) == []


def test_only_the_program_director_may_open_or_change_the_calendar(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    page = PAGE.format(driver.program.id)
    analyst = signed_in(app, driver.person(Role.CREDENTIAL_ANALYST).email)
    assert analyst.get(page).status_code == 403
    mentor = signed_in(app, driver.person(Role.MENTOR).email)
    assert mentor.get(page).status_code == 404
    director = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    assert post(director, page, page, form()).status_code == 302  # the director's page works…
    session.expire_all()
    before = dict(session.get(Program, driver.program.id).settings)  # type: ignore[union-attr]
    # …but a POST from the analyst, with a valid CSRF token of their own session, is refused.
    assert post(analyst, "/", page, form(first_day="2026-08-19")).status_code == 403
    session.expire_all()
    assert session.get(Program, driver.program.id).settings == before  # type: ignore[union-attr]


def _api(app: Flask, session: Session, driver: PathwayDriver, role: Role) -> tuple[Any, dict[str, str]]:
    return app.test_client(), {"Authorization": f"Bearer {token_for(app, session, driver.person(role))}"}


def test_the_api_reads_and_changes_the_calendar_like_the_page(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    client, headers = _api(app, session, driver, Role.PROGRAM_DIRECTOR)
    url = f"/api/v1/programs/{driver.program.id}/calendar"
    got = client.get(url + "?year=2026", headers=headers)
    assert got.status_code == 200
    assert got.json == {"program_id": driver.program.id, "every_week": False, "starts_in": 2026, "name": "2026–27",
                        "edited": False, "first_day": "2026-08-17", "last_day": "2027-06-04", "school_weeks": 38,
                        "breaks": [{"name": "Thanksgiving break", "first_day": "2026-11-23", "last_day": "2026-11-27"},
                                   {"name": "Winter break", "first_day": "2026-12-21", "last_day": "2027-01-01"},
                                   {"name": "Spring break", "first_day": "2027-03-29", "last_day": "2027-04-02"}]}
    body = {"year": {"first_day": "2026-08-12", "last_day": "2027-06-10",
                     "breaks": [{"name": "Winter break", "first_day": "2026-12-21", "last_day": "2027-01-08"}]}}
    put = client.put(url, json=body, headers=headers)
    assert put.status_code == 200, put.json
    assert put.json["edited"] and put.json["first_day"] == "2026-08-12" and len(put.json["breaks"]) == 1
    assert len(audits(session)) == 1
    assert client.get(url + "?year=2026", headers=headers).json["first_day"] == "2026-08-12"


def test_the_api_refuses_bad_dates_and_other_roles_and_saves_nothing(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    url = f"/api/v1/programs/{driver.program.id}/calendar"
    client, headers = _api(app, session, driver, Role.PROGRAM_DIRECTOR)
    overlap = {"year": {"first_day": "2026-08-12", "last_day": "2027-06-10", "breaks": [
        {"name": "Winter break", "first_day": "2026-12-21", "last_day": "2027-01-08"},
        {"name": "January", "first_day": "2027-01-04", "last_day": "2027-01-15"}]}}
    refused = client.put(url, json=overlap, headers=headers)
    # The API answers a well-formed request the rules refuse with 422 (app/api/blueprint.py), the page with 400.
    assert refused.status_code == 422 and "Winter break and January overlap." in refused.json["reasons"]
    backwards = client.put(url, json={"year": {"first_day": "2026-08-12", "last_day": "2026-08-01"}}, headers=headers)
    assert backwards.status_code == 422
    assert backwards.json["reasons"] == ["The last day of school must be after the first day."]
    assert client.put(url, json={"colour": "red"}, headers=headers).status_code == 422
    client, headers = _api(app, session, driver, Role.CREDENTIAL_ANALYST)
    assert client.get(url, headers=headers).status_code == 200  # who sees the program reads its calendar
    forbidden = client.put(url, json={"every_week": True}, headers=headers)
    assert forbidden.status_code == 403
    client, headers = _api(app, session, driver, Role.MENTOR)
    assert client.get(url, headers=headers).status_code == 404
    session.expire_all()
    assert session.get(Program, driver.program.id).settings == {}  # type: ignore[union-attr]
    assert audits(session) == []


def test_casc_counts_every_week_until_its_director_enters_a_school_calendar(app: Flask, session: Session) -> None:
    """Administrators coach through the summer: 40 coaching weeks a year do not fit a 38-week school year."""
    casc, induction = PathwayDriver(app, session, "casc"), PathwayDriver(app, session, "induction")
    assert program_calendar(casc.program).every_week and not program_calendar(induction.program).every_week
    assert casc.facts().calendar.every_week  # the weekly rules and pacing read it from the facts
    casc.program.settings = {**casc.program.settings, CALENDAR_KEY: CALIFORNIA.to_mapping()}
    assert not program_calendar(casc.program).every_week  # a calendar the director entered is kept
