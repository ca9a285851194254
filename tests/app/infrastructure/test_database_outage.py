"""The database goes away and comes back: every page answers a friendly 503, then recovers.

A TCP proxy (a thread in this test) sits between the app and PostgreSQL; closing it refuses new
connections and cuts the open ones, as a database restart or a network cut would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import create_app
from tests.app.on_postgres import database_url, postgres_schema  # noqa: F401  (fixtures)
from tests.app.tcp_proxy import Proxy
from tests.conftest import Auth, make_user

pytestmark = pytest.mark.postgres

FRIENDLY = "the service is briefly unavailable, nothing you did was lost"


@pytest.fixture
def proxy(database_url: str) -> Iterator[Proxy]:
    """A proxy in front of the test's PostgreSQL."""
    url = make_url(database_url)
    tunnel = Proxy(url.host or "127.0.0.1", url.port or 5432)
    tunnel.open()
    yield tunnel
    tunnel.close()


@pytest.fixture
def proxied_app(app_config: dict[str, Any], database_url: str, proxy: Proxy) -> Iterator[Flask]:
    """The app, reaching its database only through the proxy."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    application = create_app({**app_config, "DATABASE_URL": url.render_as_string(hide_password=False)})
    yield application
    application.extensions["db_engine"].dispose()


def connection_attempts(app: Flask) -> list[int]:
    """A counter of new database connections the app tries to open."""
    attempts = [0]

    @event.listens_for(app.extensions["db_engine"], "do_connect")
    def count(*_args: Any) -> None:
        attempts[0] += 1

    return attempts


def test_every_page_answers_a_friendly_503_while_the_database_is_down_and_recovers_without_a_restart(
        proxied_app: Flask, proxy: Proxy, session: Session) -> None:
    make_user(session, "ana@example.org")
    client = proxied_app.test_client()
    assert Auth(client).sign_in("ana@example.org").status_code == 302
    assert client.get("/").status_code == 200

    proxy.close()
    attempts = connection_attempts(proxied_app)
    for path in ("/", "/inbox", "/enrollments/1", "/auth/notifications", "/no-such-page"):
        attempts[0] = 0
        page = client.get(path)
        assert page.status_code == 503, path
        text = page.get_data(as_text=True)
        assert FRIENDLY in text.lower(), path
        assert page.headers["Retry-After"].isdigit()
        # One try, the page's own (loading the signed-in person); the error page itself made none.
        assert attempts[0] == 1, (path, attempts[0])
    posted = client.post("/auth/notifications", data={"delivery": "daily"})
    assert posted.status_code == 503 and FRIENDLY in posted.get_data(as_text=True).lower()
    api = client.get("/", headers={"Accept": "application/json"})
    assert api.status_code == 503 and FRIENDLY in api.get_json()["error"].lower()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unavailable"

    proxy.open()  # the database is back: the same app, no restart
    assert client.get("/").status_code == 200
    assert client.get("/healthz").get_json()["database"] == "ok"
    assert client.get("/no-such-page").status_code == 404


def test_a_visitor_who_is_not_signed_in_gets_the_same_friendly_page(
        proxied_app: Flask, proxy: Proxy, session: Session) -> None:
    make_user(session, "ana@example.org")
    client = proxied_app.test_client()
    proxy.close()
    token_page = client.get("/auth/sign-in")
    assert token_page.status_code == 200  # no database needed to show the form
    from tests.conftest import csrf_token

    response = client.post("/auth/sign-in", data={"email": "ana@example.org", "password": "correct horse battery",
                                                  "csrf_token": csrf_token(client, "/auth/sign-in")})
    assert response.status_code == 503 and FRIENDLY in response.get_data(as_text=True).lower()
    proxy.open()
    assert Auth(client).sign_in("ana@example.org").status_code == 302
