"""Reaching the real services: under CI=true a missing one fails the run, elsewhere it skips."""

from __future__ import annotations

import os

import pytest

POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")



def _redis_database() -> int:
    """Databases 8 to 15, one per pytest-xdist worker: a test empties its database before and after,
    which must never empty the queue of a test running beside it in another worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return 8 + int(worker or 0) % 8


REDIS_URL = os.environ.get("REDIS_TEST_URL", f"redis://127.0.0.1:6379/{_redis_database()}")


def in_ci() -> bool:
    """Whether this run is CI's, where every service must be there."""
    return os.environ.get("CI", "").lower() == "true"


def unavailable(service: str, why: object) -> None:
    """Fail under CI, skip elsewhere, naming the service and the reason."""
    message = f"{service} is not reachable ({why})"
    if in_ci():
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(f"{message}; start it to run these tests")


def postgres_available() -> str | None:
    """None if PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as error:  # noqa: BLE001
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def redis_available() -> str | None:
    """None if Redis answers, else the reason it does not."""
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return None
    except Exception as error:  # noqa: BLE001
        return str(error)
