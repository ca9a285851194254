"""The app's one clock: services, pages and jobs ask it for "now", so tests and journeys can move time.

In production it is the system's UTC clock. When testing or in debug it may be moved two ways:
`CLOCK_OFFSET_SECONDS` (fixed for the process's life; `config.finalise` refuses it anywhere else)
and a runtime offset kept in `CLOCK_FILE` (instance/clock.json), which every process of a running
instance (gunicorn workers, the RQ worker, `flask` commands) reads, so `flask clock advance` or the
administrators' clock page moves them all at once. Production never reads the file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

from workflows.deadlines import local_today

DEFAULT_TIMEZONE = "America/Los_Angeles"
CLOCK_FILE_NAME = "clock.json"

log = logging.getLogger(__name__)

# (path, inode, mtime_ns, size) -> offset seconds: a stat per call instead of a read per call.
_cache: dict[str, tuple[tuple[int, int, int], float]] = {}


class ClockNotMovable(RuntimeError):
    """Moving the clock was asked for where it is not allowed (production)."""

    def __init__(self) -> None:
        super().__init__("The app's clock can be moved only when testing or with FLASK_DEBUG=1; "
                         "in production it is the system clock.")


def movable(app: Flask | None = None) -> bool:
    """Whether this app may run on a moved clock (testing or debug only)."""
    app = app or (current_app._get_current_object() if has_app_context() else None)  # type: ignore[attr-defined]
    return app is not None and bool(app.config.get("TESTING") or app.config.get("DEBUG"))


def clock_file(app: Flask | None = None) -> Path:
    """Where the runtime offset is kept for this instance."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return Path(app.config.get("CLOCK_FILE") or Path(app.instance_path) / CLOCK_FILE_NAME)


def runtime_offset(app: Flask | None = None) -> float:
    """Seconds the runtime setting moves the clock by (0 when unset or not movable)."""
    app = app or (current_app._get_current_object() if has_app_context() else None)  # type: ignore[attr-defined]
    if app is None or not movable(app):
        return 0.0
    path = str(clock_file(app))
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return 0.0
    signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        offset = float(json.loads(Path(path).read_text())["offset_seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        # A half-written or hand-edited file must not stop every request: run on the real clock.
        log.warning("ignoring unreadable clock file %s", path)
        offset = 0.0
    _cache[path] = (signature, offset)
    return offset


def offset_seconds(app: Flask | None = None) -> float:
    """The total offset from the system clock: the fixed setting plus the runtime one."""
    app = app or (current_app._get_current_object() if has_app_context() else None)  # type: ignore[attr-defined]
    if app is None:
        return 0.0
    return float(app.config.get("CLOCK_OFFSET_SECONDS") or 0) + runtime_offset(app)


# Code that runs outside any app (a script, a test arranging rows before a request) has no app clock
# to read; it reads this offset instead. Nothing in the product sets it, so it is the system clock
# there; the test suite sets it to run on a day of its own (tests/today.py).
_offset_outside_apps = 0.0


def set_offset_outside_apps(seconds: float) -> None:
    """Move "now" for code running outside any app context (test harnesses only)."""
    global _offset_outside_apps
    _offset_outside_apps = float(seconds)


def now() -> datetime:
    """Now, as an aware UTC datetime, on the app's clock."""
    real = datetime.now(UTC)
    if not has_app_context():
        return real + timedelta(seconds=_offset_outside_apps)
    return real + timedelta(seconds=offset_seconds())


def wall_now() -> datetime:
    """The machine's own clock, for one thing only: lifetimes the browser keeps too (a session, a
    remember-me cookie expire by the real calendar). Moving the app's clock for a journey or a demo
    must not sign people out; in production the two clocks agree."""
    return datetime.now(UTC)


def today(timezone: str | None = None) -> date:
    """Today's date in `timezone` (the service's zone, TIMEZONE, by default) on the app's clock."""
    zone = timezone or (current_app.config.get("TIMEZONE") if has_app_context() else None) or DEFAULT_TIMEZONE
    return local_today(now(), zone)


def parse_moment(raw: str, zone: str | None = None) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime; raises ValueError.

    A bare date means 09:00 in the service's zone (so "today" is that date there); a date-time
    without a zone is UTC.
    """
    text = raw.strip()
    if len(text) == 10:
        tz = ZoneInfo(zone or (current_app.config.get("TIMEZONE") if has_app_context() else None)
                      or DEFAULT_TIMEZONE)
        return datetime.combine(date.fromisoformat(text), time(9), tz).astimezone(UTC)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


# --- Moving it (testing and debug only) ---------------------------------------------------------


def _write_offset(app: Flask, seconds: float) -> None:
    """Replace the clock file atomically, so another process never reads half of it."""
    path = clock_file(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"offset_seconds": seconds, "written_at": datetime.now(UTC).isoformat()})
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".clock-", suffix=".json")
    with os.fdopen(handle, "w") as stream:
        stream.write(body)
    os.replace(temporary, path)


def _require_movable(app: Flask) -> None:
    if not movable(app):
        raise ClockNotMovable()


def advance(days: float = 0, seconds: float = 0, app: Flask | None = None) -> datetime:
    """Move the clock forward (negative: back) for every process of this instance; returns now."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _require_movable(app)
    _write_offset(app, runtime_offset(app) + days * 86400 + seconds)
    log.warning("app clock moved by %s days %s seconds", days, seconds)
    return now_for(app)


def set_to(moment: datetime, app: Flask | None = None) -> datetime:
    """Make the clock read `moment` now (it keeps running from there); returns now."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _require_movable(app)
    if moment.tzinfo is None:
        raise ValueError("give the time with its zone, or as UTC")
    fixed = float(app.config.get("CLOCK_OFFSET_SECONDS") or 0)
    _write_offset(app, (moment - datetime.now(UTC)).total_seconds() - fixed)
    log.warning("app clock set to %s", moment.isoformat())
    return now_for(app)


def reset(app: Flask | None = None) -> datetime:
    """Put the runtime setting back to the system clock (CLOCK_OFFSET_SECONDS still applies)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _require_movable(app)
    clock_file(app).unlink(missing_ok=True)
    _cache.pop(str(clock_file(app)), None)
    log.warning("app clock reset")
    return now_for(app)


def now_for(app: Flask) -> datetime:
    """Now on `app`'s clock, with or without an app context."""
    return datetime.now(UTC) + timedelta(seconds=offset_seconds(app))
