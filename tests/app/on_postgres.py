"""Fixtures for tests that need PostgreSQL whichever lane runs them (races, a database outage).

Import `postgres_schema` and `database_url` into a test module: its `app` then runs on a schema
of its own in the PostgreSQL service, emptied after each test. Without the service the tests skip
with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

import app.models  # noqa: F401  (every table in the metadata)
from tests import services
from tests.conftest import schema_on_postgres


@pytest.fixture(scope="module")
def postgres_schema() -> Iterator[dict[str, Any]]:
    """A schema with every table, for this module's tests."""
    why = services.postgres_available()
    if why:
        services.unavailable("PostgreSQL", why)
    with schema_on_postgres(services.POSTGRES_URL, "ct_fault") as schema:
        yield schema


@pytest.fixture
def database_url(postgres_schema: dict[str, Any]) -> Iterator[str]:
    """This module's PostgreSQL schema, empty at the start of each test."""
    yield postgres_schema["url"]
    with postgres_schema["engine"].begin() as conn:
        conn.execute(text(postgres_schema["truncate"]))
