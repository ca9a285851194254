"""Periodic jobs: the daily reminder sweep and the daily digest (run by `rq cron` or `flask reminders run`)."""

from __future__ import annotations

from sqlmodel import Session

from app.db import engine

from . import with_app_context


@with_app_context
def run_reminders() -> dict[str, int]:
    """Write today's deadline reminders, log nudges and escalations to the outbox (each once)."""
    from app.services.notifications import schedule_reminders

    with Session(engine(), expire_on_commit=False) as session:
        return dict(schedule_reminders(session))


@with_app_context
def send_digests() -> int:
    """Write one digest message for each person with task notifications held for it."""
    from app.services.notifications import queue_digests

    with Session(engine(), expire_on_commit=False) as session:
        return queue_digests(session)
