"""Rate limits (Flask-Limiter) on the endpoints where guessing or flooding pays: one table, applied by endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from .config import RATE_LIMIT_DEFAULTS
from .models import User


def _account() -> str:
    """The email a sign-in names, as stored: unknown and known emails are counted alike."""
    email = User.normalise_email(request.form.get("email") or "")
    return f"account:{email}" if email else ""


def _person() -> str:
    """The signed-in person, else the address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _token() -> str:
    """The secret link itself (a leaked feed polled hard is slowed, not the address behind a school's NAT)."""
    return f"token:{(request.view_args or {}).get('token', '')}"


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _miss(response: Response) -> bool:
    return response.status_code == 404


@dataclass(frozen=True)
class Rule:
    """One limit on one endpoint: the named limit, what it counts by, and which responses count."""

    endpoint: str
    name: str
    advice: str
    key: Callable[[], str] = get_remote_address
    methods: tuple[str, ...] | None = ("POST",)
    counts: Callable[[Response], bool] | None = None  # None: every request counts


_SIGN_IN = "Too many failed sign-ins. Wait {wait}, then try again, or reset your password."
_LINK = "Too many requests for this link. Wait {wait}, then try again."
RULES = [
    Rule("auth.sign_in", "sign_in_address", _SIGN_IN, counts=_failed_sign_in),
    Rule("auth.sign_in", "sign_in_account", _SIGN_IN, key=_account, counts=_failed_sign_in),
    Rule("auth.request_reset", "password_reset", "Too many reset requests from here. Wait {wait}, then try again."),
    Rule("auth.reset_password", "token_link", _LINK, methods=None),
    Rule("auth.sign_up", "sign_up", "Too many new accounts from here. Wait {wait}, then try again."),
    Rule("candidate.invite", "invitation",
         "You have sent many invitations in a short time. Wait {wait} before sending more.", key=_person),
    Rule("candidate.invitation", "token_link", _LINK, methods=None),
    Rule("candidate.accept_invitation", "token_link", _LINK),
    # Each start writes an attempt row and asks the provider for its configuration.
    Rule("auth.district_sign_in", "district_sign_in", "Too many sign-ins started from here. Wait {wait}, then try again.",
         methods=None),
    Rule("candidate.calendar", "calendar_feed", _LINK, key=_token, methods=None),
    Rule("candidate.calendar", "calendar_feed_miss", _LINK, methods=None, counts=_miss),
    Rule("candidate.create_calendar_feed", "calendar_feed_change",
         "The calendar link was changed many times. Wait {wait}, then try again.", key=_person),
    Rule("candidate.revoke_calendar_feed", "calendar_feed_change",
         "The calendar link was changed many times. Wait {wait}, then try again.", key=_person),
]


def limit_for(name: str) -> str:
    """The configured limit called `name` (config RATE_LIMITS, else the default)."""
    return (current_app.config.get("RATE_LIMITS") or {}).get(name) or RATE_LIMIT_DEFAULTS[name]


def _wait(name: str) -> str:
    seconds = parse(limit_for(name)).get_expiry()
    if seconds < 120:
        return "a minute"
    if seconds < 3600:
        return f"{seconds // 60} minutes"
    return "an hour" if seconds < 7200 else f"{seconds // 3600} hours"


def init_app(app: Flask) -> Limiter:
    """A limiter for this app (memory, or Redis via RATELIMIT_STORAGE_URI), wrapped around every RULES endpoint."""
    if app.config.get("PROXY_COUNT"):
        # Behind a proxy every request comes from the proxy; trust its X-Forwarded-For for the client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"])  # type: ignore[method-assign]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "ct-limits")
    # Redis down must not take sign-in down with it: count in memory until it is back.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # the wrapped views hold it only weakly
    for rule in RULES:
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            raise LookupError(f"rate limit for {rule.endpoint!r}, which no route serves")
        app.view_functions[rule.endpoint] = limiter.limit(
            lambda name=rule.name: limit_for(name),  # type: ignore[misc]
            key_func=rule.key, methods=list(rule.methods) if rule.methods else None, deduct_when=rule.counts,
            error_message=lambda rule=rule: rule.advice.format(wait=_wait(rule.name)),  # type: ignore[misc]
        )(view)
    return limiter
