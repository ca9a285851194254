"""The transactional outbox: work written with the command, run once after commit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import create_app, outbox
from app.models import AuditEvent, OutboxMessage
from app.services.notifications.registry import _HANDLERS, handler
from tests import services

CALLS: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def recording_handler() -> Any:
    """A handler that records its calls and writes an audit row in the job's own transaction."""
    CALLS.clear()
    if "test.record" not in _HANDLERS:

        @handler("test.record")
        def record(session: Session, **payload: Any) -> None:
            if payload.get("fail"):
                raise RuntimeError("handler failed on purpose")
            CALLS.append(payload)
            session.add(AuditEvent(action="test.recorded", details=payload))

    yield


def queue_message(app: Flask, key: str = "k1", **payload: Any) -> int:
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        message = outbox.add(session, "test.record", key, **payload)
        session.add(AuditEvent(action="test.command"))
        outbox.commit(session)
        return message.id  # type: ignore[return-value]


def message(app: Flask, message_id: int) -> OutboxMessage:
    with Session(app.extensions["db_engine"]) as session:
        return session.get(OutboxMessage, message_id)  # type: ignore[return-value]


def test_without_redis_the_job_runs_in_process_right_after_commit(app: Flask) -> None:
    message_id = queue_message(app, n=1)
    assert CALLS == [{"n": 1}]
    assert message(app, message_id).completed_at is not None


def test_a_rolled_back_command_runs_nothing(app: Flask) -> None:
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        outbox.add(session, "test.record", "never", n=2)
        session.flush()
        session.rollback()
        session.add(AuditEvent(action="test.other"))
        outbox.commit(session)
        assert session.exec(select(OutboxMessage)).all() == []
    assert CALLS == []


def test_the_same_dedupe_key_is_written_once(app: Flask) -> None:
    first = queue_message(app, "same", n=1)
    second = queue_message(app, "same", n=1)
    assert first == second
    assert CALLS == [{"n": 1}]


def test_a_completed_message_is_not_run_again(app: Flask) -> None:
    from app.jobs.outbox import run_message

    message_id = queue_message(app, n=3)
    with app.app_context():
        assert run_message(message_id) == "already completed"
    assert CALLS == [{"n": 3}]


def test_a_failing_handler_leaves_the_message_pending_for_the_relay(app: Flask) -> None:
    message_id = queue_message(app, fail=True)
    pending = message(app, message_id)
    assert pending.completed_at is None
    assert "handler failed on purpose" in (pending.last_error or "")
    # The command's own write was committed regardless.
    with Session(app.extensions["db_engine"]) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "test.command")).first() is not None


@pytest.fixture
def redis_app(app_config: dict[str, Any]) -> Any:
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    from redis import Redis

    Redis.from_url(services.REDIS_URL).flushdb()
    application = create_app({**app_config, "REDIS_URL": services.REDIS_URL})
    yield application
    Redis.from_url(services.REDIS_URL).flushdb()


@pytest.mark.redis
def test_with_redis_the_job_waits_for_a_worker_and_runs_once(redis_app: Flask) -> None:
    from rq import SimpleWorker

    message_id = queue_message(redis_app, n=4)
    assert CALLS == []  # queued, not run in the request
    assert message(redis_app, message_id).dispatched_at is not None
    queue = redis_app.extensions["rq_queue"]
    assert queue.fetch_job(f"outbox-{message_id}") is not None
    with redis_app.app_context():
        SimpleWorker([queue], connection=queue.connection, serializer=queue.serializer).work(burst=True)
    assert CALLS == [{"n": 4}]
    assert message(redis_app, message_id).completed_at is not None


@pytest.mark.redis
def test_redis_down_loses_nothing_and_the_relay_delivers_later(app_config: dict[str, Any]) -> None:
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    from datetime import timedelta

    from redis import Redis
    from rq import SimpleWorker

    down = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    message_id = queue_message(down, n=5)  # the command succeeds although Redis is unreachable
    stranded = message(down, message_id)
    assert stranded.dispatched_at is None and stranded.completed_at is None

    Redis.from_url(services.REDIS_URL).flushdb()
    back = create_app({**app_config, "REDIS_URL": services.REDIS_URL})
    with back.app_context():
        assert outbox.relay(older_than=timedelta(0)) == 1
        queue = back.extensions["rq_queue"]
        SimpleWorker([queue], connection=queue.connection, serializer=queue.serializer).work(burst=True)
    assert CALLS == [{"n": 5}]
    assert message(back, message_id).completed_at is not None
    Redis.from_url(services.REDIS_URL).flushdb()
