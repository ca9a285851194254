"""Running one outbox message: its named handler, and the email it returns delivered at most once."""

from __future__ import annotations

from sqlmodel import Session, select

from app.db import engine
from app.models import OutboxMessage, utcnow
from app.services.notifications import registry
from app.services.notifications.emails import Email, deliver


def run_message(message_id: int) -> str:
    """Run an outbox message's handler once; a message already completed is left alone.

    A handler may return an `Email`; it is delivered here, at most once per message
    (app/services/notifications/emails.py explains the guarantee).
    """
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
