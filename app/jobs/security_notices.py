"""Outbox handler for the notice sent to an account's owner after repeated failed sign-ins."""

from __future__ import annotations

from sqlmodel import Session

from app.models import User
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.urls import external_url


@handler("email.sign_in_notice")
def send_sign_in_notice(session: Session, user_id: int, failures: int) -> Email | None:
    """Tell the owner that someone keeps failing to sign in as them, and what to do if it was not them."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    link = external_url("auth.request_reset")
    return Email(user.email, "Failed sign-ins to your Credential Tracker account", "sign_in_notice",
                 {"user": user, "failures": failures, "link": link}, recipient_id=user.id, link=link)
