"""Personal access tokens: made and revoked on the tokens page, stored hashed, shown once, expiring, every use stamped."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import ApiToken, AuditEvent
from tests.api.helpers import Api, token_for
from tests.conftest import Auth, csrf_token, make_user

PROBLEM = "application/problem+json"


def test_a_token_made_on_the_page_is_shown_once_stored_hashed_and_works_as_bearer(
        app: Flask, session: Session, client: FlaskClient) -> None:
    user = make_user(session)
    Auth(client).sign_in(user.email)
    page = client.post("/auth/api-tokens", data={"csrf_token": csrf_token(client, "/auth/api-tokens"),
                                                 "name": "Phone app", "days": "30"})
    assert page.status_code == 201
    secret = re.search(r'id="new-token">(ct_[\w-]+)<', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in row.prefix + row.name
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)
    # Shown once: the list shows only its first characters.
    listing = client.get("/auth/api-tokens").get_data(as_text=True)
    assert "Phone app" in listing and secret not in listing and row.prefix in listing
    assert secret not in page.headers.get("Set-Cookie", "")  # never in a cookie (a flash would put it there)

    me = Api(app.test_client(), secret).get("/me", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert me.status_code == 200 and me.json["email"] == user.email  # type: ignore[index]
    session.expire_all()
    row = session.exec(select(ApiToken)).one()
    assert row.last_used_at is not None and row.last_used_from == "203.0.113.9"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.created")).one()


def test_the_page_refuses_a_token_without_a_name_or_csrf(app: Flask, session: Session, client: FlaskClient) -> None:
    user = make_user(session)
    Auth(client).sign_in(user.email)
    assert client.post("/auth/api-tokens", data={"name": "x", "days": "30"}).status_code == 400  # no CSRF token
    bad = client.post("/auth/api-tokens", data={"csrf_token": csrf_token(client, "/auth/api-tokens"), "name": "",
                                                "days": "30"})
    assert bad.status_code == 400
    assert session.exec(select(ApiToken)).all() == []


def test_a_revoked_or_expired_or_unknown_token_is_401_problem_json(app: Flask, session: Session,
                                                                   client: FlaskClient) -> None:
    user = make_user(session)
    secret = token_for(app, session, user)
    api = Api(app.test_client(), secret)
    assert api.get("/me").status_code == 200
    Auth(client).sign_in(user.email)
    row = session.exec(select(ApiToken)).one()
    revoked = client.post(f"/auth/api-tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/auth/api-tokens")})
    assert revoked.status_code == 302
    answer = api.get("/me")
    assert answer.status_code == 401 and answer.content_type == PROBLEM
    assert answer.json["type"].endswith("/unauthorized") and "revoked" in answer.json["detail"]  # type: ignore[index]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")

    expired = token_for(app, session, user)
    app.config["CLOCK_OFFSET_SECONDS"] += 31 * 86400
    late = Api(app.test_client(), expired).get("/me")
    assert late.status_code == 401 and "expired" in late.json["detail"]  # type: ignore[index]
    for header in ({"Authorization": "Bearer ct_not-a-real-token"}, {"Authorization": "Basic abc"}, {}):
        answer = app.test_client().get("/api/v1/me", headers=header)
        assert answer.status_code == 401 and answer.content_type == PROBLEM


def test_nobody_revokes_someone_elses_token(app: Flask, session: Session, client: FlaskClient) -> None:
    owner, other = make_user(session), make_user(session, "bo@example.org", "Bo")
    secret = token_for(app, session, owner)
    Auth(client).sign_in(other.email)
    row = session.exec(select(ApiToken)).one()
    client.post(f"/auth/api-tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/auth/api-tokens")})
    assert Api(app.test_client(), secret).get("/me").status_code == 200


def test_the_api_takes_no_cookies_and_needs_no_csrf(app: Flask, session: Session, client: FlaskClient) -> None:
    user = make_user(session)
    Auth(client).sign_in(user.email)
    # Signed in in the browser is not signed in to the API: a cross-site request carries no token.
    assert client.get("/api/v1/me").status_code == 401
    api = Api(app.test_client(), token_for(app, session, user))
    assert api.post("/tasks/bulk-approve", json={"task_ids": [999]}).status_code == 200  # no CSRF token needed


def test_each_token_is_rate_limited_with_429_problem_json(app_config: dict, session: Session) -> None:
    from app import create_app

    app = create_app({**app_config, "RATE_LIMITS": {**_limits(), "api_token": "3 per minute"}})
    try:
        with Session(app.extensions["db_engine"], expire_on_commit=False) as own:
            user = make_user(own)
            api = Api(app.test_client(), token_for(app, own, user))
            other = Api(app.test_client(), token_for(app, own, user))
        assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 200]
        limited = api.get("/me")
        assert limited.status_code == 429 and limited.content_type == PROBLEM
        assert limited.json["type"].endswith("/rate-limited") and int(limited.headers["Retry-After"]) >= 1  # type: ignore[index]
        assert other.get("/me").status_code == 200  # per token
    finally:
        app.extensions["db_engine"].dispose()


def _limits() -> dict[str, str]:
    from app.config import RATE_LIMIT_DEFAULTS

    return dict(RATE_LIMIT_DEFAULTS)


def test_a_token_is_stamped_to_the_minute_not_on_every_request(app: Flask, session: Session) -> None:
    from app.services.team import api_tokens

    user = make_user(session)
    secret = token_for(app, session, user)
    first = api_tokens.authenticate(session, secret, "203.0.113.9")[1].last_used_at
    session.commit()
    assert first is not None
    # Within the minute, from the same address: nothing is written.
    api_tokens.authenticate(session, secret, "203.0.113.9", now=first + timedelta(seconds=30))
    assert not session.dirty
    # From another address, or a minute on: stamped again.
    _, row = api_tokens.authenticate(session, secret, "198.51.100.7", now=first + timedelta(seconds=40))
    assert row.last_used_from == "198.51.100.7" and row.last_used_at == first + timedelta(seconds=40)
    _, row = api_tokens.authenticate(session, secret, "198.51.100.7", now=first + timedelta(minutes=2))
    assert row.last_used_at == first + timedelta(minutes=2)
