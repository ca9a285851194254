"""A step that becomes someone else's to take tells them once (issue 25: "every change of turn tells the
person whose turn it is")."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session

from app import outbox
from app.services.enrollments import pathways
from app.services.team import accounts
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.roles import Role


def turn_mail(app: Flask, to: str) -> list[str]:
    return [m["Subject"] for m in f.folder_mail(app) if m["To"] == to and m["Subject"].startswith("Your turn:")]


def test_the_next_step_tells_whoever_takes_it_once_and_never_the_candidate(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    # A candidate enrolling where district HR already works: the diligent search is HR's first step.
    newcomer = accounts.create_user(session, "newcomer@example.org", "Nia Newcomer", "correct horse battery")
    with app.app_context():
        pathways.enroll(session, newcomer, driver.program, TODAY, newcomer)
        outbox.commit(session)
    assert turn_mail(app, driver.person(Role.DISTRICT_HR).email) == [
        "Your turn: Diligent search done: screen eligibility for Nia Newcomer"]
    driver.advance("start_screening", Role.DISTRICT_HR)  # screening starts: confirming eligibility is the analyst's
    analyst = driver.person(Role.CREDENTIAL_ANALYST)
    assert turn_mail(app, analyst.email) == ["Your turn: Confirm eligibility for Candidate"]
    assert turn_mail(app, driver.candidate.email) == []
    assert len(turn_mail(app, driver.person(Role.DISTRICT_HR).email)) == 1  # not HR's step this time


def test_nothing_is_sent_once_the_step_was_taken_before_the_email_went(app: Flask, session: Session) -> None:
    from sqlmodel import select

    from app.jobs.notifications import send_your_turn
    from app.models import AuditEvent

    driver = PathwayDriver(app, session, "pip")
    driver.advance("start_screening", Role.DISTRICT_HR)
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "start_screening")).one()
    driver.advance("confirm_eligibility", Role.CREDENTIAL_ANALYST)
    with app.app_context():
        assert send_your_turn(session, audit.id, driver.person(Role.CREDENTIAL_ANALYST).id,  # type: ignore[arg-type]
                              "confirm_eligibility") is None
