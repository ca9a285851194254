"""The app a job runs in: the caller's in-process, one app per worker process under RQ."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, has_app_context

from app import create_app

_worker_app: Flask | None = None


def with_app_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job inside an app context: the caller's in-process, one app per worker process."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        global _worker_app
        if _worker_app is None:
            _worker_app = create_app()
        with _worker_app.app_context():
            return func(*args, **kwargs)

    return wrapper
