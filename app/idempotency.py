"""Idempotency tokens: a form that creates something creates it once, however often it is sent.

A double click, a reload of the POST, a browser retrying a slow request: each sends the same form
again. Every such form carries a random token, and the route claims it in the same transaction as
the command, with one `INSERT ... ON CONFLICT DO NOTHING` into `idempotency_key`:

- the first copy inserts the key and runs the command; its commit keeps both;
- a copy arriving later (or waiting on PostgreSQL for the first one's transaction) inserts
  nothing, runs nothing, and is sent back to the page it came from with "that was already saved";
- a command that fails rolls back, taking its key with it, so the person can simply submit again.

Using it is one line in the template and one in the route::

    <form method="post" ...>
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      {{ idempotency_field() }}            {# or next to {{ form.hidden_tag() }} #}

    @bp.post("/things")
    @login_required
    @idempotent                            # innermost: it runs right before the view
    def create_thing(): ...

The view must use the request's session (`app.db.get_session()`), as every route does, and commit
once (`outbox.commit(session)`). A form sent without a token (an API client, an old page) works as
before, without the protection. Keys older than a day are forgotten by the outbox relay's sweep.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from markupsafe import Markup
from sqlmodel import Session, delete

from app.db import get_session
from app.models import IdempotencyKey, utcnow

FIELD = "idempotency_token"
KEEP = timedelta(days=1)
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ALREADY_DONE = "That was already sent a moment ago and saved once; nothing was added twice."


def init_app(app: Flask) -> None:
    """Offer `idempotency_field()` to every template."""
    app.jinja_env.globals["idempotency_field"] = field


def field() -> Markup:
    """The hidden input carrying a fresh token: one per rendering of the form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, secrets.token_urlsafe(24))


def claim(session: Session, token: str) -> bool:
    """Record `token` in this transaction; False if a committed (or racing) copy already holds it."""
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(key=token, created_at=utcnow()).on_conflict_do_nothing(
        index_elements=[table.c.key]).returning(table.c.key)
    return session.execute(statement).first() is not None


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view once per form token; a repeated submission goes back where it came from."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = request.form.get(FIELD, "") if request.method == "POST" else ""
        if token and _SHAPE.match(token) and not claim(get_session(), token):
            get_session().rollback()
            flash(ALREADY_DONE, "info")
            return redirect(_back(), code=303)
        return view(*args, **kwargs)

    return wrapper


def purge(session: Session, older_than: timedelta = KEEP) -> None:
    """Forget keys of forms sent long ago (a reload after a day is a new submission)."""
    session.exec(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - older_than))  # type: ignore[call-overload, arg-type]


def _back() -> str:
    # The page the form was on, if it is ours; the home page otherwise (a POST address may have
    # no page of its own).
    parts = urlsplit(request.referrer or "")
    if parts.netloc == request.host and parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("main.home")
