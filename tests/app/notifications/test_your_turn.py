"""Each change of turn tells the people whose turn it is, once (issue 25: "every change of turn tells the
person whose turn it is"): a step only once everything it needs is in place, never the candidate."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app import outbox
from app.demo.walker import Walker
from app.jobs.outbox import run_message
from app.models import OutboxMessage
from app.services.enrollments import pathways
from app.services.team import accounts
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.roles import Role


def turn_mail(app: Flask, to: str, candidate: str = "Nia Newcomer") -> list[str]:
    return [m["Subject"] for m in f.folder_mail(app) if m["To"] == to and m["Subject"].startswith("Your turn:")
            and m["Subject"].endswith(f" for {candidate}")]


def test_each_new_turn_tells_its_holders_once_and_never_the_candidate(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    hr = driver.person(Role.DISTRICT_HR)
    # A candidate enrolling where district HR already works: the diligent search is HR's first step.
    newcomer = accounts.create_user(session, "newcomer@example.org", "Nia Newcomer", "correct horse battery")
    with app.app_context():
        enrollment = pathways.enroll(session, newcomer, driver.program, TODAY, newcomer)
        outbox.commit(session)
    first = "Your turn: Upload the recruitment records (diligent search) for Nia Newcomer"
    assert turn_mail(app, hr.email) == [first]
    # Once the records are filed and verified and the rest is in place, taking the step is HR's: told once.
    walker = Walker(session, enrollment, {Role.CANDIDATE: newcomer, **driver.people})
    with app.app_context():
        walker.satisfy("start_screening")
        outbox.commit(session)
    assert turn_mail(app, hr.email) == [first, ("Your turn: Take the step “Diligent search done: screen eligibility” "
                                               "for Nia Newcomer")]
    with app.app_context():
        walker.advance("start_screening", Role.DISTRICT_HR)
        outbox.commit(session)
    assert len(turn_mail(app, hr.email)) == 2
    assert turn_mail(app, newcomer.email) == []


def test_nothing_is_sent_once_the_turn_was_taken_before_the_email_went(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    told = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.turn")).all()
    assert told, "district HR's first turn was written to the outbox"
    walker = driver.walker()
    with app.app_context():
        walker.provide("recruitment_records")  # filed and verified before the email went
        session.commit()
        assert all(run_message(m.id) == "completed" for m in told)  # type: ignore[arg-type]
    assert turn_mail(app, driver.person(Role.DISTRICT_HR).email, "Candidate") == []
