"""Personal access tokens for the JSON API: made and revoked by their owner, each audited.

The secret is shown once, when it is made; only its SHA-256 is kept. A token acts as its owner
with exactly the owner's roles (the API asks the same policy as the pages do), until it expires or
is revoked. Its use is stamped, to the minute, with when and from which address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from app.models import ApiToken, AuditEvent, User, utcnow
from app.services import NotFound, PathwayError

PREFIX = "ct_"
LIFETIMES = (30, 90, 365)  # days a person may choose; a token never lives longer than a year
MAX_ACTIVE = 20  # per person: more is a sign of tokens made and forgotten
NAME_LENGTH = 80
STAMP_EVERY = timedelta(minutes=1)  # how fresh "last used" is kept


class TokenError(PathwayError):
    """A token request that cannot be carried out, with a message for the person."""

    status = 422


class Unauthorised(PathwayError):
    """No token, or one that is unknown, expired, revoked or whose owner is deactivated."""

    status = 401


def digest(secret: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def active(session: Session, user: User, now: datetime | None = None) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    now = now or utcnow()
    return list(session.exec(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)  # type: ignore[union-attr]
        .order_by(ApiToken.id.desc())).all())  # type: ignore[union-attr]


def create(session: Session, user: User, name: str, days: int, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Make a token for `user` (the caller commits); returns the row and the secret, shown only now."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Name the token after the app or system that will use it.")
    if len(name) > NAME_LENGTH:
        raise TokenError(f"Keep the name under {NAME_LENGTH} characters.")
    if days not in LIFETIMES:
        raise TokenError("Choose how long the token lasts from the list.")
    count = session.exec(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)).one()  # type: ignore[union-attr]
    if count >= MAX_ACTIVE:
        raise TokenError(f"You have {MAX_ACTIVE} tokens already. Revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, prefix=secret[:len(PREFIX) + 6], token_hash=digest(secret),  # type: ignore[arg-type]
                   created_at=now, expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    session.add(AuditEvent(actor_id=user.id, action="api_token.created", occurred_at=now,
                           details={"token": row.id, "name": name, "expires_at": row.expires_at.isoformat()}))
    return row, secret


def revoke(session: Session, user: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Stop one of the person's own tokens at once (the caller commits); someone else's is not found."""
    now = now or utcnow()
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("There is no such token.")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        session.add(AuditEvent(actor_id=user.id, action="api_token.revoked", occurred_at=now,
                               details={"token": row.id, "name": row.name}))
    return row


def authenticate(session: Session, secret: str, address: str | None, now: datetime | None = None) -> tuple[User, ApiToken]:
    """The owner of a working token, with its use stamped (the caller commits); Unauthorised otherwise."""
    now = now or utcnow()
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise Unauthorised("The token is not one this service issued.")
    found = session.exec(select(ApiToken, User).join(User, ApiToken.user_id == User.id)  # type: ignore[arg-type]
                         .where(ApiToken.token_hash == digest(secret))).first()
    if found is None:
        raise Unauthorised("The token is not one this service issued.")
    row, user = found
    if row.revoked_at is not None:
        raise Unauthorised("The token was revoked. Make a new one on your API tokens page.")
    if row.expires_at <= now:
        raise Unauthorised("The token has expired. Make a new one on your API tokens page.")
    if not user.is_active:
        raise Unauthorised("The token's account is not active.")
    address = (address or "")[:64] or None
    # Stamped to the minute: a client polling every second does not write every second.
    if row.last_used_at is None or now - row.last_used_at >= STAMP_EVERY or row.last_used_from != address:
        row.last_used_at, row.last_used_from = now, address
        session.add(row)
    return user, row
