"""The RQ jobs that carry out outbox messages, and the periodic relay."""

from __future__ import annotations

from sqlmodel import Session, select

from app.db import engine
from app.models import OutboxMessage, utcnow

from . import registry, with_app_context


@with_app_context
def run_message(message_id: int) -> str:
    """Run an outbox message's handler once; a message already completed is left alone.

    A handler may return an `Email`; it is delivered here, at most once per message
    (app/services/notifications.py explains the guarantee).
    """
    from app.services.notifications import Email, deliver

    with Session(engine(), expire_on_commit=False) as session:
        # On PostgreSQL the row lock makes a second copy of this job wait, then see it completed.
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        ).first()
        if message is None:
            return "missing"
        if message.completed_at is not None:
            return "already completed"
        outcome = "completed"
        try:
            result = registry.run(message.job, session, dict(message.payload))
            if isinstance(result, Email):
                outcome = deliver(session, message, result)
        except Exception as error:  # the message stays pending; RQ retries, the relay too
            session.rollback()
            _record_failure(message_id, error)
            raise
        # Counted only now: writing earlier would take SQLite's single write lock for the whole
        # job, and the delivery claim commits on a second connection.
        message.attempts += 1
        message.completed_at = utcnow()
        message.last_error = None
        session.add(message)
        session.commit()
        return outcome


def _record_failure(message_id: int, error: Exception) -> None:
    with Session(engine()) as session:
        message = session.get(OutboxMessage, message_id)
        if message is not None:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            session.commit()


@with_app_context
def relay_pending() -> int:
    """Periodic job: hand over outbox messages that never reached the queue or got lost from it."""
    from app.services import outbox

    return outbox.relay()
