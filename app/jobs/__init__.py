"""Background work: RQ when REDIS_URL is set, in-process right after commit otherwise.

Every job takes ids, opens its own session, re-reads what it needs, and is safe to run twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Create the RQ queue when Redis is configured (jobs then run in `rq worker`)."""
    url = app.config.get("REDIS_URL")
    app.extensions["rq_queue"] = None
    app.extensions["redis"] = None
    if url:
        from redis import Redis
        from rq import Queue

        # Short timeouts: a command must not hang for seconds when Redis is down; the outbox
        # relay delivers later.
        connection = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=None)
        app.extensions["redis"] = connection
        app.extensions["rq_queue"] = Queue("default", connection=connection, serializer="json")


def queue() -> Any:
    """The RQ queue, or None when jobs run in-process."""
    return current_app.extensions.get("rq_queue")


def with_app_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job inside an app context: the caller's in-process, one app per worker process."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        global _worker_app
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return func(*args, **kwargs)

    return wrapper
