"""A pathway is one folder: the test-only apprentice pathway (tests/pathways/apprentice), which no
file of `app/` names, is served end to end by the app from the registry alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import confidentiality
from app.confidentiality import Channel, Content
from app.models import Enrollment, Program
from app.services.enrollments import deadline_events
from tests.api.helpers import Api, token_for
from tests.app.enrollments.test_recorded_facts import record
from tests.app.pathway_driver import PathwayDriver
from tests.app.signoffs.test_tasks import approve, ask, satisfy_all_but_signoffs
from tests.conftest import Auth, signed_in
from tests.today import now
from workflows import registry
from workflows.deadlines import deadlines
from workflows.facts import EvidenceKind, Pathway
from workflows.roles import Role
from workflows.settings import ProgramSettings

APP = Path(__file__).resolve().parents[3] / "app"


def test_the_test_run_installs_the_apprentice_pathway_and_no_file_of_the_app_names_it() -> None:
    assert "apprentice" in registry.names() and Pathway("apprentice") == "apprentice"
    assert EvidenceKind("apprentice_portfolio").label == "apprenticeship portfolio"
    assert ProgramSettings().apprentice_window_days == 90
    naming = [str(p.relative_to(APP)) for p in APP.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".js")
              and "apprentice" in p.read_text(encoding="utf-8").lower()]
    assert naming == []
    # A pathway that keeps no notes, plans or self-assessments: its table lets nobody read any.
    table = confidentiality.table("apprentice")
    assert all(not readers for channels in table.contents.values() for readers in channels.values())
    assert not confidentiality.may_read(frozenset(Role), ("apprentice", Content.NOTES), Channel.PAGE)


def test_a_candidate_picks_the_pathway_and_enrols_in_its_program(app: Flask, session: Session,
                                                                 client: FlaskClient) -> None:
    driver = PathwayDriver(app, session, "apprentice")
    Auth(client).sign_in(driver.candidate.email)
    choose = client.get("/enrol").get_data(as_text=True)
    assert "Apprenticeship → certified apprentice teacher" in choose
    assert "You teach as an apprentice and are observed before certification." in choose
    step_two = client.get("/enrol?pathway=apprentice").get_data(as_text=True)
    assert driver.program.name in step_two and "Apprentice Teacher Certificate" in step_two


def test_home_checklist_deadline_inbox_and_certification(app: Flask, session: Session, client: FlaskClient) -> None:
    driver = PathwayDriver(app, session, "apprentice")
    Auth(client).sign_in(driver.candidate.email)
    home = client.get(f"/enrollments/{driver.enrollment.id}").get_data(as_text=True)
    assert "Applied" in home and "Apprenticeship portfolio" in home
    checklist = client.get(f"/enrollments/{driver.enrollment.id}/checklist").get_data(as_text=True)
    assert "Classroom observation record" in checklist and "signs off that they observed you teach" in checklist
    assert "Be certified before your apprenticeship lapses" in checklist
    [deadline] = [d for d in deadlines(driver.facts()) if d.key == "apprentice_window"]
    assert deadline.due == driver.enrollment.enrolled_on + timedelta(days=90) and not deadline.met

    driver.advance("submit", Role.CANDIDATE)
    assert driver.refresh().state == "in_review"
    satisfy_all_but_signoffs(driver, "certify")
    [task] = ask(driver, "certify", Role.CANDIDATE)
    assert task.role == Role.SITE_ADMINISTRATOR.value

    admin = driver.person(Role.SITE_ADMINISTRATOR)
    client = app.test_client()
    Auth(client).sign_in(admin.email)
    inbox = client.get("/inbox?tab=unclaimed").get_data(as_text=True)
    assert "Observed in class" in inbox
    assert "Observed in class" in client.get("/inbox?tab=unclaimed&pathway=apprentice").get_data(as_text=True)
    assert "Observed in class" not in client.get("/inbox?tab=unclaimed&pathway=pip").get_data(as_text=True)
    # The last sign-off the step waits on takes it: the candidate asked for it already.
    approve(driver, task, admin)
    assert driver.refresh().state == "certified"


def test_director_pages_show_the_pathways_setting_and_states(app: Flask, session: Session, client: FlaskClient) -> None:
    driver = PathwayDriver(app, session, "apprentice")
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    settings = client.get(f"/programs/{driver.program.id}/settings").get_data(as_text=True)
    assert "Apprenticeship" in settings and "Days to certify an apprentice" in settings
    assert "Months a Provisional Internship Permit lasts" not in settings
    overview = client.get(f"/programs/{driver.program.id}")
    assert overview.status_code == 200


def test_the_api_document_and_filters_know_the_pathway(app: Flask, session: Session, client: FlaskClient) -> None:
    driver = PathwayDriver(app, session, "apprentice")
    api = Api(client, token_for(app, session, driver.candidate))
    document = api.get(f"/enrollments/{driver.enrollment.id}")
    assert document.status_code == 200 and document.get_json()["pathway"] == "apprentice"
    listed = api.get("/enrollments?pathway=apprentice").get_json()
    assert [e["id"] for e in listed["items"]] == [driver.enrollment.id]
    assert api.get("/enrollments?pathway=unknown").status_code in (400, 422)


def test_the_daily_sweep_lapses_an_apprenticeship_whose_window_closed(app: Flask, session: Session) -> None:
    late = PathwayDriver(app, session, "apprentice", enrolled_days_ago=91)
    early = PathwayDriver(app, session, "apprentice", enrolled_days_ago=80)
    with app.app_context():
        fired = deadline_events.fire_due_events(session, now())
    assert fired["lapse"] == 1
    session.expire_all()
    assert session.get(Enrollment, late.enrollment.id).state == "lapsed"  # type: ignore[union-attr]
    assert session.get(Enrollment, early.enrollment.id).state == "applied"  # type: ignore[union-attr]
    assert session.exec(select(Program).where(Program.pathway == "apprentice")).first() is not None


def test_a_date_of_the_pathways_own_is_recorded_on_the_facts_page_without_a_column(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "apprentice")
    assert "apprentice_observed_on" not in Enrollment.__table__.columns  # type: ignore[attr-defined]
    observed = driver.enrollment.enrolled_on + timedelta(days=5)
    response = record(app, driver, Role.SITE_ADMINISTRATOR, "apprentice_observed_on", observed.isoformat())
    assert response.status_code == 302
    assert driver.refresh().facts == {"apprentice_observed_on": observed.isoformat()}
    assert driver.facts().date_of("apprentice_observed_on") == observed
    client = signed_in(app, driver.person(Role.SITE_ADMINISTRATOR).email)
    page = client.get(f"/enrollments/{driver.enrollment.id}/facts").get_data(as_text=True)
    assert "Observed in class on" in page
    # Bad input is refused and changes nothing, as for any recorded date.
    assert record(app, driver, Role.SITE_ADMINISTRATOR, "apprentice_observed_on", "not a date").status_code == 400
    assert driver.refresh().facts == {"apprentice_observed_on": observed.isoformat()}
