"""The hourly audit anchor, as a periodic job (`rq cron app.jobs.cron`); `flask audit anchor` does the same."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app import audit_anchor
from app.db import engine
from app.jobs.context import with_app_context


@with_app_context
def anchor_audit_record() -> str | None:
    """Append the newest audit event's ID:HASH to AUDIT_ANCHOR_FILE; a broken chain fails the job (and is listed)."""
    with engine().connect() as connection:
        return audit_anchor.write(connection, Path(current_app.config["AUDIT_ANCHOR_FILE"]))
