"""GET /healthz reports the database, Redis and the upload disk, answering at once whatever they do."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from app import create_app, health
from tests import services
from tests.conftest import make_user, signed_in


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


class Hung:
    """A service call that blocks until released, as a stuck Redis or a frozen database host does."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, *args: object) -> None:
        self.calls += 1
        self.release.wait(60)
        raise ConnectionError("released")


def _probe(app: Flask) -> Any:
    """GET /healthz in a thread; the response, or a failure if it waited on the hung service."""
    answers: list[Any] = []
    worker = threading.Thread(target=lambda: answers.append(app.test_client().get("/healthz")), daemon=True)
    worker.start()
    worker.join(30)  # a guard against hanging the suite, not a measurement
    assert answers, "/healthz waited on the hung service"
    return answers[0]


def test_healthz_answers_while_redis_hangs_and_does_not_pile_up_checks(app_config: dict[str, Any],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    hung = Hung()
    monkeypatch.setattr(app.extensions["redis"], "ping", hung)
    try:
        first = _probe(app)
        second = _probe(app)  # the first check is still stuck: it is waited on, not started again
        assert not hung.release.is_set()  # both answered while Redis still had not
        for response in (first, second):
            assert response.status_code == 200
            assert _status(response) == {"status": "degraded", "database": "ok", "redis": "unavailable", "disk": "ok"}
        assert hung.calls == 1
    finally:
        hung.release.set()


def test_healthz_answers_503_while_the_database_hangs(app_config: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(app_config)
    hung = Hung()
    monkeypatch.setattr(health, "_database", hung)
    try:
        response = _probe(app)
        assert not hung.release.is_set()
        assert response.status_code == 503
        assert response.get_json()["database"] == "unavailable"
    finally:
        hung.release.set()


def test_healthz_with_a_redis_that_accepts_and_never_answers_is_degraded(app_config: dict[str, Any]) -> None:
    listener = socket.socket()  # connections land in the backlog; nothing ever reads or replies
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        app = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{listener.getsockname()[1]}/0"})
        response = _probe(app)
        assert response.status_code == 200
        assert response.get_json()["redis"] == "unavailable"
    finally:
        listener.close()


def test_an_exhausted_connection_pool_answers_a_quick_friendly_503(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "DATABASE_POOL_TIMEOUT": 0.2})

    with Session(app.extensions["db_engine"]) as session, app.app_context():
        make_user(session)
    client = signed_in(app, "ana@example.org")
    engine = app.extensions["db_engine"]
    held = []
    try:
        while engine.pool.checkedout() < engine.pool.size() + engine.pool._max_overflow:
            held.append(engine.connect())
        page = client.get("/")
        assert page.status_code == 503
        assert "briefly unavailable" in page.get_data(as_text=True)
        assert page.headers["Retry-After"]
        assert _probe(app).status_code == 503
    finally:
        for connection in held:
            connection.close()
    assert client.get("/").status_code == 200  # and back at once
