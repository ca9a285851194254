"""The RQ queue, when REDIS_URL is set; without it, outbox work runs in-process after commit."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app


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


def current_queue() -> Any:
    """The RQ queue, or None when jobs run in-process."""
    return current_app.extensions.get("rq_queue")
