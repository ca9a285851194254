"""Sign-in (flask-login) and CSRF protection (flask-wtf), wired to the app."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .db import get_session

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
    """Load the signed-in user through this device's sign-in; an ended one signs nobody in."""
    from app.services.team import sign_ins

    raw_id, _, key = user_id.partition(":")
    if not raw_id.isdigit() or len(raw_id) > 18:  # beyond any id: no query
        return None
    return sign_ins.user_for(get_session(), int(raw_id), key)


def sign_in_on_this_device(user, remember: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Start a server-side sign-in for this device, then hand its id to flask-login's cookies."""
    from flask import session as cookie_session
    from flask_login import login_user

    from app import outbox
    from app.services.team import sign_ins

    # No fixation: whatever the cookie carried before (a planted session, its CSRF token) is dropped.
    cookie_session.clear()
    session = get_session()
    sign_ins.start(session, user)
    outbox.commit(session)
    login_user(user, remember=remember)

