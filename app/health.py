"""The checks behind /healthz, each bounded in time whatever the service does.

A load balancer probes every few seconds with a short timeout, so a probe must answer within a
second even when Redis accepts connections and never replies, or the database host is frozen
(no driver timeout is that short: libpq's connect timeout is at least 2 s). Each check runs in a
thread of its own; whatever has not answered by the deadline counts as unavailable. A check still
stuck from an earlier probe is not started again, so a hung service never piles up threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from sqlalchemy import text
from sqlalchemy.engine import Engine

DEADLINE_SECONDS = 0.8
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")
_lock = threading.Lock()


def _start(running: dict[str, Future[None]], name: str, check: Callable[[], None]) -> Future[None]:
    with _lock:
        previous = running.get(name)
        if previous is not None and not previous.done():
            return previous  # still stuck: wait on that one, start nothing new
        future = _pool.submit(check)
        running[name] = future
        return future


def _database(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def check(running: dict[str, Future[None]], engine: Engine, redis: object | None,
          deadline: float = DEADLINE_SECONDS) -> dict[str, str]:
    """"ok" or "unavailable" for the database and Redis ("disabled" when unset), within `deadline`.

    `running` keeps one app's checks between probes (app.extensions).
    """
    futures = {"database": _start(running, "database", lambda: _database(engine))}
    if redis is not None:
        futures["redis"] = _start(running, "redis", redis.ping)  # type: ignore[attr-defined]
    wait(futures.values(), timeout=deadline)
    status = {"redis": "disabled"}
    for name, future in futures.items():
        status[name] = "ok" if future.done() and future.exception() is None else "unavailable"
    return status


def why(running: dict[str, Future[None]]) -> dict[str, str]:
    """What the checks failed with, for the log (never shown to the caller)."""
    reasons = {}
    for name, future in running.items():
        if not future.done():
            reasons[name] = f"no answer within {DEADLINE_SECONDS} s"
        elif future.exception() is not None:
            reasons[name] = str(future.exception())
    return reasons
