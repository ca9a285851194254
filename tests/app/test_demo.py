"""`flask seed-demo`: realistic, idempotent, and every printed sign-in works."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, func, select

from app.models import AuditEvent, Enrollment, Evidence, LogEntry, Membership, Program, User
from tests.conftest import Auth

EXPECTED_STATES = {"pip": "plan_established", "induction": "year1_active", "casc": "year1_active"}


def counts(session: Session) -> dict[str, int]:
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (User, Program, Membership, Enrollment, Evidence, LogEntry)}


def test_seed_demo_is_idempotent_and_every_printed_account_signs_in(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(session)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    session.expire_all()
    assert counts(session) == after_first

    accounts = re.findall(r"^\s+(\S+@\S+)\s+password: (\S+)", first.output, flags=re.MULTILINE)
    assert len(accounts) == 12  # three candidates and nine approver roles
    for email, password in accounts:
        client = app.test_client()
        assert Auth(client).sign_in(email, password).status_code == 302, email
        assert client.get("/").status_code == 200


def test_each_demo_candidate_stands_part_way_along_their_pathway(app: Flask, session: Session) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    enrollments = session.exec(select(Enrollment)).all()
    assert {e.pathway: e.state for e in enrollments} == EXPECTED_STATES
    for enrollment in enrollments:
        steps = session.exec(select(AuditEvent).where(AuditEvent.enrollment_id == enrollment.id,
                                                      AuditEvent.action == "enrollment.transition")).all()
        assert steps, f"{enrollment.pathway} reached its state through the service"
        logs = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id)).all()
        assert logs, f"{enrollment.pathway} has work under way"


def test_create_user_makes_an_account_that_signs_in(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["create-user", "--email", "New.Person@example.org", "--name",
                                                "New Person", "--role", "service_administrator"],
                                          input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert Auth(client).sign_in("new.person@example.org", "a long enough password").status_code == 302
    user = session.exec(select(User).where(User.email == "new.person@example.org")).one()
    roles = session.exec(select(Membership.role).where(Membership.user_id == user.id)).all()
    assert roles == ["service_administrator"]


def test_create_user_refuses_a_duplicate_email_and_changes_nothing(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "dup@example.org", "--name", "Dup", "--password", "a long enough password"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert session.exec(select(func.count()).select_from(User)).one() == 1
