"""The RQ jobs that carry out outbox messages, and the periodic relay."""

from __future__ import annotations

from app import outbox
from app.jobs.context import with_app_context
from app.services.notifications import delivery


@with_app_context
def run_message(message_id: int) -> str:
    """Run an outbox message's handler once (a completed message is left alone)."""
    return delivery.run_message(message_id)


@with_app_context
def relay_pending() -> int:
    """Periodic job: hand over outbox messages that never reached the queue or got lost from it."""
    return outbox.relay()
