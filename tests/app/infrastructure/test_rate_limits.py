"""Rate limits on sign-in, reset, sign-up, invitations and secret links; the notice after repeated failures."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import create_app
from app.models import AuditEvent, OutboxMessage, User
from app.services.notifications import calendar_feed
from tests import services
from tests.app.pathway_driver import PathwayDriver
from tests.app.team.test_auth import read_mail
from tests.conftest import Auth, csrf_token, make_user

RIGHT = "correct horse battery"


def make_app(app_config: dict[str, Any], **limits: str) -> Iterator[Flask]:
    application = create_app({**app_config, "RATE_LIMITS": limits} if limits else app_config)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def tight(app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app whose limits are small enough to reach in a test."""
    yield from make_app(app_config, sign_in_address="5 per minute", password_reset="2 per minute",
                        sign_up="2 per hour", invitation="2 per hour", token_link="3 per minute",
                        calendar_feed_miss="3 per minute", calendar_feed="4 per minute")


def sign_in(client: FlaskClient, email: str, password: str, **headers: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/auth/sign-in")
    return client.post("/auth/sign-in", data={"email": email, "password": password, "csrf_token": token},
                       headers=headers)


def test_after_ten_wrong_passwords_even_the_right_one_is_refused_with_a_clear_429(app: Flask, session: Session,
                                                                                client: FlaskClient) -> None:
    make_user(session)
    statuses = [sign_in(client, "ana@example.org", f"wrong password {n}").status_code for n in range(10)]
    assert statuses == [401] * 10
    refused = sign_in(client, "ana@example.org", RIGHT)
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert "Too many attempts" in body and "Too many failed sign-ins. Wait 10 minutes" in body
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 302  # still not signed in
    api = sign_in(client, "ana@example.org", RIGHT, Accept="application/json")
    assert api.status_code == 429 and api.get_json()["status"] == 429


def test_an_unknown_email_is_answered_exactly_like_a_known_one(app: Flask, session: Session) -> None:
    make_user(session)
    answers = {}
    for email in ("ana@example.org", "nobody@example.org"):
        client = app.test_client()
        responses = [sign_in(client, email, "wrong password") for _ in range(11)]
        answers[email] = [(r.status_code, re.sub(r'value="[^"]*"', "", r.get_data(as_text=True).replace(email, "")))
                          for r in responses]
    assert answers["ana@example.org"] == answers["nobody@example.org"]
    assert [status for status, _ in answers["nobody@example.org"]] == [401] * 10 + [429]


def test_successful_sign_ins_do_not_count(app: Flask, session: Session) -> None:
    make_user(session)
    client = app.test_client()
    for _ in range(12):
        assert Auth(client).sign_in("ana@example.org").status_code == 302
        assert Auth(client).sign_out().status_code == 302


def test_failures_from_one_address_are_limited_across_accounts(tight: Flask) -> None:
    client = tight.test_client()
    statuses = [sign_in(client, f"person{n}@example.org", "wrong password").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_the_owner_gets_one_notice_after_repeated_failures_and_unknown_emails_get_none(
        app: Flask, session: Session) -> None:
    user = make_user(session)
    client = app.test_client()
    for n in range(8):
        sign_in(client, "ana@example.org", f"wrong {n}")
        sign_in(client, "nobody@example.org", f"wrong {n}")
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.sign_in_notice")).all()
    assert [message.payload for message in notices] == [{"user_id": user.id, "failures": 5}]
    mail = [m for m in read_mail(app.config["MAIL_FOLDER"]) if "Failed sign-ins" in m["Subject"]]
    assert [m["To"] for m in mail] == ["ana@example.org"]
    text = next(p for p in mail[0].walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "5 times recently" in text and "http://localhost/auth/reset" in text
    audited = session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert audited.count("auth.sign_in_failed") == 8 and audited.count("auth.sign_in_notice_sent") == 1


def test_the_notice_comes_again_in_a_later_window(app: Flask, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app import clock

    make_user(session)
    for round_ in range(2):
        client = app.test_client()  # a fresh window of the rate limit is not needed: 5 < 10 per account
        for n in range(5):
            sign_in(client, "ana@example.org", f"wrong {round_}-{n}")
        later = clock.now() + timedelta(minutes=app.config["SIGN_IN_NOTICE_WINDOW_MINUTES"] + 1)
        monkeypatch.setattr(clock, "now", lambda later=later: later)
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.sign_in_notice")).all()) == 2


def test_password_reset_requests_are_limited(tight: Flask) -> None:
    client = tight.test_client()
    statuses = []
    for _ in range(3):
        statuses.append(client.post("/auth/reset", data={"email": "ana@example.org",
                                                         "csrf_token": csrf_token(client, "/auth/reset")}).status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:2]


def test_sign_ups_from_one_address_are_limited_and_the_refused_one_creates_nothing(tight: Flask) -> None:
    statuses = []
    for n in range(3):
        client = tight.test_client()
        statuses.append(client.post("/auth/sign-up", data={
            "csrf_token": csrf_token(client, "/auth/sign-up"), "name": f"Person {n}", "email": f"p{n}@example.org",
            "password": RIGHT, "confirm": RIGHT}).status_code)
    assert statuses == [302, 302, 429]
    with Session(tight.extensions["db_engine"]) as session:
        assert session.exec(select(User.email).where(User.email == "p2@example.org")).first() is None


def test_invitations_are_limited_per_person(tight: Flask) -> None:
    with Session(tight.extensions["db_engine"], expire_on_commit=False) as session:
        driver = PathwayDriver(tight, session, "pip")
        session.commit()
    client = tight.test_client()
    assert Auth(client).sign_in(driver.candidate.email).status_code == 302
    team = f"/enrollments/{driver.enrollment.id}/team"
    statuses = [client.post(f"{team}/invitations", data={"csrf_token": csrf_token(client, team), "email": "",
                                                          "role": ""}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_guessing_secret_links_is_limited(tight: Flask) -> None:
    client = tight.test_client()
    assert [client.get(f"/invitations/guess-{n}").status_code for n in range(4)][-1] == 429
    assert [client.get(f"/auth/reset/guess-{n}").status_code for n in range(4)][-1] == 429
    assert [client.get(f"/calendar/guess-{n}.ics").status_code for n in range(4)] == [404, 404, 404, 429]


def test_a_calendar_app_polling_a_good_link_is_not_refused_for_misses_only_for_flooding(tight: Flask) -> None:
    with Session(tight.extensions["db_engine"], expire_on_commit=False) as session:
        driver = PathwayDriver(tight, session, "pip")
        with tight.test_request_context():
            token = calendar_feed.create(session, driver.candidate, driver.enrollment)
        session.commit()
    client = tight.test_client()
    assert [client.get(f"/calendar/{token}.ics").status_code for n in range(5)] == [200] * 4 + [429]


def test_limits_can_be_switched_off_for_tests_that_need_many_requests(app_config: dict[str, Any]) -> None:
    application = create_app({**app_config, "RATELIMIT_ENABLED": False})
    with Session(application.extensions["db_engine"]) as session:
        make_user(session)
    client = application.test_client()
    assert {sign_in(client, "ana@example.org", "wrong password").status_code for _ in range(30)} == {401}
    assert sign_in(client, "ana@example.org", RIGHT).status_code == 302
    application.extensions["db_engine"].dispose()


def test_limits_are_kept_in_redis_when_it_is_configured(app_config: dict[str, Any]) -> None:
    assert create_app({**app_config, "REDIS_URL": "redis://redis.example:6379/0"}).config[
        "RATELIMIT_STORAGE_URI"] == "redis://redis.example:6379/0"
    assert create_app(app_config).config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.redis
def test_two_processes_share_one_count_in_redis(app_config: dict[str, Any]) -> None:
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    # Two apps stand for two gunicorn workers; a unique prefix keeps this test's counters its own.
    shared = {**app_config, "RATELIMIT_STORAGE_URI": services.REDIS_URL, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
              "RATE_LIMITS": {"sign_in_account": "3 per minute"}}
    first, second = create_app(shared), create_app(shared)
    assert [sign_in(first.test_client(), "ana@example.org", "wrong").status_code for _ in range(2)] == [401, 401]
    assert sign_in(second.test_client(), "ana@example.org", "wrong").status_code == 401
    assert sign_in(second.test_client(), "ana@example.org", "wrong").status_code == 429
    assert sign_in(first.test_client(), "ana@example.org", "wrong").status_code == 429
