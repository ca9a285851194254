"""Repeats that must not repeat: simultaneous resets, identical invitations, double-submitted forms.

Run on PostgreSQL with real concurrent connections (each request in its own thread, from its own
client, released together at a barrier), whichever lane runs the suite: SQLite's single writer
would serialise the races away.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.idempotency import ALREADY_DONE
from app.models import IdempotencyKey, Invitation, OutboxMessage, TaskComment, User
from tests.app import notify_factories as f
from tests.app.on_postgres import database_url, postgres_schema  # noqa: F401  (fixtures)
from tests.app.pathway_driver import PathwayDriver
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from tests.conftest import csrf_token, make_user, signed_in
from workflows.roles import Role

pytestmark = pytest.mark.postgres

_TOKEN = re.compile(r'name="idempotency_token" value="([^"]+)"')


def form_tokens(client: FlaskClient, path: str) -> tuple[str, str]:
    """The CSRF token and the idempotency token a form page hands out."""
    page = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no idempotency token on {path}"
    return csrf_token(client, path), match.group(1)


def at_once(requests: list[Callable[[], Any]]) -> list[int]:
    """Send the requests at the same moment, one thread each; their status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(request: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            statuses.append(request().status_code)
        except BaseException as error:  # noqa: BLE001  reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == len(requests)
    return sorted(statuses)


def mail_to(app: Flask, address: str) -> list[Any]:
    return [m for m in f.folder_mail(app) if m["To"] == address]


def test_twenty_simultaneous_reset_requests_answer_without_an_error_and_send_one_email(
        app: Flask, session: Session) -> None:
    make_user(session, "ana@example.org")
    # Twenty people's browsers (twenty addresses): the race is under test, not the per-address limit.
    clients = [app.test_client() for _ in range(20)]
    for number, client in enumerate(clients):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
    tokens = [csrf_token(c, "/auth/reset") for c in clients]
    statuses = at_once([partial(c.post, "/auth/reset", data={"email": "ana@example.org", "csrf_token": t})
                        for c, t in zip(clients, tokens, strict=True)])
    assert statuses == [302] * 20
    assert len(mail_to(app, "ana@example.org")) == 1
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.password_reset")).all()) == 1


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "induction")


def test_ten_identical_invitations_at_once_make_one_invitation_and_one_email(
        app: Flask, session: Session, induction: PathwayDriver) -> None:
    team = f"/enrollments/{induction.enrollment.id}/team"
    clients = [signed_in(app, induction.candidate.email) for _ in range(10)]
    # Ten tabs, each its own form: ten different idempotency tokens; the constraint decides.
    forms = [form_tokens(c, team) for c in clients]
    statuses = at_once([partial(c.post, f"{team}/invitations", data={
        "email": "m@example.org", "role": "mentor", "csrf_token": csrf, "idempotency_token": key})
        for c, (csrf, key) in zip(clients, forms, strict=True)])
    assert statuses == [302] + [409] * 9
    session.expire_all()
    assert len(session.exec(select(Invitation)).all()) == 1
    assert len(mail_to(app, "m@example.org")) == 1


def test_ten_clicks_on_resend_send_one_more_email(app: Flask, session: Session, induction: PathwayDriver) -> None:
    team = f"/enrollments/{induction.enrollment.id}/team"
    first = signed_in(app, induction.candidate.email)
    csrf, key = form_tokens(first, team)
    assert first.post(f"{team}/invitations", data={"email": "m@example.org", "role": "mentor", "csrf_token": csrf,
                                                   "idempotency_token": key}).status_code == 302
    [invitation] = session.exec(select(Invitation)).all()
    clients = [signed_in(app, induction.candidate.email) for _ in range(10)]
    tokens = [csrf_token(c, team) for c in clients]
    resend = f"{team}/invitations/{invitation.id}/resend"
    statuses = at_once([partial(c.post, resend, data={"csrf_token": t}) for c, t in zip(clients, tokens, strict=True)])
    assert statuses == [302] * 10
    assert len(mail_to(app, "m@example.org")) == 2  # the invitation, and one re-send


def test_a_double_clicked_comment_is_saved_once(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR).email
    path = f"/inbox/tasks/{task.id}"
    clients = [signed_in(app, director) for _ in range(2)]
    _csrf, key = form_tokens(clients[0], path)  # one rendering of the form, sent twice
    statuses = at_once([partial(c.post, f"{path}/comments", data={
        "csrf_token": csrf_token(c, path), "body": "Please check the date.", "idempotency_token": key})
        for c in clients])
    assert statuses == [302, 303]
    assert len(session.exec(select(TaskComment)).all()) == 1


def test_a_reload_of_a_submitted_form_adds_nothing_and_says_so(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    path = f"/inbox/tasks/{task.id}"
    csrf, key = form_tokens(client, path)
    data = {"csrf_token": csrf, "body": "Please check the date.", "idempotency_token": key}
    assert client.post(f"{path}/comments", data=data).status_code == 302
    again = client.post(f"{path}/comments", data=data, headers={"Referer": f"http://localhost{path}"})
    assert again.status_code == 303 and again.headers["Location"].endswith(path)
    assert ALREADY_DONE.split(";")[0] in client.get(path).get_data(as_text=True)
    assert len(session.exec(select(TaskComment)).all()) == 1
    # A new rendering of the form is a new comment.
    csrf, key = form_tokens(client, path)
    assert client.post(f"{path}/comments", data={**data, "idempotency_token": key}).status_code == 302
    assert len(session.exec(select(TaskComment)).all()) == 2


def test_a_refused_submission_frees_its_token_for_the_corrected_one(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    path = f"/inbox/tasks/{task.id}"
    csrf, key = form_tokens(client, path)
    refused = client.post(f"{path}/comments", data={"csrf_token": csrf, "body": "", "idempotency_token": key})
    assert refused.status_code == 400
    assert session.exec(select(IdempotencyKey)).all() == []  # rolled back with the command
    done = client.post(f"{path}/comments", data={"csrf_token": csrf, "body": "Fixed.", "idempotency_token": key})
    assert done.status_code == 302
    assert [c.body for c in session.exec(select(TaskComment)).all()] == ["Fixed."]


def test_a_double_submitted_sign_up_creates_one_account_and_answers_both(app: Flask, session: Session) -> None:
    clients = [app.test_client() for _ in range(2)]
    _csrf, key = form_tokens(clients[0], "/auth/sign-up")
    data = {"name": "Ana Ruiz", "email": "ana@example.org", "password": "correct horse battery",
            "confirm": "correct horse battery", "idempotency_token": key}
    statuses = at_once([partial(c.post, "/auth/sign-up", data={**data, "csrf_token": csrf_token(c, "/auth/sign-up")})
                        for c in clients])
    assert statuses == [302, 303]  # neither is told "an account already uses this email"
    assert len(session.exec(select(User).where(User.email == "ana@example.org")).all()) == 1


@pytest.mark.parametrize("path", ["/auth/sign-up", "/enrol?pathway=induction"])
def test_create_forms_carry_a_fresh_token_each_time(app: Flask, session: Session, induction: PathwayDriver,
                                                   path: str) -> None:
    make_user(session, "new.teacher@example.org")
    client = signed_in(app, "new.teacher@example.org") if path.startswith("/enrol") else app.test_client()
    first = form_tokens(client, path)[1]
    assert first != form_tokens(client, path)[1]
