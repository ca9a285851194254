"""Jobs without Redis: each email goes out once, crash leftovers are handled, digests, the jobs page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import outbox
from app.jobs.outbox import run_message
from app.models import (
    DeliveryStatus,
    DigestItem,
    Enrollment,
    Membership,
    OutboxMessage,
    SentNotification,
    SignOffTask,
    utcnow,
)
from app.services.notifications import emails, reminders
from tests.app import notify_factories as f
from tests.app.mail_server import text_part
from tests.conftest import Auth, csrf_token, make_user
from tests.today import TODAY
from workflows.roles import Role


def pending(app: Flask, session: Session, job: str, key: str, **payload: Any) -> int:
    """An outbox message written and committed but not run yet (as if the process died at commit)."""
    message = outbox.add(session, job, key, **payload)
    session.commit()
    session.info.pop("outbox_pending", None)
    return message.id  # type: ignore[return-value]


def run(app: Flask, message_id: int) -> str:
    with app.app_context():
        return run_message(message_id)


def record(session: Session, key: str) -> SentNotification:
    session.expire_all()
    return session.exec(select(SentNotification).where(SentNotification.dedupe_key == key)).one()


def test_a_notification_is_sent_once_even_if_its_job_runs_twice(app: Flask, session: Session) -> None:
    user = f.person(session)
    message_id = pending(app, session, "email.password_reset", "reset-1", user_id=user.id)
    assert run(app, message_id) == "sent"
    # The job runs again as if its completion had been lost (e.g. a retry racing the commit).
    message = session.get(OutboxMessage, message_id)
    message.completed_at = None  # type: ignore[union-attr]
    session.commit()
    assert run(app, message_id) == "sent"
    assert len(f.folder_mail(app)) == 1
    assert record(session, "reset-1").attempts == 1


def test_a_send_that_died_before_transmitting_is_sent_again_with_the_same_message_id(app: Flask, session: Session) -> None:
    user = f.person(session)
    message_id = pending(app, session, "email.password_reset", "reset-2", user_id=user.id)
    session.add(SentNotification(dedupe_key="reset-2", kind="email.password_reset", recipient_email=user.email,
                                 subject="Reset", message_id="<first-try@credential-tracker>",
                                 status=DeliveryStatus.CLAIMED.value, attempts=1))
    session.commit()
    assert run(app, message_id) == "sent"
    [mail] = f.folder_mail(app)
    assert mail["Message-ID"] == "<first-try@credential-tracker>"
    assert record(session, "reset-2").status == DeliveryStatus.SENT
    assert record(session, "reset-2").attempts == 2


def test_a_send_that_died_while_transmitting_is_not_repeated_but_an_administrator_can_resend_it(
        app: Flask, session: Session, client: FlaskClient, auth: Auth) -> None:
    user = f.person(session)
    message_id = pending(app, session, "email.password_reset", "reset-3", user_id=user.id)
    session.add(SentNotification(dedupe_key="reset-3", outbox_message_id=message_id, kind="email.password_reset",
                                 recipient_email=user.email, subject="Reset your password",
                                 message_id="<maybe@credential-tracker>", status=DeliveryStatus.TRANSMITTING.value,
                                 transmit_started_at=utcnow(), attempts=1))
    session.commit()

    assert run(app, message_id) == "uncertain"
    assert f.folder_mail(app) == []
    assert record(session, "reset-3").status == DeliveryStatus.UNCERTAIN
    assert session.get(OutboxMessage, message_id).completed_at is not None  # type: ignore[union-attr]
    assert run(app, message_id) == "already completed"

    admin = make_user(session, "root@example.org", "Root")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    auth.sign_in("root@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Emails that may not have arrived (1)" in page and user.email in page
    notification_id = record(session, "reset-3").id
    token = csrf_token(client, "/admin/jobs")
    assert client.post(f"/admin/notifications/{notification_id}/resend").status_code == 400  # no CSRF token
    response = client.post(f"/admin/notifications/{notification_id}/resend", data={"csrf_token": token})
    assert response.status_code == 302
    [mail] = f.folder_mail(app)
    assert mail["Message-ID"] == "<maybe@credential-tracker>"
    assert record(session, "reset-3").status == DeliveryStatus.SENT
    again = client.post(f"/admin/notifications/{notification_id}/resend", data={"csrf_token": token})
    assert again.status_code == 409 and "uncertain" in again.get_data(as_text=True)


def open_task(session: Session, enrollment: Enrollment, signoff: str) -> SignOffTask:
    """A program director's open sign-off task on the enrolment."""
    task = SignOffTask(enrollment_id=enrollment.id, key=signoff, role="program_director", event="admit")
    session.add(task)
    session.flush()
    return task


def test_task_emails_wait_for_the_daily_digest_when_the_person_chose_it(app: Flask, session: Session) -> None:
    candidate, director = f.person(session, "Ana Ruiz"), f.person(session, "Dee Rector")
    enrollment = f.enrolment(app, session, candidate, f.program(session, "casc"), TODAY)
    emails.set_daily_digest(session, director, True)
    session.commit()
    with app.app_context():
        for signoff in ("admitted", "iip1_approved"):
            task = open_task(session, enrollment, signoff)
            outbox.add(session, "email.task_queued", f"task-{signoff}", task_id=task.id, assignee_id=director.id)
        outbox.commit(session)
    assert f.folder_mail(app) == []
    assert len(session.exec(select(DigestItem)).all()) == 2

    with app.app_context():
        assert reminders.queue_digests(session) == 1
        assert reminders.queue_digests(session) == 0  # items are marked once the digest went out
    [digest] = f.folder_mail(app)
    assert digest["To"] == director.email and "2 updates" in digest["Subject"]
    body = text_part(digest)
    assert "Admitted sign-off" in body and "IIP 1 approved sign-off" in body
    assert "/inbox/tasks/" in body  # each item links to the task it is about


