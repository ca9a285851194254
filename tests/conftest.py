"""Fixtures: an app on a fresh database per test, its client, and signed-in helpers.

The whole suite runs on SQLite by default. With TEST_DATABASE_URL=postgresql+psycopg://...
it runs on PostgreSQL, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import app.models
from app import clock, create_app
from app.db import make_engine
from tests import services, today

# No property test fails for being slow: a deadline is a timed assertion, and a busy CI machine
# once took 252 ms for a case that takes 6 ms (tests/workflows/test_school_calendar.py).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

# The app counts days in its zone (TIMEZONE, Los Angeles by default); so do the tests (tests/today.py),
# and a date the standard library makes from a timestamp must agree with both.
os.environ["TZ"] = "America/Los_Angeles"
time.tzset()
# Rows a test arranges outside any app are stamped on the suite's day too, as the app's would be.
clock.set_offset_outside_apps(today.OFFSET_SECONDS)

LANE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = LANE_URL.startswith("postgresql")


def with_search_path(url: str, schema: str) -> str:
    """The URL, with every connection confined to one schema.

    A connection a test leaves idle inside a transaction is ended by the server after 90 s (longer
    than any test waits on purpose, e.g. for a lost worker's job):
    otherwise the TRUNCATE that empties the tables for the next test would wait for it forever.
    """
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}%20-cidle_in_transaction_session_timeout%3D90000"


@contextmanager
def schema_on_postgres(server_url: str, prefix: str) -> Iterator[dict[str, Any]]:
    """A schema of its own with every table (dropped afterwards): its URL, engine and the TRUNCATE that empties it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = with_search_path(server_url, schema)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    try:
        yield {"url": url, "engine": engine, "truncate": f"TRUNCATE {tables} RESTART IDENTITY CASCADE"}
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A database with the schema in place, made once per session."""
    if ON_POSTGRES:
        why = services.postgres_available()
        if why:
            services.unavailable("PostgreSQL", why)
        with schema_on_postgres(LANE_URL, "ct_test") as template:
            yield template
    else:
        path = tmp_path_factory.mktemp("db") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        SQLModel.metadata.create_all(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield {"path": path}


@pytest.fixture
def database_url(database_template: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """A database URL whose tables are empty at the start of each test."""
    if ON_POSTGRES:
        yield database_template["url"]
        with database_template["engine"].begin() as conn:
            conn.execute(text(database_template["truncate"]))
    else:
        # A copy of the template per test: cheap, and the audit triggers forbid DELETE anyway.
        path = tmp_path / "test.db"
        shutil.copy(database_template["path"], path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """The configuration each test's app is built with; tests may adjust it before `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "MAIL_BACKEND": "folder",
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PREVIEW_FOLDER": str(tmp_path / "previews"),
        "AUDIT_ANCHOR_FILE": str(tmp_path / "audit-anchors.log"),
        "BASE_URL": "http://localhost",
        # Each test's own runtime clock: a moved clock never leaks into another test or the dev instance.
        "CLOCK_FILE": str(tmp_path / "clock.json"),
        # The suite's day, never the machine's (tests/today.py); a test moves on from it with `+=`.
        "CLOCK_OFFSET_SECONDS": today.OFFSET_SECONDS,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh application with CSRF protection on, as in production."""
    application = create_app(app_config)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client."""
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session for arranging and checking data, outside any request.

    It pushes no app context: in Flask 3.1 requests reuse a pushed one, and would then
    share `g` and the request's database session across requests.
    """
    with Session(app.extensions["db_engine"], expire_on_commit=False) as db_session:
        yield db_session


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a page hands out, read the way a browser would get it."""
    page = client.get(path)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1) or match.group(2)


class Auth:
    """Signs a client in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, email: str, password: str = "correct horse battery", remember: bool = False):  # type: ignore[no-untyped-def]
        data = {"email": email, "password": password, "csrf_token": csrf_token(self.client, "/auth/sign-in")}
        if remember:
            data["remember"] = "y"
        return self.client.post("/auth/sign-in", data=data)

    def sign_out(self):  # type: ignore[no-untyped-def]
        return self.client.post("/auth/sign-out", data={"csrf_token": csrf_token(self.client, "/")})


def signed_in(app: Flask, email: str, password: str = "correct horse battery") -> FlaskClient:
    """A new client of `app`, signed in as `email` through the real form."""
    client = app.test_client()
    assert Auth(client).sign_in(email, password).status_code == 302
    return client


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Sign-in helper for the test client."""
    return Auth(client)


def make_user(session: Session, email: str = "ana@example.org", name: str = "Ana Ruiz",
              password: str = "correct horse battery") -> app.models.User:
    """A user who can sign in with `password`."""
    from app.services.team import accounts

    user = accounts.create_user(session, email, name, password)
    session.commit()
    return user
