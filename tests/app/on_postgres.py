"""Fixtures for tests that need PostgreSQL whichever lane runs them (races, a database outage).

Import `postgres_schema` and `database_url` into a test module: its `app` then runs on a schema
of its own in the PostgreSQL service, emptied after each test. Without the service the tests skip
with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table in the metadata)
from app.db import make_engine
from tests import services
from tests.conftest import with_search_path


@pytest.fixture(scope="module")
def postgres_schema() -> Iterator[dict[str, Any]]:
    """A schema with every table, for this module's tests."""
    why = services.postgres_available()
    if why:
        services.unavailable("PostgreSQL", why)
    schema = f"ct_fault_{uuid.uuid4().hex[:8]}"
    admin = make_engine(services.POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = with_search_path(services.POSTGRES_URL, schema)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    yield {"url": url, "engine": engine, "truncate": f"TRUNCATE {tables} RESTART IDENTITY CASCADE"}
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def database_url(postgres_schema: dict[str, Any]) -> Iterator[str]:
    """This module's PostgreSQL schema, empty at the start of each test."""
    yield postgres_schema["url"]
    with postgres_schema["engine"].begin() as conn:
        conn.execute(text(postgres_schema["truncate"]))