def test_without_the_digest_option_each_task_is_its_own_email(app: Flask, session: Session) -> None:
    candidate, director = f.person(session, "Ana Ruiz"), f.person(session, "Dee Rector")
    enrollment = f.enrolment(app, session, candidate, f.program(session, "casc"), TODAY)
    with app.app_context():
        task = open_task(session, enrollment, "admitted")
        outbox.add(session, "email.task_queued", "task-x", task_id=task.id, assignee_id=director.id)
        outbox.commit(session)
    [mail] = f.folder_mail(app)
    assert mail["Subject"] == "Action needed: Admitted sign-off (program director) for Ana Ruiz"


def test_a_sent_back_document_emails_the_reason_and_links_to_the_enrolment(app: Flask, session: Session) -> None:
    candidate, analyst = f.person(session, "Ana Ruiz"), f.person(session, "Al Analyst")
    enrollment = f.enrolment(app, session, candidate, f.program(session, "pip"), TODAY)
    document = f.evidence(session, enrollment, candidate, status="sent_back", decided_by_id=analyst.id,
                          decided_at=utcnow(), decision_reason="Page 2 is missing")
    with app.app_context():
        outbox.add(session, "email.evidence_decided", f"evidence-decided-{document.id}", evidence_id=document.id)
        outbox.commit(session)
    [mail] = f.folder_mail(app)
    assert mail["Subject"] == "Sent back: official transcripts"
    body = text_part(mail)
    assert "Page 2 is missing" in body and f"http://localhost/enrollments/{enrollment.id}" in body


def test_a_stale_message_sends_nothing(app: Flask, session: Session) -> None:
    candidate = f.person(session)
    enrollment = f.enrolment(app, session, candidate, f.program(session, "pip"), TODAY)
    document = f.evidence(session, enrollment, candidate, status="sent_back", decided_by_id=candidate.id,
                          decided_at=utcnow(), decision_reason="x", superseded_at=utcnow())
    with app.app_context():
        outbox.add(session, "email.evidence_decided", "stale", evidence_id=document.id)
        outbox.add(session, "email.password_reset", "gone", user_id=999999)
        outbox.commit(session)
    assert f.folder_mail(app) == []
    assert all(m.completed_at for m in session.exec(select(OutboxMessage)).all())


def test_the_jobs_page_is_for_service_administrators_only(app: Flask, session: Session, client: FlaskClient,
                                                          auth: Auth) -> None:
    assert client.get("/admin/jobs").status_code == 302  # to sign-in
    make_user(session, "ana@example.org")
    auth.sign_in("ana@example.org")
    refused = client.get("/admin/jobs")
    assert refused.status_code == 403
    assert "Only service administrators" in refused.get_data(as_text=True)
    assert client.post("/admin/jobs/outbox-1/requeue",
                       data={"csrf_token": csrf_token(client, "/")}).status_code == 403


def test_the_jobs_page_lists_failed_messages_and_retries_them(app: Flask, session: Session, client: FlaskClient,
                                                              auth: Auth) -> None:
    admin = make_user(session, "root@example.org", "Root")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    message_id = pending(app, session, "email.no_such_message", "broken")
    with pytest.raises(LookupError):
        run(app, message_id)
    auth.sign_in("root@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Jobs run in-process" in page and "no outbox handler named" in page
    token = csrf_token(client, "/admin/jobs")
    assert client.post("/admin/jobs/not a job!/requeue", data={"csrf_token": token}).status_code == 400
    without_redis = client.post("/admin/jobs/outbox-1/requeue", data={"csrf_token": token})
    assert without_redis.status_code == 404 and "REDIS_URL is not set" in without_redis.get_data(as_text=True)
    assert client.post("/admin/outbox/424242/retry", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "not queued" in response.get_data(as_text=True)  # still broken


def test_the_periodic_relay_job_runs_messages_left_behind(app: Flask, session: Session) -> None:
    from datetime import timedelta

    from app.jobs.outbox import relay_pending

    user = f.person(session)
    message_id = pending(app, session, "email.password_reset", "left-behind", user_id=user.id)
    message = session.get(OutboxMessage, message_id)
    message.created_at = utcnow() - timedelta(minutes=5)  # type: ignore[union-attr]
    session.commit()
    with app.app_context():
        assert relay_pending() == 1
        assert relay_pending() == 0
    assert len(f.folder_mail(app)) == 1


def test_the_cron_config_registers_the_periodic_jobs() -> None:
    import rq.cron

    import app.jobs.cron as config

    names = {entry["func"].__name__: entry for entry in rq.cron._job_data_registry}
    assert set(names) >= {"relay_pending", "run_reminders", "send_digests"}
    assert names["relay_pending"]["interval"] == 60
    assert rq.cron.Queue is config.JSONQueue


def test_every_handler_name_is_registered() -> None:
    from app.services.notifications import registry

    assert set(registry.names()) >= {
        "email.password_reset", "email.step_advanced", "email.evidence_decided", "email.signoff_given",
        "email.deadline_reminder", "email.deadline_escalation", "email.log_nudge", "email.recommendation_steps",
        "email.digest", "email.invitation", "email.task_queued", "email.task_decided", "email.task_sent_back",
        "email.task_overdue", "email.panel_decided", "recommendation.packet"}
