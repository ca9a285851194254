"""The RQ job that carries out one outbox message."""

from __future__ import annotations

from sqlmodel import Session, select

from app.db import engine
from app.models import OutboxMessage, utcnow

from . import registry, with_app_context


@with_app_context
def run_message(message_id: int) -> str:
    """Run an outbox message's handler once; a message already completed is left alone."""
    with Session(engine(), expire_on_commit=False) as session:
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        ).first()
        if message is None:
            return "missing"
        if message.completed_at is not None:
            return "already completed"
        message.attempts += 1
        try:
            registry.run(message.job, session, dict(message.payload))
        except Exception as error:  # the message stays pending; RQ retries, the relay too
            session.rollback()
            _record_failure(message_id, error)
            raise
        message.completed_at = utcnow()
        message.last_error = None
        session.commit()
        return "completed"


def _record_failure(message_id: int, error: Exception) -> None:
    with Session(engine()) as session:
        message = session.get(OutboxMessage, message_id)
        if message is not None:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            session.commit()
