"""The approver's one queue: counts that agree everywhere, urgency order, decisions inline with
post/redirect/get, the document preview, and the notices that bring approvers to it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.jobs.outbox import run_message
from app.models import DeliveryStatus, Evidence, LogEntry, OutboxMessage, SentNotification, SignOffTask
from app.services.evidence import filing
from app.services.evidence import logs as logs_service
from app.services.notifications import emails
from app.services.signoffs import worklist
from tests.app.notify_factories import folder_mail
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from tests.conftest import Auth, csrf_token
from tests.today import TODAY
from workflows.facts import EvidenceKind
from workflows.roles import Role


def _counts(page: str) -> dict[str, int]:
    """Every count the page shows: the navigation badge, the heading and each tab."""
    found = {name: int(value) for name, value in re.findall(r'data-count="(\w+)"[^>]*>(\d+)<', page)}
    badge = re.search(r'aria-label="(\d+) open"', page)
    found["badge"] = int(badge.group(1)) if badge else 0
    return found


def _mentor_with_work(app: Flask, session: Session) -> tuple[PathwayDriver, object, LogEntry, Evidence]:
    """An induction candidate whose mentor has a log to sign and the ILP to verify."""
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    driver.walker().assign(Role.MENTOR)
    session.commit()
    mentor = driver.person(Role.MENTOR)
    with app.app_context():
        entry = logs_service.add(session, driver.refresh(), driver.candidate, kind="mentoring",
                                 occurred_on=TODAY - timedelta(days=2), hours=1.5, notes="Lesson planning",
                                 signer=mentor, today=TODAY)
        document = filing.submit(session, driver.refresh(), "ilp", "ilp.pdf", pdf_bytes("ilp"), driver.candidate)
        session.commit()
    return driver, mentor, entry, document


def test_counts_agree_and_the_default_view_shows_the_work(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    Auth(client).sign_in(director.email)
    page = client.get("/inbox").get_data(as_text=True)
    counts = _counts(page)
    # The badge, the heading and "Everything" say the same, and equal the kinds' tabs added up.
    assert counts["badge"] == counts["heading"] == counts["all"] >= 1
    assert counts["all"] == counts["signoffs"] + counts["logs"] + counts["documents"]
    # The default tab lists the unclaimed sign-off (no "Nothing here" while work waits elsewhere).
    assert "Admitted sign-off (program director)" in page and "Nothing of this kind" not in page
    assert "<details" in page and "Filter" in page  # the filters fold away
    # Claiming moves nothing between counts: the same work, now "Claimed by you".
    path = f"/inbox/tasks/{task.id}"
    assert client.post(path + "/claim", data={"csrf_token": csrf_token(client, path)}).status_code == 302
    after = client.get("/inbox").get_data(as_text=True)
    assert _counts(after) == counts and "Claimed by you" in after
    assert "Admitted sign-off" in client.get("/inbox?claimed=mine").get_data(as_text=True)
    assert "Admitted sign-off" not in client.get("/inbox?claimed=unclaimed").get_data(as_text=True)
    assert client.get("/inbox?claimed=everyone").status_code == 400


def test_the_queue_puts_overdue_first_then_due_soon_then_the_rest(app: Flask, session: Session) -> None:
    today = date(2027, 3, 10)

    def item(n: int, due: date, kind: str = "signoff") -> worklist.Item:
        return worklist.Item(kind, n, 1, "pip", 1, "P", "C", due - timedelta(days=7), due, worklist._urgency(due, today))

    items = [item(1, today + timedelta(days=30)), item(2, today + timedelta(days=3), "log"),
             item(3, today - timedelta(days=1), "document"), item(4, today - timedelta(days=5))]
    ordered = sorted(items, key=worklist._order)
    assert [i.id for i in ordered] == [4, 3, 2, 1]
    assert [i.urgency for i in ordered] == ["overdue", "overdue", "soon", "later"]


def test_a_mentor_signs_a_log_and_verifies_a_document_from_the_queue(app: Flask, session: Session,
                                                                      client: FlaskClient) -> None:
    driver, mentor, entry, document = _mentor_with_work(app, session)
    Auth(client).sign_in(mentor.email)  # type: ignore[attr-defined]
    page = client.get("/inbox").get_data(as_text=True)
    before = _counts(page)
    assert before["logs"] == 1 and before["documents"] == 1
    name = driver.candidate.name
    assert f"Sign {name}’s mentoring log" in page and f"Verify {name}’s" in page
    assert "SHA-256" not in page and "awaiting verification by your" not in page
    # The PDF's first page, drawn on the server (phones draw no PDF in a page), sits beside the decision
    # and leads to the preview page; both through routes that keep the access rules.
    preview = f"/inbox/enrollments/{driver.enrollment.id}/evidence/{document.id}/preview"
    assert f'<a href="{preview}" class="preview-page"><img src="{preview}/1.png"' in page
    assert "<iframe" not in page
    shown = client.get(preview)
    # The test's placeholder bytes are no real PDF: the page says so plainly and offers the file.
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    assert "damaged or unreadable" in shown.get_data(as_text=True)
    assert "Open the whole document" in shown.get_data(as_text=True)
    assert client.get(f"{preview}/1.png").status_code == 404
    # Pages are never framed.
    assert "frame-ancestors 'none'" in client.get("/inbox").headers["Content-Security-Policy"]

    token = csrf_token(client, "/inbox")
    signed = client.post(f"/inbox/enrollments/{driver.enrollment.id}/logs/{entry.id}/sign",
                         data={"csrf_token": token, "tab": "all", "page": "1"})
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/inbox#queue")  # post/redirect/get
    assert session.get(LogEntry, entry.id, populate_existing=True).signed_at is not None  # type: ignore[union-attr]
    again = client.post(f"/inbox/enrollments/{driver.enrollment.id}/logs/{entry.id}/sign", data={"csrf_token": token})
    assert again.status_code == 400  # already signed: said plainly, nothing changes

    refused = client.post(f"/inbox/enrollments/{driver.enrollment.id}/evidence/{document.id}/decision",
                          data={"csrf_token": token, "decision": "send_back", "reason": " "})
    assert refused.status_code == 400
    assert session.get(Evidence, document.id, populate_existing=True).status == "submitted"  # type: ignore[union-attr]
    verified = client.post(f"/inbox/enrollments/{driver.enrollment.id}/evidence/{document.id}/decision",
                           data={"csrf_token": token, "decision": "verify", "tab": "documents"})
    assert verified.status_code == 302 and "tab=documents" in verified.headers["Location"]
    assert session.get(Evidence, document.id, populate_existing=True).status == "verified"  # type: ignore[union-attr]
    after = client.get("/inbox").get_data(as_text=True)
    assert _counts(after)["all"] == before["all"] - 2 and f"Verified {name}’s" in after


def test_another_teams_mentor_can_neither_preview_nor_decide(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, _, entry, document = _mentor_with_work(app, session)
    other = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    other.walker().assign(Role.MENTOR)
    session.commit()
    Auth(client).sign_in(other.person(Role.MENTOR).email)
    token = csrf_token(client, "/inbox")
    base = f"/inbox/enrollments/{driver.enrollment.id}"
    assert client.get(f"{base}/evidence/{document.id}/preview").status_code == 404
    assert client.get(f"{base}/evidence/{document.id}/preview/1.png").status_code == 404
    assert client.post(f"{base}/evidence/{document.id}/decision",
                       data={"csrf_token": token, "decision": "verify"}).status_code == 404
    assert client.post(f"{base}/logs/{entry.id}/sign", data={"csrf_token": token}).status_code == 404
    assert session.get(Evidence, document.id, populate_existing=True).status == "submitted"  # type: ignore[union-attr]


def test_approving_and_sending_back_inline_return_to_the_queue(app: Flask, session: Session,
                                                               client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    token = csrf_token(client, "/inbox")
    response = client.post(f"/inbox/tasks/{task.id}/approve", data={"csrf_token": token, "from": "queue"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox#queue")
    assert session.get(SignOffTask, task.id, populate_existing=True).status == "approved"  # type: ignore[union-attr]


def test_the_task_page_offers_verify_where_the_analyst_would_have_read_awaiting_verification(
        app: Flask, session: Session, client: FlaskClient) -> None:
    from tests.app.signoffs.test_tasks import BEFORE, ask, satisfy_all_but_signoffs

    driver = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        driver.advance(event, role)
    satisfy_all_but_signoffs(driver, "establish_plan")
    task = next(t for t in ask(driver, "establish_plan", Role.CANDIDATE) if t.role == "site_administrator")
    with app.app_context():  # a new version of the plan waits for verification by the site administrator
        filing.submit(session, driver.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("v2"), driver.candidate)
        session.commit()
    Auth(client).sign_in(driver.person(Role.SITE_ADMINISTRATOR).email)
    page = client.get(f"/inbox/tasks/{task.id}")
    text = page.get_data(as_text=True)
    assert "awaiting verification by your" not in text and "SHA-256" not in text.split("Audit details")[0]
    assert 'name="decision" value="verify"' in text and "is waiting to be verified by the site administrator" in text
    token = csrf_token(client, f"/inbox/tasks/{task.id}")
    newest = session.exec(select(Evidence).where(Evidence.enrollment_id == driver.enrollment.id,
                                                 Evidence.kind == "personalized_plan",
                                                 Evidence.superseded_at.is_(None))).one()  # type: ignore[union-attr]
    back = client.post(f"/inbox/enrollments/{driver.enrollment.id}/evidence/{newest.id}/decision",
                       data={"csrf_token": token, "decision": "verify", "task_id": str(task.id)})
    assert back.status_code == 302 and f"/inbox/tasks/{task.id}" in back.headers["Location"]
    assert "Why it cannot be signed yet" not in client.get(f"/inbox/tasks/{task.id}").get_data(as_text=True)


def test_a_log_and_a_document_notify_who_acts_once_with_a_link_to_the_queue(app: Flask, session: Session) -> None:
    driver, mentor, entry, document = _mentor_with_work(app, session)
    emails.set_delivery(session, mentor, emails.EACH)  # type: ignore[arg-type]  # the log waits for the digest by default
    session.commit()
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.job.in_(  # type: ignore[attr-defined]
        ["email.log_to_sign", "email.document_to_verify"]))).all()
    keys = sorted(m.dedupe_key for m in messages)
    assert keys == sorted([f"log-to-sign-{entry.id}", f"document-to-verify-{document.id}-{mentor.id}"])  # type: ignore[attr-defined]
    with app.app_context():
        for message in messages:
            assert run_message(message.id) == "sent"  # type: ignore[arg-type]
            assert run_message(message.id) == "already completed"  # type: ignore[arg-type]
    sent = folder_mail(app)
    name = driver.candidate.name
    when = f"{entry.occurred_on.day} {entry.occurred_on:%B %Y}"
    assert sorted(m["Subject"] for m in sent) == sorted([
        f"Please sign {name}’s mentoring log of {when}",
        f"{name} shared their {EvidenceKind.ILP.label} for your review"])
    bodies = " ".join(m.get_body(preferencelist=("plain",)).get_content() for m in sent)  # type: ignore[union-attr]
    assert "/inbox?tab=logs" in bodies and "/inbox?tab=documents" in bodies
    assert all(m["To"] == mentor.email for m in sent)  # type: ignore[attr-defined]


def test_a_document_decided_before_the_notice_runs_sends_nothing(app: Flask, session: Session) -> None:
    _, mentor, _, document = _mentor_with_work(app, session)
    with app.app_context():
        filing.decide(session, session.get(Evidence, document.id), mentor, verified=True)  # type: ignore[arg-type]
        session.commit()
        message = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.document_to_verify")).one()
        assert run_message(message.id) == "completed"  # type: ignore[arg-type]
    assert not [m for m in folder_mail(app) if "review" in m["Subject"] or "verify" in m["Subject"]]


def test_the_notices_respect_the_daily_digest(app: Flask, session: Session) -> None:
    _, mentor, entry, _ = _mentor_with_work(app, session)
    emails.set_daily_digest(session, mentor, True)  # type: ignore[arg-type]
    session.commit()
    message = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"log-to-sign-{entry.id}")).one()
    with app.app_context():
        assert run_message(message.id) == DeliveryStatus.DIGESTED.value  # type: ignore[arg-type]
    record = session.exec(select(SentNotification).where(SentNotification.dedupe_key == message.dedupe_key)).one()
    assert record.status == DeliveryStatus.DIGESTED.value and folder_mail(app) == []


def test_the_panel_page_links_to_the_candidates_plans_and_evidence(app: Flask, session: Session,
                                                                   client: FlaskClient) -> None:
    from app.services.evidence import documents as documents_service
    from tests.app.signoffs.test_panels import at_exit_interview, convene

    driver, members = at_exit_interview(app, session)
    panel = convene(driver, members, 2)
    session.commit()
    Auth(client).sign_in(members[0].email)
    page = client.get(f"/inbox/panels/{panel.id}").get_data(as_text=True)
    assert f"{driver.candidate.name}’s plans and evidence" in page
    assert f"/enrollments/{driver.enrollment.id}/plans/iip1" in page  # the panel reads CASC plans
    live = documents_service.current(session, driver.enrollment)
    assert live and all(f"/enrollments/{driver.enrollment.id}/evidence/{row.id}" in page for row in live.values())
    # Each link opens for the panel member: the policy that listed it lets them read it.
    assert client.get(f"/enrollments/{driver.enrollment.id}/plans/iip1").status_code == 200
    row = next(iter(live.values()))
    assert client.get(f"/enrollments/{driver.enrollment.id}/evidence/{row.id}").status_code == 200
