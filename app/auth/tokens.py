"""Password-reset links: signed, expiring, and void once the password changes."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from app.models import User

_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_reset_token(user: User) -> str:
    """A token naming the user and their current session stamp."""
    return _serializer().dumps({"user": user.id, "stamp": user.session_stamp})


class InvalidResetLink(Exception):
    """The link is malformed, expired, or was already used."""


def user_for_reset_token(session: Session, token: str) -> User:
    """The user a valid token names; setting a new password changes the stamp, so each link works once."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidResetLink("This reset link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise InvalidResetLink("This reset link is not valid. Ask for a new one below.") from None
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or user.session_stamp != data.get("stamp"):
        raise InvalidResetLink("This reset link has already been used. Ask for a new one below.")
    return user
