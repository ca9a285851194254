"""Time moves the machine: the app clock can be moved at runtime (testing/debug only), the daily
sweep fires the automatic events once, audited and told, and person-fired steps refuse after the
deadline that ends them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session, select

from app import clock, create_app
from app.models import AuditEvent, Enrollment, Membership, OutboxMessage, SignOffTask
from app.services import Blocked
from app.services.enrollments import deadline_events, recorded_facts
from app.services.notifications.reminders import daily_sweep
from app.services.signoffs.queueing import ask_for_step
from tests import today as suite_clock
from tests.app import notify_factories as f
from tests.conftest import Auth, csrf_token, make_user
from workflows.facts import Flag
from workflows.roles import Role
from workflows.settings import ProgramSettings

ROOT = Path(__file__).resolve().parents[3]
WINDOW = ProgramSettings().casc_enrolment_window_days


def today(app: Flask) -> date:
    with app.app_context():
        return clock.today()


def advance(app: Flask, days: int) -> None:
    with app.app_context():
        clock.advance(days=days)


def sweep(app: Flask, session: Session) -> dict[str, int]:
    with app.app_context():
        return daily_sweep(session)


def ask(app: Flask, session: Session, enrollment: Enrollment, step: str, actor: Any) -> Blocked:
    with app.app_context(), pytest.raises(Blocked) as blocked:
        ask_for_step(session, enrollment.id, step, actor)  # type: ignore[arg-type]
    session.rollback()
    return blocked.value


def day(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def reload(session: Session, enrollment: Enrollment) -> Enrollment:
    session.expire_all()
    found = session.get(Enrollment, enrollment.id)
    assert found is not None
    return found


def pip_plan_established(app: Flask, session: Session, expires_on: date) -> tuple[Enrollment, Any, Any, Any]:
    candidate, mentor, director = f.person(session, "Ana Ruiz"), f.person(session, "Mo Mentor"), f.person(session, "Dee Rector")
    program = f.program(session, "pip")
    enrollment = f.enrolment(app, session, candidate, program, expires_on - timedelta(days=300),
                             state="plan_established", permit_issued_on=expires_on - timedelta(days=365),
                             permit_expires_on=expires_on)
    f.role(session, mentor, Role.MENTOR.value, enrollment_id=enrollment.id)
    f.role(session, director, Role.PROGRAM_DIRECTOR.value, program_id=program.id)
    return enrollment, candidate, mentor, director


# --- The daily sweep ----------------------------------------------------------------------------


def test_after_the_pip_expiry_the_sweep_closes_the_enrolment_once_audited_and_tells_candidate_and_team(
        app: Flask, session: Session) -> None:
    expires_on = today(app) + timedelta(days=10)
    enrollment, candidate, mentor, director = pip_plan_established(app, session, expires_on)

    assert "fired.expire_permit" not in sweep(app, session)
    assert reload(session, enrollment).state == "plan_established"

    advance(app, 10)  # the expiry date itself: the permit is no longer valid
    assert sweep(app, session)["fired.expire_permit"] == 1
    closed = reload(session, enrollment)
    assert closed.state == "pip_expired_not_ready"
    audit = session.exec(select(AuditEvent).where(AuditEvent.enrollment_id == enrollment.id,
                                                  AuditEvent.event == "expire_permit")).one()
    assert audit.actor_id is None and audit.from_state == "plan_established"
    assert audit.reason is not None and day(expires_on) in audit.reason
    assert audit.occurred_at.date() >= expires_on - timedelta(days=1)  # stamped on the moved clock
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.deadline_passed")).all()
    assert sorted(m.payload["recipient_id"] for m in notices) == sorted([candidate.id, mentor.id, director.id])
    closing = [m for m in f.folder_mail(app) if "record closed" in m["Subject"]]
    mail = {m["To"]: m["Subject"] for m in closing}
    assert len(closing) == 3 and mail == {candidate.email: "Your record closed: PIP expired before intern-ready",
                    mentor.email: "Ana Ruiz’s record closed: PIP expired before intern-ready",
                    director.email: "Ana Ruiz’s record closed: PIP expired before intern-ready"}
    body = next(m for m in closing if m["To"] == candidate.email).get_body(("plain",)).get_content()
    assert "cannot be renewed" in body and f"{expires_on.day} {expires_on:%B} {expires_on.year}" in body

    assert "fired.expire_permit" not in sweep(app, session)  # a second sweep does nothing
    assert len(session.exec(select(AuditEvent).where(AuditEvent.event == "expire_permit")).all()) == 1
    assert len([m for m in f.folder_mail(app) if "record closed" in m["Subject"]]) == 3
    assert not any("moved on" in m["Subject"] for m in f.folder_mail(app))  # no generic step email as well


def test_a_pip_already_intern_ready_is_not_expired_by_the_sweep(app: Flask, session: Session) -> None:
    expires_on = today(app) - timedelta(days=1)
    enrollment, *_ = pip_plan_established(app, session, expires_on)
    enrollment.state = "intern_ready"
    session.add(enrollment)
    session.commit()
    assert "fired.expire_permit" not in sweep(app, session)
    assert reload(session, enrollment).state == "intern_ready"


def test_the_ready_step_is_refused_after_the_permit_expired_and_queues_no_sign_offs(
        app: Flask, session: Session) -> None:
    enrollment, candidate, *_ = pip_plan_established(app, session, today(app) + timedelta(days=1))
    before = ask(app, session, enrollment, "declare_intern_ready", candidate)
    assert not any("expired" in reason for reason in before.reasons)
    assert before.awaits_signoffs  # before expiry, the step waits on sign-offs people are asked for
    queued = len(session.exec(select(SignOffTask)).all())

    advance(app, 1)
    after = ask(app, session, enrollment, "declare_intern_ready", candidate)
    expiry = today(app)
    assert after.reasons[0] == (f"Your PIP expired on {day(expiry)} and cannot be renewed, so this step can "
                                "no longer be taken on it. If the expiry date is wrong, your credential "
                                "analyst corrects it.")
    assert not after.awaits_signoffs  # nobody is asked to sign for a step that can no longer happen
    assert len(session.exec(select(SignOffTask)).all()) == queued
    assert reload(session, enrollment).state == "plan_established"


def casc_admin_employed(app: Flask, session: Session, started: date, **extra: Any) -> tuple[Enrollment, Any]:
    candidate, director = f.person(session, "Cy Casc"), f.person(session, "Dee Rector")
    program = f.program(session, "casc")
    enrollment = f.enrolment(app, session, candidate, program, started, state="admin_employed",
                             admin_position_started_on=started, **extra)
    f.role(session, director, Role.PROGRAM_DIRECTOR.value, program_id=program.id)
    return enrollment, director


def test_casc_admission_closes_with_its_window_and_the_sweep_records_it_missed(app: Flask, session: Session) -> None:
    started = today(app) - timedelta(days=WINDOW)  # today is the window's last day
    enrollment, director = casc_admin_employed(app, session, started)
    open_day = ask(app, session, enrollment, "admit", director)
    assert not any("window closed" in reason for reason in open_day.reasons)
    assert "fired.miss_enrolment_window" not in sweep(app, session)

    advance(app, 1)
    closed = ask(app, session, enrollment, "admit", director)
    assert closed.reasons[0] == (f"Your enrolment window closed on {day(started + timedelta(days=WINDOW))}, "
                                 "so you can no longer be admitted unless your program director records "
                                 "an extension.")
    assert sweep(app, session)["fired.miss_enrolment_window"] == 1
    assert reload(session, enrollment).state == "enrolment_window_missed"
    assert "fired.miss_enrolment_window" not in sweep(app, session)


def test_an_extended_casc_window_neither_closes_admission_nor_fires(app: Flask, session: Session) -> None:
    enrollment, director = casc_admin_employed(app, session, today(app) - timedelta(days=WINDOW + 30),
                                               flags=[Flag.ENROLMENT_WINDOW_EXTENSION.value])
    blocked = ask(app, session, enrollment, "admit", director)
    assert not any("window closed" in reason for reason in blocked.reasons)
    assert "fired.miss_enrolment_window" not in sweep(app, session)
    assert reload(session, enrollment).state == "admin_employed"


def test_the_directors_exception_reopens_an_enrolment_the_sweep_closed_for_the_window(app: Flask, session: Session) -> None:
    """A late CASC enrolment the first sweep closed: the director's exception to the window (with its
    reason) puts it back where the sweep took it from, audited, and says so; the sweep leaves it open."""
    enrollment, _ = casc_admin_employed(app, session, today(app) - timedelta(days=WINDOW + 30))
    director = make_user(session, "director-reopens@example.org", "Dee Rector")
    f.role(session, director, Role.PROGRAM_DIRECTOR.value, program_id=enrollment.program_id)
    assert sweep(app, session)["fired.miss_enrolment_window"] == 1
    assert reload(session, enrollment).state == "enrolment_window_missed"

    client = Auth(app.test_client())
    assert client.sign_in(director.email).status_code == 302
    page = f"/enrollments/{enrollment.id}/facts"
    response = client.client.post(f"{page}/{Flag.ENROLMENT_WINDOW_EXTENSION.value}", follow_redirects=True, data={
        "csrf_token": csrf_token(client.client, page), "value": "yes", "reason": "Hired mid-year; the board approved it."})
    assert response.status_code == 200
    assert "The enrolment is open again" in response.get_data(as_text=True)
    assert reload(session, enrollment).state == "admin_employed"
    reopened = session.exec(select(AuditEvent).where(AuditEvent.enrollment_id == enrollment.id,
                                                     AuditEvent.action == deadline_events.REOPENED)).one()
    assert (reopened.actor_id, reopened.from_state, reopened.to_state) == (
        director.id, "enrolment_window_missed", "admin_employed")
    assert reopened.reason == "Hired mid-year; the board approved it."
    assert session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"reopened-{reopened.id}")).one()
    assert "fired.miss_enrolment_window" not in sweep(app, session)
    assert reload(session, enrollment).state == "admin_employed"


def test_a_corrected_expiry_date_reopens_what_the_sweep_closed_on_the_wrong_one(app: Flask, session: Session) -> None:
    """The analyst finds the permit's real expiry is later: recording it puts the enrolment back where
    the sweep took it from, audited; a correction that still leaves it expired changes nothing."""
    expires_on = today(app)
    enrollment, *_ = pip_plan_established(app, session, expires_on)
    analyst = f.person(session, "Al Analyst")
    f.role(session, analyst, Role.CREDENTIAL_ANALYST.value, program_id=enrollment.program_id)
    assert sweep(app, session)["fired.expire_permit"] == 1
    with app.app_context():
        recorded_facts.record(session, enrollment.id, analyst, "permit_expires_on",  # type: ignore[arg-type]
                              (expires_on - timedelta(days=1)).isoformat())
        session.commit()
        assert reload(session, enrollment).state == "pip_expired_not_ready"
        recorded_facts.record(session, enrollment.id, analyst, "permit_expires_on",  # type: ignore[arg-type]
                              (expires_on + timedelta(days=60)).isoformat(), "The CTC extended it to match the program.")
        session.commit()
    assert reload(session, enrollment).state == "plan_established"
    [reopened] = session.exec(select(AuditEvent).where(AuditEvent.action == deadline_events.REOPENED)).all()
    assert (reopened.actor_id, reopened.to_state) == (analyst.id, "plan_established")


def test_induction_steps_end_with_the_preliminary_credential_and_the_sweep_records_the_expiry(
        app: Flask, session: Session) -> None:
    candidate, director = f.person(session, "Ina Duction"), f.person(session, "Dee Rector")
    program = f.program(session, "induction")
    expires_on = today(app) + timedelta(days=1)
    enrollment = f.enrolment(app, session, candidate, program, today(app) - timedelta(days=200), state="year1_active",
                             preliminary_issued_on=expires_on - timedelta(days=5 * 365),
                             preliminary_expires_on=expires_on)
    f.role(session, director, Role.PROGRAM_DIRECTOR.value, program_id=program.id)
    assert not any("expired" in r for r in ask(app, session, enrollment, "complete_year1", director).reasons)

    advance(app, 1)
    refused = ask(app, session, enrollment, "complete_year1", director)
    assert refused.reasons[0].startswith(f"Your preliminary credential expired on {day(expires_on)}, so induction "
                                         "steps can no longer be taken on it.")
    assert sweep(app, session)["fired.expire_preliminary"] == 1
    assert reload(session, enrollment).state == "preliminary_expired"
    subjects = sorted(m["Subject"] for m in f.folder_mail(app) if "record closed" in m["Subject"])
    assert subjects == ["Ina Duction’s record closed: Preliminary credential expired",
                        "Your record closed: Preliminary credential expired"]


def test_casc_steps_end_with_the_preliminary_asc(app: Flask, session: Session) -> None:
    started = today(app) - timedelta(days=100)
    enrollment, director = casc_admin_employed(app, session, started, pasc_issued_on=started - timedelta(days=5 * 365),
                                               pasc_expires_on=today(app))
    enrollment.state = "year1_active"
    session.add(enrollment)
    session.commit()
    refused = ask(app, session, enrollment, "complete_year1", director)
    assert refused.reasons[0].startswith(f"Your preliminary administrative services credential expired on "
                                         f"{day(today(app))}")
    assert sweep(app, session)["fired.expire_pasc"] == 1
    assert reload(session, enrollment).state == "pasc_expired"


def test_finding_what_is_due_takes_the_same_few_queries_for_three_enrolments_or_thirty(
        app: Flask, session: Session) -> None:
    def queries() -> int:
        count = 0

        def counted(*_: object) -> None:
            nonlocal count
            count += 1

        engine = app.extensions["db_engine"]
        event.listen(engine, "before_cursor_execute", counted)
        try:
            with app.app_context():
                deadline_events.due_now(session)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    program = f.program(session, "pip")

    def add(n: int) -> None:
        for i in range(n):
            f.enrolment(app, session, f.person(session), program, today(app) - timedelta(days=30), state="pip_active",
                        permit_issued_on=today(app) - timedelta(days=30 + i))

    add(3)
    few = queries()
    add(27)
    assert queries() == few


# --- The runtime clock ---------------------------------------------------------------------------


def test_flask_clock_moves_every_process_of_the_instance_and_resets(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    moved = runner.invoke(args=["clock", "advance", "--days", "40"])
    assert moved.exit_code == 0, moved.output
    # Another process of the same instance (a web worker, the RQ worker) reads the same file.
    # Every process of an instance has the same settings, the suite's day (tests/today.py) included.
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": app.config["DATABASE_URL"],
                        "CLOCK_FILE": app.config["CLOCK_FILE"],
                        "CLOCK_OFFSET_SECONDS": app.config["CLOCK_OFFSET_SECONDS"]})
    assert clock.now_for(other) - suite_clock.now() > timedelta(days=39, hours=23)
    # The test's own app runs on the suite's day (tests/today.py), 40 days on.
    expected = (suite_clock.now() + timedelta(days=40)).astimezone(suite_clock.ZONE).date()
    assert str(expected) in moved.output

    assert runner.invoke(args=["clock", "set", "2031-02-03"]).exit_code == 0
    with other.app_context():
        assert clock.today() == date(2031, 2, 3)
    assert runner.invoke(args=["clock", "reset"]).exit_code == 0
    assert abs(clock.now_for(other) - suite_clock.now()) < timedelta(minutes=1)
    bad = runner.invoke(args=["clock", "set", "next tuesday"])
    assert bad.exit_code != 0 and "is not an ISO 8601 date" in bad.output
    other.extensions["db_engine"].dispose()


def test_production_refuses_to_move_the_clock_and_ignores_a_clock_file(
        app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    clock_file = tmp_path / "prod-clock.json"
    clock_file.write_text('{"offset_seconds": 8640000}')  # left behind by a debug run: 100 days
    production = create_app({"SECRET_KEY": "p" * 32, "DATABASE_URL": app.config["DATABASE_URL"],
                             "CLOCK_FILE": str(clock_file), "MAIL_FOLDER": str(tmp_path / "mail")})
    assert not production.testing and not production.debug
    with production.app_context():
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
        with pytest.raises(clock.ClockNotMovable, match="only when testing or with FLASK_DEBUG=1"):
            clock.advance(days=1)
    refused = production.test_cli_runner().invoke(args=["clock", "advance", "--days", "1"])
    assert refused.exit_code != 0 and "only when testing" in refused.output
    assert clock_file.read_text() == '{"offset_seconds": 8640000}'
    admin = make_user(session, "root@example.org", "Root")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    client = production.test_client()
    Auth(client).sign_in("root@example.org")
    assert client.get("/admin/clock").status_code == 404
    production.extensions["db_engine"].dispose()


def signed_in_admin(session: Session, auth: Auth) -> None:
    admin = make_user(session, "root@example.org", "Root")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    auth.sign_in("root@example.org")


def shown_date(client: FlaskClient) -> str:
    page = client.get("/admin/clock").get_data(as_text=True)
    found = re.search(r'data-testid="app-today">([^<]+)<', page)
    assert found, page
    return found.group(1)


def test_the_clock_page_shows_and_moves_the_date_for_a_service_administrator(
        app: Flask, session: Session, client: FlaskClient, auth: Auth) -> None:
    signed_in_admin(session, auth)
    start = today(app)
    assert shown_date(client) == f"{start:%A} {start.day} {start:%B %Y}"
    moved = client.post("/admin/clock", data={"action": "advance", "days": "30",
                                              "csrf_token": csrf_token(client, "/admin/clock")})
    assert moved.status_code == 302
    later = start + timedelta(days=30)
    assert shown_date(client) == f"{later:%A} {later.day} {later:%B %Y}"
    assert client.post("/admin/clock", data={"action": "set", "moment": "2030-06-01",
                                             "csrf_token": csrf_token(client, "/admin/clock")}).status_code == 302
    assert shown_date(client) == "Saturday 1 June 2030"
    client.post("/admin/clock", data={"action": "reset", "csrf_token": csrf_token(client, "/admin/clock")})
    assert shown_date(client) == f"{start:%A} {start.day} {start:%B %Y}"


def test_the_clock_page_refuses_bad_input_and_everyone_but_service_administrators(
        app: Flask, session: Session, client: FlaskClient, auth: Auth) -> None:
    make_user(session, "ana@example.org")
    auth.sign_in("ana@example.org")
    assert client.get("/admin/clock").status_code == 403
    assert client.post("/admin/clock", data={"action": "advance", "days": "3",
                                             "csrf_token": csrf_token(client, "/")}).status_code == 403
    auth.sign_out()
    signed_in_admin(session, auth)
    for data, message in (({"action": "advance", "days": "soon"}, "is not a number of days"),
                          ({"action": "advance", "days": "99999"}, "between -3660 and 3660"),
                          ({"action": "set", "moment": "31/12/2030"}, "is not a date"),
                          ({"action": "stop"}, "Choose to advance, set or reset")):
        answer = client.post("/admin/clock", data={**data, "csrf_token": csrf_token(client, "/admin/clock")})
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert client.post("/admin/clock", data={"action": "advance", "days": "3"}).status_code == 400  # no CSRF token
    assert not Path(app.config["CLOCK_FILE"]).exists()


def test_app_code_reads_the_time_only_through_the_clock() -> None:
    """datetime.now(), date.today() and time.time() appear in app/ only in the clock itself."""
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")
    # The worker's scheduler locks and the API's rate-limit windows run on the real clock, like Redis.
    exempt = {ROOT / "app" / "clock.py", ROOT / "app" / "jobs" / "worker.py", ROOT / "app" / "api" / "blueprint.py"}
    found = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "app").rglob("*.py") if path not in exempt
             for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == []
