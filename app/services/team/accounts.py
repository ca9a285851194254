"""Accounts: creating users, signing in, resetting passwords — each audited."""

from __future__ import annotations

import functools
import secrets

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.models import AuditEvent, User, utcnow
from app.services.notifications import outbox


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the person."""


def find_by_email(session: Session, email: str) -> User | None:
    """The user with this email, compared without case."""
    return session.exec(select(User).where(User.email == User.normalise_email(email))).first()


def create_user(session: Session, email: str, name: str, password: str) -> User:
    """Add a user with a hashed password (the caller commits)."""
    email = User.normalise_email(email)
    if find_by_email(session, email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    if len(password) < 10:
        raise AccountError("Use a password of at least 10 characters.")
    user = User(email=email, name=name.strip() or email, password_hash="")
    user.set_password(password)
    session.add(user)
    session.flush()
    session.add(AuditEvent(actor_id=user.id, action="account.created"))
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password matches, else None; both failures look the same to the caller."""
    user = find_by_email(session, email)
    if user is None:
        # Hash anyway so a wrong email costs as long as a wrong password.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        session.add(AuditEvent(actor_id=user.id, action="auth.sign_in_failed"))
        outbox.commit(session)
        return None
    user.last_sign_in_at = utcnow()
    session.add(AuditEvent(actor_id=user.id, action="auth.signed_in"))
    outbox.commit(session)
    return user


def request_password_reset(session: Session, email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        return
    session.add(AuditEvent(actor_id=user.id, action="auth.password_reset_requested"))
    outbox.add(session, "email.password_reset", f"password-reset-{user.id}-{user.session_stamp}-{utcnow().timestamp():.0f}",
               user_id=user.id)
    outbox.commit(session)


def reset_password(session: Session, user: User, password: str) -> None:
    """Set a new password; every older reset link and session stops working."""
    user.set_password(password)
    session.add(AuditEvent(actor_id=user.id, action="auth.password_reset"))
    outbox.commit(session)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))
