"""Periodic jobs: the daily reminder sweep and the daily digest (run by `rq cron` or `flask reminders run`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.db import engine

from . import with_app_context


def daily_sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Purge lapsed recommendations, queue the reminders, nudges and escalations due (each once),
    and delete upload files left by rolled-back transactions."""
    from app.services.evidence import sweep_orphan_files
    from app.services.notifications import schedule_reminders
    from app.services.recommendations import purge_expired

    # Purge first: a recommendation the CTC has purged gets no more "pay by" reminders.
    purged = purge_expired(session, now)
    counts = dict(schedule_reminders(session, now))
    extra = {"recommendation.purged": purged, "uploads.orphans_deleted": sweep_orphan_files(session, now)}
    return {**counts, **{name: n for name, n in extra.items() if n}}


@with_app_context
def run_reminders() -> dict[str, int]:
    """The daily sweep, as a periodic job."""
    with Session(engine(), expire_on_commit=False) as session:
        return daily_sweep(session)


@with_app_context
def send_digests() -> int:
    """Write one digest message for each person with task notifications held for it."""
    from app.services.notifications import queue_digests

    with Session(engine(), expire_on_commit=False) as session:
        return queue_digests(session)
