"""Outbox handlers that send email. Each re-reads the database: stale work does nothing."""

from __future__ import annotations

from flask import url_for
from sqlmodel import Session

from app import mail
from app.models import User

from .registry import handler


@handler("email.password_reset")
def send_password_reset(session: Session, user_id: int) -> None:
    """Email a single-use, expiring password-reset link."""
    from app.auth.tokens import make_reset_token

    user = session.get(User, user_id)
    if user is None or not user.active:
        return
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    mail.send(mail.compose(user.email, "Reset your Credential Tracker password", "password_reset",
                           user=user, link=link))
