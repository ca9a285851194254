"""The program director's notice (email.program_notice): a new enrolment, a proposal waiting for confirmation."""

from __future__ import annotations

import re
from email.message import Message

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import outbox
from app.models import (
    AuditEvent,
    Enrollment,
    Membership,
    Organisation,
    OutboxMessage,
    PoolMember,
    Program,
    User,
    utcnow,
)
from app.services.notifications import registry
from app.services.team import director_notices
from tests.app import notify_factories as f
from tests.app.mail_server import text_part
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, make_user, signed_in
from tests.today import TODAY
from workflows.roles import Role

PASSWORD = "correct horse battery"


def mail_to(app: Flask, address: str) -> list[Message]:
    return [m for m in f.folder_mail(app) if m["To"] == address]


def notices(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.job == director_notices.PROGRAM_NOTICE)).all())


# --- A new enrolment ----------------------------------------------------------------------------------


@pytest.fixture
def linden(session: Session) -> Program:
    """Linden Induction, run by Linden USD."""
    program = f.program(session, "induction")
    program.name = "Linden Induction"
    organisation = session.get(Organisation, program.organisation_id)
    organisation.name = "Linden USD"  # type: ignore[union-attr]
    session.add_all([program, organisation])
    session.commit()
    return program


def director(session: Session, name: str, **scope: int) -> User:
    person = f.person(session, name, f"{name.split()[0].lower()}@linden.example.org")
    f.role(session, person, Role.PROGRAM_DIRECTOR.value, **scope)
    return person


def enrol(app: Flask, session: Session, program: Program) -> FlaskClient:
    make_user(session, "ana@example.org", "Ana Ruiz")
    client = signed_in(app, "ana@example.org")
    response = client.post("/enrol", data={
        "pathway": program.pathway, "program": str(program.id), "credential_sought": "Clear Multiple Subject",
        "enrolled_on": TODAY.isoformat(), "csrf_token": csrf_token(client, f"/enrol?pathway={program.pathway}")})
    assert response.status_code == 302
    return client


def test_each_active_director_of_the_program_is_emailed_of_a_new_enrolment(app: Flask, session: Session,
                                                                          linden: Program) -> None:
    program_wide = director(session, "Dora Director", program_id=linden.id)
    organisation_wide = director(session, "Omar Overall", organisation_id=linden.organisation_id)
    gone = director(session, "Greta Gone", program_id=linden.id)
    gone.active = False
    replaced = director(session, "Rita Replaced", program_id=linden.id)
    for membership in session.exec(select(Membership).where(Membership.user_id == replaced.id)).all():
        membership.revoked_at = utcnow()
        session.add(membership)
    elsewhere = f.program(session, "induction")
    other_program = director(session, "Otto Other", program_id=elsewhere.id)
    analyst = f.person(session, "Al Analyst", "al@linden.example.org")
    f.role(session, analyst, Role.CREDENTIAL_ANALYST.value, program_id=linden.id)
    session.add(gone)
    session.commit()

    enrol(app, session, linden)

    told = sorted(m["To"] for m in f.folder_mail(app))
    assert told == sorted([program_wide.email, organisation_wide.email])
    for person in (gone, replaced, other_program, analyst):
        assert mail_to(app, person.email) == []
    [mail] = mail_to(app, program_wide.email)
    assert mail["Subject"] == "New enrolment: Ana Ruiz in Linden Induction"
    body = text_part(mail)
    assert "Hello Dora Director" in body
    assert "Ana Ruiz enrolled in Linden Induction" in body and "Clear Multiple Subject" in body
    assert re.search(r"http://localhost/enrollments/\d+", body)
    assert f"http://localhost/programs/{linden.id}/assignments" in body
    assert {(n.payload["recipient_id"], n.completed_at is not None) for n in notices(session)} == {
        (program_wide.id, True), (organisation_wide.id, True)}


def test_a_program_without_a_director_enrols_and_sends_nothing(app: Flask, session: Session, linden: Program) -> None:
    enrol(app, session, linden)
    assert notices(session) == [] and f.folder_mail(app) == []


def test_a_director_deactivated_or_replaced_before_the_email_goes_gets_nothing(app: Flask, session: Session,
                                                                              linden: Program) -> None:
    leaving, replaced = director(session, "Lena Leaving", program_id=linden.id), director(session, "Ray Replaced",
                                                                                         program_id=linden.id)
    candidate = f.person(session, "Ana Ruiz")
    enrollment = f.enrolment(app, session, candidate, linden, TODAY)
    audit_id = session.exec(select(AuditEvent.id).where(AuditEvent.enrollment_id == enrollment.id,
                                                        AuditEvent.action == "enrollment.created")).one()
    leaving.active = False
    for membership in session.exec(select(Membership).where(Membership.user_id == replaced.id)).all():
        membership.revoked_at = utcnow()
        session.add(membership)
    session.add(leaving)
    session.commit()
    with app.app_context():
        for person in (leaving, replaced):
            assert registry.run(director_notices.PROGRAM_NOTICE, session,
                                {"audit_event_id": audit_id, "recipient_id": person.id}) is None


