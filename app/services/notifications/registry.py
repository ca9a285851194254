"""Named handlers for outbox messages: the outbox stores a name, never a function.

A handler takes the job's session and the message's payload (ids, never objects), re-reads the
database, and either does its work in that session or returns an `Email` for the runner to
deliver once. Returning None means "nothing to do any more" (the row moved on): not an error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

Handler = Callable[..., Any]
_HANDLERS: dict[str, Handler] = {}

# Modules that register handlers; a feature with its own handlers adds its module here.
HANDLER_MODULES = ["app.jobs.notifications", "app.jobs.tasks", "app.jobs.recommendations", "app.jobs.security_notices",
                   "app.jobs.approver_notices", "app.jobs.program_notices", "app.jobs.turns"]


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of outbox messages called `name`."""

    def register(func: Handler) -> Handler:
        if name in _HANDLERS:
            raise ValueError(f"outbox handler {name!r} registered twice")
        _HANDLERS[name] = func
        return func

    return register


def run(name: str, session: Session, payload: dict[str, Any]) -> Any:
    """Call the handler registered for `name` with the message's payload; returns what it returns."""
    _load_handlers()
    try:
        func = _HANDLERS[name]
    except KeyError:
        raise LookupError(f"no outbox handler named {name!r}") from None
    return func(session, **payload)


def names() -> list[str]:
    """Every registered handler name."""
    _load_handlers()
    return sorted(_HANDLERS)


def _load_handlers() -> None:
    # Imported late: handler modules import models and mail, which import the app package.
    for module in HANDLER_MODULES:
        importlib.import_module(module)
