"""Accreditation evidence: the CSV's columns and figures, formula cells neutralised, a printable page."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Flask
from sqlmodel import Session

from app.models import User
from app.services.programs.csv_safety import neutralise, to_csv
from tests.app.director_fixtures import signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.facts import Count
from workflows.roles import Role


def test_cells_that_could_run_as_formulas_are_prefixed() -> None:
    for cell in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("Ana =1") == "Ana =1" and neutralise(None) == "" and neutralise(date(2025, 8, 4)) == "2025-08-04"
    assert to_csv(["a"], [["=x"]]) == "\ufeffa\r\n'=x\r\n"


def test_the_export_has_match_dates_hours_and_completion(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=20)
    for event, role in [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE)]:
        driver.advance(event, role)
    with app.app_context():
        driver.walker().log(Count.MENTORING_HOURS, 4.5, TODAY)
    session.get(User, driver.candidate.id).name = "@Evil Name"
    session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    response = client.get(f"/programs/{driver.program.id}/accreditation.csv")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    record = dict(zip(header, row))
    assert header[:5] == ["candidate_name", "email", "pathway", "state", "enrolled_on"]
    assert record["candidate_name"] == "'@Evil Name"
    assert record["mentor_matched_on"] == TODAY.isoformat()
    assert record["ilp_goals_set_on"] == TODAY.isoformat()
    assert record["mentoring_hours_y1"] == "4.5" and record["completed"] == "no" and record["completed_on"] == ""
    page = client.get(f"/programs/{driver.program.id}/accreditation").get_data(as_text=True)
    assert "Accreditation evidence as of" in page and "@Evil Name" in page and "Mentor matched" in page


def test_completion_is_the_day_the_pathway_reached_ready(app: Flask, session: Session) -> None:
    from tests.app.director_fixtures import ready_casc

    driver = ready_casc(app, session)
    client = signed_in(app, driver.person(Role.CREDENTIAL_ANALYST).email)
    text = client.get(f"/programs/{driver.program.id}/accreditation.csv").get_data().decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    record = dict(zip(header, row))
    # Two CASC years passed on the app's clock to reach "ready": completion is that (app) day.
    assert record["completed"] == "yes" and record["completed_on"] == driver.facts().today.isoformat()
    assert int(record["coaching_weeks_y1"]) >= 40 and float(record["pl_hours_y1"]) >= 20
