"""Periodic jobs: the daily reminder sweep and the daily digest (run by `rq cron` or `flask reminders run`)."""

from __future__ import annotations

from sqlmodel import Session

from app.db import engine
from app.jobs.context import with_app_context
from app.services.notifications import reminders


@with_app_context
def run_reminders() -> dict[str, int]:
    """The daily sweep, as a periodic job."""
    with Session(engine(), expire_on_commit=False) as session:
        return reminders.daily_sweep(session)


@with_app_context
def send_digests() -> int:
    """Write one digest message for each person with task notifications held for it."""
    with Session(engine(), expire_on_commit=False) as session:
        return reminders.queue_digests(session)
