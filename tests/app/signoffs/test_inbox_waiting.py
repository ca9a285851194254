"""Beside sign-off tasks, the inbox lists the log entries naming the person and the documents
their role verifies; each leaves the list once done, and nobody sees another team's work."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session

from app.services.evidence import documents as documents_service
from app.services.evidence import filing
from app.services.evidence import logs as logs_service
from app.services.signoffs import worklist
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import signed_in
from tests.today import TODAY
from workflows.roles import Role


def _waiting(session: Session, person, kind: str) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids of the logs or documents waiting in the person's queue."""
    return [item.id for item in worklist.build(session, person, TODAY).items if item.kind == kind]


def test_a_log_naming_the_mentor_waits_in_their_inbox_until_signed(app: Flask, session: Session) -> None:
    induction = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    other = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    for driver in (induction, other):
        driver.walker().assign(Role.MENTOR)
    session.commit()
    mentor = induction.person(Role.MENTOR)
    with app.app_context():
        entry = logs_service.add(session, induction.refresh(), induction.candidate, kind="mentoring",
                                 occurred_on=TODAY - timedelta(days=2), hours=1.5, notes="Lesson planning",
                                 signer=mentor, today=TODAY)
        session.commit()
    assert _waiting(session, mentor, "log") == [entry.id]
    assert _waiting(session, other.person(Role.MENTOR), "log") == []

    page = signed_in(app, mentor.email).get("/inbox").get_data(as_text=True)
    assert "Logs to sign" in page and f"Sign {induction.candidate.name}’s mentoring log" in page
    assert f"/enrollments/{induction.enrollment.id}/logs" in page

    with app.app_context():
        logs_service.sign(session, entry, mentor)
        session.commit()
    assert _waiting(session, mentor, "log") == []


def test_a_submitted_document_waits_for_the_roles_that_verify_it(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    elsewhere = PathwayDriver(app, session, "pip")
    with app.app_context():
        document = filing.submit(session, pip.refresh(), "recruitment_records", "records.pdf",
                                           pdf_bytes("records"), pip.candidate)
        session.commit()
    hr, analyst = pip.person(Role.DISTRICT_HR), pip.person(Role.CREDENTIAL_ANALYST)
    assert _waiting(session, hr, "document") == [document.id]
    assert _waiting(session, analyst, "document") == [document.id]
    # Not the site administrator's to verify, nor another program's analyst's, nor the candidate's.
    for person in (pip.person(Role.SITE_ADMINISTRATOR), elsewhere.person(Role.CREDENTIAL_ANALYST), pip.candidate):
        assert _waiting(session, person, "document") == []

    page = signed_in(app, analyst.email).get("/inbox").get_data(as_text=True)
    assert "Documents to verify" in page and f"Verify {pip.candidate.name}’s recruitment records" in page
    assert "SHA-256" not in page  # no digests for approvers

    with app.app_context():
        documents_service.decide(session, document, analyst, verified=True)
        session.commit()
    assert _waiting(session, hr, "document") == []