def test_each_director_is_told_once_per_event(app: Flask, session: Session, linden: Program) -> None:
    dora = director(session, "Dora Director", program_id=linden.id)
    enrol(app, session, linden)
    [notice] = notices(session)
    audit = session.get(AuditEvent, notice.payload["audit_event_id"])
    with app.app_context():
        # The same event told again (a retried request): the outbox keeps one message per director.
        director_notices.tell_directors(session, session.get(Enrollment, audit.enrollment_id), audit.id)  # type: ignore[arg-type, union-attr]
        outbox.commit(session)
    assert len(notices(session)) == 1 and len(mail_to(app, dora.email)) == 1


# --- A proposal waiting for confirmation ---------------------------------------------------------------


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "induction")


def propose(app: Flask, driver: PathwayDriver, email: str, role: str = "mentor") -> None:
    """The candidate invites `email` to be their mentor (a proposal)."""
    client = signed_in(app, driver.candidate.email)
    page = f"/enrollments/{driver.enrollment.id}/team"
    response = client.post(f"{page}/invitations", data={"email": email, "role": role,
                                                        "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302


def invitation_link(app: Flask, email: str) -> str:
    [mail] = mail_to(app, email)
    match = re.search(r"http://localhost(/invitations/\S+)", text_part(mail))
    assert match
    return match.group(1)


def accept_as_newcomer(app: Flask, link: str, name: str) -> None:
    client = app.test_client()
    response = client.post(link, data={"csrf_token": csrf_token(client, "/auth/sign-in"), "name": name,
                                       "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def accept_signed_in(app: Flask, link: str, email: str) -> None:
    client = signed_in(app, email)
    assert client.post(link, data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def test_a_proposal_of_an_unknown_account_tells_the_director_who_proposed_it_and_that_it_is_not_staff(
        app: Flask, session: Session, induction: PathwayDriver) -> None:
    propose(app, induction, "real.mentor@gmail.example")
    accept_as_newcomer(app, invitation_link(app, "real.mentor@gmail.example"), "Mara Mentor")
    boss = induction.person(Role.PROGRAM_DIRECTOR)
    [mail] = mail_to(app, boss.email)
    assert mail["Subject"] == f"To confirm: Mara Mentor as Candidate’s mentor in {induction.program.name}"
    body = text_part(mail)
    organisation = session.get(Organisation, induction.program.organisation_id)
    assert "Candidate (the candidate) proposed Mara Mentor as Candidate’s mentor" in body
    assert "Email: real.mentor@gmail.example" in body
    assert f"Not on {organisation.name}’s staff." in body  # type: ignore[union-attr]
    assert f"http://localhost/programs/{induction.program.id}/assignments" in body
    # The candidate proposed it: they are not told as if they were a director.
    assert [m["Subject"] for m in mail_to(app, induction.candidate.email)] == []


def test_a_proposal_of_someone_in_the_programs_pool_says_they_are_on_staff(app: Flask, session: Session,
                                                                           induction: PathwayDriver) -> None:
    mentor = induction.person(Role.MENTOR)
    session.add(PoolMember(program_id=induction.program.id, user_id=mentor.id, role=Role.MENTOR.value))
    session.commit()
    propose(app, induction, mentor.email)
    accept_signed_in(app, invitation_link(app, mentor.email), mentor.email)
    [mail] = mail_to(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    organisation = session.get(Organisation, induction.program.organisation_id)
    body = text_part(mail)
    assert f"On {organisation.name}’s staff." in body and "Not on" not in body  # type: ignore[union-attr]


def test_a_proposal_confirmed_or_declined_before_the_email_goes_sends_nothing(app: Flask, session: Session,
                                                                             induction: PathwayDriver) -> None:
    propose(app, induction, "real.mentor@gmail.example")
    accept_as_newcomer(app, invitation_link(app, "real.mentor@gmail.example"), "Mara Mentor")
    [notice] = notices(session)
    boss = induction.person(Role.PROGRAM_DIRECTOR)
    client = signed_in(app, boss.email)
    page = f"/programs/{induction.program.id}/assignments"
    membership = session.exec(select(Membership).where(Membership.proposed_role == "mentor")).one()
    assert client.post(f"{page}/{membership.id}/confirm", data={"csrf_token": csrf_token(client, page)}
                       ).status_code == 302
    session.expire_all()
    with app.app_context():
        assert registry.run(director_notices.PROGRAM_NOTICE, session, dict(notice.payload)) is None


def test_a_directors_own_invitation_grants_the_role_and_tells_nobody(app: Flask, session: Session,
                                                                    induction: PathwayDriver) -> None:
    boss = induction.person(Role.PROGRAM_DIRECTOR)
    client = signed_in(app, boss.email)
    page = f"/enrollments/{induction.enrollment.id}/team"
    assert client.post(f"{page}/invitations", data={"email": "granted@example.org", "role": "mentor",
                                                    "csrf_token": csrf_token(client, page)}).status_code == 302
    accept_as_newcomer(app, invitation_link(app, "granted@example.org"), "Gina Granted")
    assert notices(session) == []
    assert mail_to(app, boss.email) == []


def test_the_program_notice_has_a_registered_handler() -> None:
    assert director_notices.PROGRAM_NOTICE == "email.program_notice"
    assert "email.program_notice" in registry.names()
