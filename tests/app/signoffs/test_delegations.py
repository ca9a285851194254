"""Delegation: a substitute decides an approver's tasks inside a window; the record names both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Delegation, SignOff, SignOffTask
from app.services import NotFound, NotPermitted
from app.services.signoffs import deciding as task_service
from app.services.signoffs import delegations
from app.services.signoffs.inbox import listing
from app.services.team import accounts
from tests.app.notify_factories import folder_mail
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from tests.conftest import Auth, csrf_token
from workflows.roles import Role


def delegate(session: Session, delegator, substitute, starts, ends) -> Delegation:  # type: ignore[no-untyped-def]
    row = delegations.create(session, delegator, substitute.email, starts, ends, today=starts)
    session.commit()
    return row


def test_a_substitute_signs_on_behalf_of_the_approver_inside_the_window(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    deputy = accounts.create_user(session, "deputy@example.org", "Deputy Dee", "correct horse battery")
    today = driver.facts().today
    delegate(session, director, deputy, today, today + timedelta(days=5))

    lines = listing(session, deputy, "unclaimed", today)
    assert [(line.task.id, line.on_behalf_of.name) for line in lines] == [(task.id, director.name)]  # type: ignore[union-attr]
    with app.app_context():
        task_service.approve(session, task.id, deputy)  # type: ignore[arg-type]
    signoff = session.exec(select(SignOff)).one()
    assert (signoff.signer_id, signoff.on_behalf_of_id) == (deputy.id, director.id)
    decided = session.get(SignOffTask, task.id, populate_existing=True)
    assert (decided.decided_by_id, decided.on_behalf_of_id) == (deputy.id, director.id)  # type: ignore[union-attr]
    approved = session.exec(select(AuditEvent).where(AuditEvent.action == "task.approved")).one()
    assert (approved.actor_id, approved.on_behalf_of_id) == (deputy.id, director.id)
    mail = [" ".join(m["Subject"].split()) for m in folder_mail(app)
            if m["To"] == driver.candidate.email]
    assert any("signed off" in s for s in mail)


def test_no_substitute_outside_the_window_or_after_revocation(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    deputy = accounts.create_user(session, "deputy@example.org", "Deputy Dee", "correct horse battery")
    today = driver.facts().today
    future = delegate(session, director, deputy, today + timedelta(days=2), today + timedelta(days=4))
    assert listing(session, deputy, "unclaimed", today) == []
    with app.app_context(), pytest.raises(NotPermitted):
        task_service.approve(session, task.id, deputy)  # type: ignore[arg-type]
    current = delegate(session, director, deputy, today, today)
    assert len(listing(session, deputy, "unclaimed", today)) == 1
    delegations.revoke(session, current.id, director)  # type: ignore[arg-type]
    session.commit()
    assert listing(session, deputy, "unclaimed", today) == []
    with pytest.raises(NotFound):
        delegations.revoke(session, future.id, deputy)  # type: ignore[arg-type]  # only the delegator ends it


def test_a_substitute_never_acts_on_their_own_enrolment(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    today = driver.facts().today
    delegate(session, driver.person(Role.PROGRAM_DIRECTOR), driver.candidate, today, today)
    assert listing(session, driver.candidate, "unclaimed", today) == []
    with app.app_context(), pytest.raises(NotPermitted):
        task_service.approve(session, task.id, driver.candidate)  # type: ignore[arg-type]


@pytest.mark.parametrize(("email", "starts", "ends", "message"), [
    ("nobody@example.org", 0, 1, "no active account"),
    ("self", 0, 1, "other than yourself"),
    ("deputy@example.org", 3, 1, "on or after the first day"),
    ("deputy@example.org", -5, -1, "already over"),
])
def test_bad_delegations_are_refused_with_the_reason(app: Flask, session: Session, email: str, starts: int,
                                                      ends: int, message: str) -> None:
    driver, _ = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    accounts.create_user(session, "deputy@example.org", "Deputy Dee", "correct horse battery")
    today = driver.facts().today
    with pytest.raises(delegations.DelegationError, match=message):
        delegations.create(session, director, director.email if email == "self" else email,
                           today + timedelta(days=starts), today + timedelta(days=ends), today)


def test_delegations_page_creates_and_ends_a_delegation(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, _ = waiting_on_signoffs(app, session, "casc")
    accounts.create_user(session, "deputy@example.org", "Deputy Dee", "correct horse battery")
    session.commit()
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    today = driver.facts().today
    token = csrf_token(client, "/inbox/delegations")
    bad = client.post("/inbox/delegations", data={"csrf_token": token, "email": "deputy@example.org",
                                                  "starts_on": "soon", "ends_on": today.isoformat()})
    assert bad.status_code == 400 and session.exec(select(Delegation)).all() == []
    made = client.post("/inbox/delegations", data={"csrf_token": token, "email": "Deputy@Example.org",
                                                   "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert made.status_code == 302
    row = session.exec(select(Delegation)).one()
    assert "Deputy Dee" in client.get("/inbox/delegations").get_data(as_text=True)
    assert client.post(f"/inbox/delegations/{row.id}/revoke", data={"csrf_token": token}).status_code == 302
    session.refresh(row)
    assert row.revoked_at is not None
    assert client.post("/inbox/delegations/999/revoke", data={"csrf_token": token}).status_code == 404
