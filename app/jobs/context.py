"""The app a job runs in: the caller's in-process, one app per worker process under RQ.

`rq worker` forks a work horse per job, and under it each horse built the app again (imports,
blueprints, templates: seconds per job). `app.jobs.worker.AppWorker` builds it once and runs every
job in its own process. Should anything still fork after the app exists, the child opens its own
database connections (the parent's pooled ones are dropped in the child, never shared).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask, has_app_context

from app import create_app

log = logging.getLogger(__name__)
_worker_app: Flask | None = None


def worker_app() -> Flask:
    """This process's app, built on first use (or inherited from the worker that forked us)."""
    global _worker_app
    if _worker_app is None:
        log.info("building the app for worker process %d", os.getpid())
        _worker_app = create_app()
    return _worker_app


def _after_fork_in_child() -> None:
    # A pooled connection's socket belongs to the parent: the child must open its own. close=False
    # leaves the parent's connections alone (SQLAlchemy's guidance for multiprocessing).
    if _worker_app is not None:
        _worker_app.extensions["db_engine"].dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)


def with_app_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job inside an app context: the caller's in-process, one app per worker process."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return wrapper
