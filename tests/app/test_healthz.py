"""GET /healthz reports the database and Redis."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app import create_app
from tests import services


def _status(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The answer without the free space, which is the machine's."""
    body = response.get_json()
    assert isinstance(body.pop("disk_free_mb"), int)
    return body


def test_healthz_with_redis_unset_reports_it_disabled(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert _status(response) == {"status": "ok", "database": "ok", "redis": "disabled", "disk": "ok"}


@pytest.mark.redis
def test_healthz_with_redis_up(app_config: dict[str, Any]) -> None:
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    app = create_app({**app_config, "REDIS_URL": services.REDIS_URL})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert _status(response) == {"status": "ok", "database": "ok", "redis": "ok", "disk": "ok"}


def test_healthz_with_redis_down_is_degraded_but_200(app_config: dict[str, Any]) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert _status(response) == {"status": "degraded", "database": "ok", "redis": "unavailable", "disk": "ok"}


def test_healthz_without_a_database_is_503(app_config: dict[str, Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "no-such-folder" / "db.sqlite"  # SQLite cannot create a file in a missing folder
    app: Flask = create_app({**app_config, "DATABASE_URL": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_healthz_needs_no_sign_in_and_leaks_no_detail(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/healthz").get_data(as_text=True)
    assert "sqlite" not in body.lower() and "password" not in body.lower()
