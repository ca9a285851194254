"""Sign-in (flask-login) and CSRF protection (flask-wtf), wired to the app."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .db import get_session
from .models import User

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Attach sign-in and CSRF protection."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # A stolen session cookie replayed from elsewhere is downgraded to "not fresh".
    login_manager.session_protection = "basic"
    csrf.init_app(app)


@login_manager.user_loader
def load_user(user_id: str):  # type: ignore[no-untyped-def]
    """Load the signed-in user; a stale session stamp (password changed) signs them out."""
    raw_id, _, stamp = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = get_session().get(User, int(raw_id))
    if user is None or user.session_stamp != stamp:
        return None
    return user
