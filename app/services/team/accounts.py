"""Accounts: creating users, signing in, resetting passwords — each audited."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import outbox, policy
from app.models import AuditEvent, Membership, OutboxMessage, User, utcnow
from app.services import NotPermitted, PathwayError
from app.services.team import staff_activity
from app.services.team.sign_on_providers import SignOnProvider
from workflows.roles import Role

from . import sign_ins


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the person."""


class SignOnRequired(Exception):
    """The password was right, but the person's district has its staff sign in with the district's account."""

    def __init__(self, provider: SignOnProvider) -> None:
        super().__init__("sign-on required")
        self.provider = provider


def find_by_email(session: Session, email: str) -> User | None:
    """The user with this email, compared without case."""
    return session.exec(select(User).where(User.email == User.normalise_email(email))).first()


def create_user(session: Session, email: str, name: str, password: str) -> User:
    """Add a user with a hashed password (the caller commits)."""
    email = User.normalise_email(email)
    try:  # the check the sign-in form makes: an account nobody could sign in to is not made
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(f"{email} is not an email address people can sign in with: {error}") from error
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


def give_service_roles(session: Session, user: User, roles: list[Role]) -> None:
    """Service-wide roles (a service administrator), as `flask create-user --role` gives them: from the
    command line only, since nobody in the browser may make one; audited, and given once."""
    held = set(session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None), Membership.organisation_id.is_(None),  # type: ignore[union-attr]
        Membership.program_id.is_(None), Membership.enrollment_id.is_(None))).all())  # type: ignore[union-attr]
    for role in roles:
        if role.value in held:
            continue
        session.add(Membership(user_id=user.id, role=role.value))
        session.add(AuditEvent(actor_id=None, action="role.granted",
                               details={"role": role.value, "user_id": user.id, "through": "command line"}))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password matches, else None; both failures look the same to the caller.

    Raises SignOnRequired (audited) when the password matches but the person's district requires its
    staff to sign in through its provider: only someone who knows the password learns that.
    """
    user = find_by_email(session, email)
    if user is None:
        # Hash anyway so a wrong email costs as long as a wrong password.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        session.add(AuditEvent(actor_id=user.id, action="auth.sign_in_failed"))
        _notice_repeated_failures(session, user)
        outbox.commit(session)
        return None
    provider = staff_activity.required_provider(session, user)
    if provider is not None:
        session.add(AuditEvent(actor_id=user.id, action="auth.password_refused", reason="district_sign_in_required",
                               details={"organisation_id": provider.organisation_id}))
        outbox.commit(session)
        raise SignOnRequired(provider)
    user.last_sign_in_at = utcnow()
    staff_activity.clear_flags(session, user)
    session.add(AuditEvent(actor_id=user.id, action="auth.signed_in"))
    outbox.commit(session)
    return user


def _notice_repeated_failures(session: Session, user: User) -> None:
    """After SIGN_IN_NOTICE_FAILURES failures within the window, tell the owner, once per window.

    Only an existing account can be told, and the person signing in sees the same answer either way,
    so the notice reveals nothing to them. Counted from the audit trail: no extra state to drift.
    """
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["SIGN_IN_NOTICE_WINDOW_MINUTES"])
    session.flush()
    failures = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "auth.sign_in_failed",
        AuditEvent.occurred_at >= since)).one()
    if failures < config["SIGN_IN_NOTICE_FAILURES"]:
        return
    told = session.exec(select(AuditEvent.id).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "auth.sign_in_notice_sent",
        AuditEvent.occurred_at >= since)).first()
    if told is not None:
        return
    session.add(AuditEvent(actor_id=user.id, action="auth.sign_in_notice_sent", details={"failures": failures}))
    outbox.add(session, "email.sign_in_notice", f"sign-in-notice-{user.id}-{utcnow().timestamp():.0f}",
               user_id=user.id, failures=failures)


def request_password_reset(session: Session, email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        return
    # Locked, so simultaneous requests for one account take turns and each sees the one before
    # (PostgreSQL); then at most one email per RESET_DEBOUNCE_SECONDS, however often it is asked.
    session.exec(select(User.id).where(User.id == user.id).with_for_update()).one()
    prefix = f"password-reset-{user.id}-"
    window = timedelta(seconds=int(current_app.config.get("RESET_DEBOUNCE_SECONDS", 60)))
    recent = session.exec(select(OutboxMessage.id).where(
        OutboxMessage.dedupe_key.startswith(prefix),  # type: ignore[attr-defined]
        OutboxMessage.created_at > utcnow() - window)).first()
    if recent is not None:
        session.rollback()
        return
    session.add(AuditEvent(actor_id=user.id, action="auth.password_reset_requested"))
    outbox.add(session, "email.password_reset", f"{prefix}{user.session_stamp}-{utcnow().timestamp():.0f}",
               user_id=user.id)
    outbox.commit(session)


def reset_password(session: Session, user: User, password: str) -> None:
    """Set a new password; every older reset link and every device's sign-in stops working."""
    user.set_password(password)
    sign_ins.end_all(session, user)
    session.add(AuditEvent(actor_id=user.id, action="auth.password_reset"))
    outbox.commit(session)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def deactivate(session: Session, actor: User, person: User, reason: str, now: datetime | None = None) -> User:
    """Switch an account off (a service administrator only): it signs in nowhere and leaves every queue
    and picker; its records stay (the caller commits and ends its sign-ins)."""
    now = now or utcnow()
    if not policy.is_service_administrator(session, actor):
        raise NotPermitted("Only a service administrator deactivates accounts.")
    if person.id == actor.id:
        raise PathwayError("You cannot deactivate your own account.")
    if not (reason or "").strip():
        raise PathwayError("Say why the account is deactivated: it goes in the record with your name.")
    if not person.active:
        return person
    person.active = False
    session.add(person)
    session.add(AuditEvent(actor_id=actor.id, action="account.deactivated", occurred_at=now,
                           details={"user_id": person.id, "reason": reason.strip()[:500]}))
    return person
