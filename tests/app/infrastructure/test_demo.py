"""`flask seed-demo`: realistic, idempotent, and every printed sign-in works."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from app.demo.cohort import COHORT
from app.demo.people import CANDIDATES
from app.models import AuditEvent, Enrollment, Evidence, LogEntry, Membership, Program, SignOffTask, User
from tests.conftest import Auth

# The three demo candidates, one per pathway; the director's cohort comes on top (COHORT).
EXPECTED_STATES = {"pip": "plan_established", "induction": "year1_active", "casc": "year1_active"}


def counts(session: Session) -> dict[str, int]:
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (User, Program, Membership, Enrollment, Evidence, LogEntry, SignOffTask)}


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
    assert len(accounts) == 12 + len(COHORT)  # three candidates, nine approver roles, the director's cohort
    for email, password in accounts:
        client = app.test_client()
        assert Auth(client).sign_in(email, password).status_code == 302, email
        assert client.get("/").status_code == 200


def test_each_demo_candidate_stands_part_way_along_their_pathway(app: Flask, session: Session) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    emails = [account.email for account in CANDIDATES.values()]
    enrollments = session.exec(select(Enrollment).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                               .where(User.email.in_(emails))).all()  # type: ignore[attr-defined]
    assert {e.pathway: e.state for e in enrollments} == EXPECTED_STATES
    # Their next steps wait on sign-offs already in the approvers' inboxes.
    assert session.exec(select(SignOffTask).where(SignOffTask.status == "open")).all()
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


@pytest.mark.parametrize("email", ["admin@buttecoe.test", "someone@localhost", "no-at-sign.example.org"])
def test_create_user_refuses_an_address_the_sign_in_form_refuses(app: Flask, session: Session, email: str) -> None:
    """The command line and the forms accept the same addresses: an account nobody can sign in to is not made."""
    result = app.test_cli_runner().invoke(args=["create-user", "--email", email, "--name", "Sam Admin",
                                                "--password", "a long enough password"])
    assert result.exit_code != 0 and "not an email address people can sign in with" in result.output
    assert session.exec(select(func.count()).select_from(User)).one() == 0
    client = app.test_client()
    refused = Auth(client).sign_in(email, "a long enough password")
    assert refused.status_code == 400, "the sign-in form refuses it too"


def test_create_user_refuses_a_duplicate_email_and_changes_nothing(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "dup@example.org", "--name", "Dup", "--password", "a long enough password"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert session.exec(select(func.count()).select_from(User)).one() == 1
