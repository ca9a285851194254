"""Sign-ins kept on the server: each device's session lasts until it is ended here.

A cookie alone proves nothing once its sign-in has ended, so signing out, signing out of every
device and a password change end the session and the remember-me cookie wherever they were copied.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from app import clock
from app.models import AuditEvent, SignIn, User, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, user: User) -> str:
    """Record a new sign-in for this device and attach it to the user (the caller commits)."""
    key = secrets.token_urlsafe(24)
    session.add(SignIn(user_id=user.id, key_digest=_digest(key), started_at=clock.wall_now()))
    user.attach_sign_in(key)
    return key


def user_for(session: Session, user_id: int, key: str) -> User | None:
    """The user whose sign-in this is, if it has not ended nor outlived the remember-me period."""
    if not key:
        return None
    # The remember-me period runs by the real calendar, as the cookie's does (app/clock.py: wall_now).
    oldest = clock.wall_now() - timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"])
    user = session.exec(select(User).join(SignIn, SignIn.user_id == User.id).where(  # type: ignore[arg-type]
        User.id == user_id, SignIn.key_digest == _digest(key),
        SignIn.ended_at.is_(None), SignIn.started_at > oldest)).first()  # type: ignore[union-attr]
    if user is not None:
        user.attach_sign_in(key)
    return user


def end(session: Session, user: User) -> None:
    """End the sign-in the user was loaded through (this device), audited (the caller commits)."""
    key = user.__dict__.get("_sign_in_key", "")
    session.execute(update(SignIn).where(SignIn.user_id == user.id, SignIn.key_digest == _digest(key),  # type: ignore[arg-type]
                                      SignIn.ended_at.is_(None)).values(ended_at=utcnow()))  # type: ignore[union-attr]
    session.add(AuditEvent(actor_id=user.id, action="auth.signed_out"))


def end_all(session: Session, user: User) -> int:
    """End every sign-in of the user on every device (the caller audits and commits); how many."""
    result = session.execute(update(SignIn).where(SignIn.user_id == user.id,  # type: ignore[arg-type]
                                               SignIn.ended_at.is_(None)).values(ended_at=utcnow()))  # type: ignore[union-attr]
    return int(result.rowcount or 0)


def forget_old(session: Session, now: datetime | None = None) -> int:
    """Delete sign-ins that ended, or outlived the remember-me period, over a day ago (the daily sweep)."""
    before = (now or utcnow()) - timedelta(days=1)
    oldest = clock.wall_now() - timedelta(days=1 + current_app.config["REMEMBER_COOKIE_DAYS"])
    result = session.execute(delete(SignIn).where(or_(SignIn.ended_at < before,  # type: ignore[operator]
                                                      SignIn.started_at < oldest)))
    session.commit()
    return int(result.rowcount or 0)
