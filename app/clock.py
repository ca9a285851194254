"""The app's one clock: services, pages and jobs ask it for "now", so tests and journeys can move time.

In production it is the system's UTC clock. When testing or in debug, `CLOCK_OFFSET_SECONDS`
moves it forward (or back) by that many seconds; `finalise` refuses the setting anywhere else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context

from workflows.deadlines import local_today

DEFAULT_TIMEZONE = "America/Los_Angeles"


def now() -> datetime:
    """Now, as an aware UTC datetime, on the app's clock."""
    real = datetime.now(UTC)
    if not has_app_context():
        return real
    return real + timedelta(seconds=current_app.config.get("CLOCK_OFFSET_SECONDS") or 0)


def today(timezone: str | None = None) -> date:
    """Today's date in `timezone` (the service's zone, TIMEZONE, by default) on the app's clock."""
    zone = timezone or (current_app.config.get("TIMEZONE") if has_app_context() else None) or DEFAULT_TIMEZONE
    return local_today(now(), zone)
