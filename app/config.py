"""Settings read from the environment, with development defaults where they are safe."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Only debug and testing may run on this key; production refuses to start without its own.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"

# Limits in Flask-Limiter's notation, each overridable as RATE_LIMIT_<NAME>. Sign-in counts failures
# only (per address, generous for a school behind one address; per account, strict); feed and
# invitation links count misses per address, so a calendar app polling a good link is never refused.
RATE_LIMIT_DEFAULTS = {
    "sign_in_address": "30 per 10 minutes",
    "sign_in_account": "10 per 10 minutes",
    "password_reset": "10 per hour",
    "sign_up": "10 per hour",
    "invitation": "30 per hour",
    "token_link": "30 per 10 minutes",
    "calendar_feed": "120 per hour",
    "calendar_feed_miss": "20 per 10 minutes",
    "calendar_feed_change": "20 per hour",
    "district_sign_in": "30 per 10 minutes",
    "api_token": "300 per minute",  # each API token (app/api/blueprint.py)
}


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable application."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _ints(value: str | None, default: list[int]) -> list[int]:
    if not value:
        return default
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ConfigurationError(f"expected comma-separated whole numbers of seconds, got {value!r}") from None


def _read_key_file(path: Path) -> str | None:
    # `make run` writes a random key here once, so a local server keeps its sessions.
    return path.read_text().strip() or None if path.is_file() else None


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    env = os.environ
    instance = Path(instance_path)
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _read_key_file(instance / "secret_key"),
        # Encrypts organisations' sign-in client secrets (app/services/team/sign_on_providers.py); unset, a key
        # derived from SECRET_KEY does. Outside the database either way.
        "SIGN_ON_KEY": env.get("SIGN_ON_KEY") or _read_key_file(instance / "sign_on_key"),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'credential-tracker.db'}",
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Fail fast, answer 503: seconds a request waits for a free database connection (the pool
        # is exhausted) and for PostgreSQL to accept a new one, instead of SQLAlchemy's 30 s and
        # libpq's forever.
        "DATABASE_POOL_TIMEOUT": float(env.get("DATABASE_POOL_TIMEOUT", "2")),
        "DATABASE_CONNECT_TIMEOUT": int(env.get("DATABASE_CONNECT_TIMEOUT", "3")),
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "TIMEZONE": env.get("TIMEZONE", "America/Los_Angeles"),
        "CLOCK_OFFSET_SECONDS": _number(env.get("CLOCK_OFFSET_SECONDS")),
        # The runtime clock setting (`flask clock ...`), read only when testing or in debug.
        "CLOCK_FILE": env.get("CLOCK_FILE") or str(instance / "clock.json"),
        "SERVER_NAME": env.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        # Mail: "folder" writes each message to MAIL_FOLDER (development); "smtp" sends it.
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "folder"),
        "MAIL_FOLDER": env.get("MAIL_FOLDER") or str(instance / "mail"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_SENDER": env.get("MAIL_SENDER", "Credential Tracker <no-reply@credential-tracker.local>"),
        "MAIL_TIMEOUT": int(env.get("MAIL_TIMEOUT", "10")),
        # Background jobs: seconds between RQ's retries of a failed job (one retry per entry).
        "JOB_RETRY_INTERVALS": _ints(env.get("JOB_RETRY_INTERVALS"), [10, 60, 300, 900, 3600]),
        # A message handed to Redis but not done after this long is looked up there by the relay
        # (every minute) and handed over again if its job is gone (Redis restarted without
        # persistence, keys evicted).
        "OUTBOX_STALE_SECONDS": int(env.get("OUTBOX_STALE_SECONDS", "60")),
        # Workers (app/jobs/worker.py): how often they look for jobs a lost worker left "started"
        # and whether the scheduler must move to them; how often a running job's heartbeat is
        # renewed (a lapsed heartbeat means its worker is gone); how long a scheduler lock lives.
        "WORKER_MAINTENANCE_SECONDS": int(env.get("WORKER_MAINTENANCE_SECONDS", "15")),
        "WORKER_JOB_HEARTBEAT_SECONDS": int(env.get("WORKER_JOB_HEARTBEAT_SECONDS", "10")),
        "WORKER_SCHEDULER_LOCK_SECONDS": int(env.get("WORKER_SCHEDULER_LOCK_SECONDS", "10")),
        # One email per recipient per window, however often "resend" or "reset" is clicked.
        "RESET_DEBOUNCE_SECONDS": int(env.get("RESET_DEBOUNCE_SECONDS", "60")),
        "RESEND_DEBOUNCE_SECONDS": int(env.get("RESEND_DEBOUNCE_SECONDS", "60")),
        # Uploads live outside the web root, under random names.
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(instance / "uploads"),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "10")),
        # A document's preview (first pages as images, its text), drawn once per version: a cache, safe to delete.
        "PREVIEW_FOLDER": env.get("PREVIEW_FOLDER") or str(instance / "previews"),
        # CTC recommendation packets (CSV + printable summaries) written by the packet job.
        "PACKET_FOLDER": env.get("PACKET_FOLDER") or str(instance / "packets"),
        # The audit record's anchors (app/audit_anchor.py): keep it off the database's disk.
        "AUDIT_ANCHOR_FILE": env.get("AUDIT_ANCHOR_FILE") or str(instance / "audit-anchors.log"),
        # Days a support-team invitation link stays valid.
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "14")),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "REMEMBER_COOKIE_DAYS": int(env.get("REMEMBER_COOKIE_DAYS", "14")),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        # Rate limits (Flask-Limiter): in memory per process, or in Redis (shared) when REDIS_URL is set.
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or None,
        "RATE_LIMITS": {name: env.get(f"RATE_LIMIT_{name.upper()}") or default
                        for name, default in RATE_LIMIT_DEFAULTS.items()},
        # After this many failed sign-ins within the window, the account's owner gets one notice per window.
        "SIGN_IN_NOTICE_FAILURES": int(env.get("SIGN_IN_NOTICE_FAILURES", "5")),
        "SIGN_IN_NOTICE_WINDOW_MINUTES": int(env.get("SIGN_IN_NOTICE_WINDOW_MINUTES", "60")),
        # Proxies in front of the app that set X-Forwarded-For (0: the app faces clients directly).
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        # Operations (app/observability.py): log lines as JSON ("json") or plain text; /metrics answers
        # only a bearer of METRICS_TOKEN (unset: /metrics is a 404 for everyone).
        "LOG_FORMAT": env.get("LOG_FORMAT", "json"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # Optional error reporting (sentry-sdk, installed separately) when a DSN is given.
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "SENTRY_ENVIRONMENT": env.get("SENTRY_ENVIRONMENT") or None,
    }


def finalise(config: dict[str, Any]) -> None:
    """Derive dependent settings and refuse configurations that are unsafe to run."""
    if not config.get("SECRET_KEY"):
        if not (config.get("DEBUG") or config.get("TESTING")):
            raise ConfigurationError(
                "SECRET_KEY is not set. Set it in the environment before running in production "
                "(for example: export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'))."
            )
        config["SECRET_KEY"] = DEVELOPMENT_SECRET_KEY
    if config.get("CLOCK_OFFSET_SECONDS") and not (config.get("DEBUG") or config.get("TESTING")):
        raise ConfigurationError("CLOCK_OFFSET_SECONDS moves the app's clock; it is honoured only when testing "
                                 "or with FLASK_DEBUG=1. Unset it in production.")
    # Requests larger than the biggest upload plus form overhead are refused with 413.
    config["MAX_CONTENT_LENGTH"] = (config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    from datetime import timedelta

    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=config["REMEMBER_COOKIE_DAYS"])
    # Shared counters when Redis is there; if it goes away, limits carry on in memory meanwhile.
    config["RATELIMIT_STORAGE_URI"] = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
    # A hung Redis must not hang a sign-in: give up within half a second (then memory, meanwhile).
    if config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session instead: a long form still submits


def _number(raw: str | None) -> float:
    """A number of seconds from the environment (0 when unset); a bad value stops the start."""
    if not raw:
        return 0
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"CLOCK_OFFSET_SECONDS must be a number of seconds, not {raw!r}.") from None
