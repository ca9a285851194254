"""Named handlers for outbox messages: the outbox stores a name, never a function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

Handler = Callable[..., None]
_HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of outbox messages called `name`."""

    def register(func: Handler) -> Handler:
        if name in _HANDLERS:
            raise ValueError(f"outbox handler {name!r} registered twice")
        _HANDLERS[name] = func
        return func

    return register


def run(name: str, session: Session, payload: dict[str, Any]) -> None:
    """Call the handler registered for `name` with the message's payload."""
    _load_handlers()
    try:
        func = _HANDLERS[name]
    except KeyError:
        raise LookupError(f"no outbox handler named {name!r}") from None
    func(session, **payload)


def _load_handlers() -> None:
    # Imported late: handler modules import models and mail, which import the app package.
    from . import notifications  # noqa: F401
