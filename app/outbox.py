"""The transactional outbox: write follow-up work with the command, run it after commit.

Every service writes here by a job's name (`add`); what each job does is the notifications'
edge (`app/services/notifications/registry.py`, run by `delivery.run_message`), so no service imports
the notifications to ask for one.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select
from werkzeug.utils import import_string

from app import idempotency
from app.db import engine
from app.models import OutboxMessage, utcnow
from app.queue import current_queue

log = logging.getLogger(__name__)

# The worker runs a message by this name (app/jobs/outbox.py): the outbox never imports its jobs.
RUN_JOB = "app.jobs.outbox.run_message"
# Without Redis a message runs in-process, by the same handler found by name, as RQ finds it.
RUN_IN_PROCESS = "app.services.notifications.delivery:run_message"
_PENDING = "outbox_pending"  # ids of the messages this transaction wrote
_MANY = 200  # rows per INSERT in add_many (well under SQLite's limit of bound parameters)


def add(session: Session, job: str, dedupe_key: str, **payload: Any) -> OutboxMessage:
    """Queue `job` to run after this session commits; once per dedupe key.

    One statement, `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`: two requests racing with the
    same key never fail on the unique constraint (on PostgreSQL the second waits for the first's
    transaction, then writes nothing); only the one that wrote the row dispatches it.
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = _insert(session)(table).values(
        job=job, payload=payload, dedupe_key=dedupe_key, created_at=utcnow(), attempts=0,
    ).on_conflict_do_nothing(index_elements=[table.c.dedupe_key]).returning(table.c.id)
    new_id = session.execute(statement).scalar()
    if new_id is None:
        return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()
    message = session.get(OutboxMessage, new_id)
    assert message is not None
    session.info.setdefault(_PENDING, []).append(new_id)
    return message


def add_many(session: Session, messages: list[tuple[str, str, dict[str, Any]]]) -> Counter[str]:
    """Queue many (job, dedupe key, payload) at once, each once per key, as `add` does: in
    statements of a few hundred rows (the daily sweep writes thousands). How many were new, per job."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    written: Counter[str] = Counter()
    now = utcnow()
    for start in range(0, len(messages), _MANY):
        rows = [{"job": job, "payload": payload, "dedupe_key": key, "created_at": now, "attempts": 0}
                for job, key, payload in messages[start:start + _MANY]]
        statement = (_insert(session)(table).values(rows)
                     .on_conflict_do_nothing(index_elements=[table.c.dedupe_key]).returning(table.c.id, table.c.job))
        for message_id, job in session.execute(statement).all():
            session.info.setdefault(_PENDING, []).append(message_id)
            written[job] += 1
    return written


def _insert(session: Session) -> Any:
    """The dialect's INSERT, the one with ON CONFLICT (PostgreSQL and SQLite both have it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def commit(session: Session) -> None:
    """Commit the command, then hand its outbox messages to the queue (or run them here)."""
    session.flush()
    pending = session.info.pop(_PENDING, [])
    session.commit()
    # What the commit itself wrote (the summaries' turns, rewritten at commit) goes too.
    pending += session.info.pop(_PENDING, [])
    if pending:
        dispatch(pending)


@event.listens_for(OrmSession, "after_rollback")
def _discard_pending(session: OrmSession) -> None:
    # A rolled-back command's messages were never written; they must not be dispatched.
    session.info.pop(_PENDING, None)


def dispatch(message_ids: list[int]) -> int:
    """Enqueue messages on RQ (or run them in-process without Redis); returns how many went."""
    queue = current_queue()
    if queue is None:
        sent = 0
        run_message = import_string(RUN_IN_PROCESS)
        for message_id in message_ids:
            try:
                run_message(message_id)
                sent += 1
            except Exception:
                log.exception("outbox message %s failed in-process", message_id)
        return sent
    return _enqueue(queue, message_ids)


def job_id(message_id: int) -> str:
    """The RQ job id of an outbox message: unique, so it is never queued twice at once."""
    return f"outbox-{message_id}"


def _enqueue(queue: Any, message_ids: list[int]) -> int:
    from redis.exceptions import RedisError
    from rq import Retry
    from rq.exceptions import DuplicateJobError

    from app import observability


    intervals = list(current_app.config.get("JOB_RETRY_INTERVALS") or [10, 60, 300, 900, 3600])
    sent = 0
    with Session(engine()) as session:
        for message_id in message_ids:
            try:
                queue.enqueue(RUN_JOB, message_id, job_id=job_id(message_id), unique=True,
                              retry=Retry(max=len(intervals), interval=intervals),
                              meta={"request_id": observability.request_id()})
            except DuplicateJobError:
                pass  # already on the queue: mark it dispatched all the same
            except RedisError as error:
                log.warning("Redis unavailable, outbox message %s left for the relay: %s", message_id, error)
                break
            message = session.get(OutboxMessage, message_id)
            if message is not None:
                message.dispatched_at = utcnow()
            sent += 1
        session.commit()
    return sent


def relay(limit: int = 100, older_than: timedelta = timedelta(seconds=5)) -> int:
    """Dispatch messages that were never handed over (Redis was down, the process died).

    With Redis, a message handed over more than OUTBOX_STALE_SECONDS ago (default a minute) but
    not completed is looked up in Redis, and handed over again if its job `outbox-<id>` is gone
    (Redis restarted without persistence, keys evicted). A job still waiting, running, scheduled
    for a retry or failed for good is still in Redis and is left alone: a failed one waits on the
    administrators' jobs page instead.
    """
    from redis.exceptions import RedisError

    cutoff = utcnow() - older_than
    queue = current_queue()
    pending = (select(OutboxMessage.id).where(OutboxMessage.completed_at.is_(None))  # type: ignore[union-attr]
               .where(OutboxMessage.created_at <= cutoff))
    handed_over: list[int] = []
    with Session(engine()) as session:
        if queue is None:
            ids = list(session.exec(pending.order_by(OutboxMessage.id).limit(limit)))
        else:
            ids = list(session.exec(pending.where(OutboxMessage.dispatched_at.is_(None))  # type: ignore[union-attr]
                                    .order_by(OutboxMessage.id).limit(limit)))
            stale = utcnow() - timedelta(seconds=current_app.config.get("OUTBOX_STALE_SECONDS", 60))
            # Checked separately and more of them: messages whose jobs failed for good stay here
            # for a long time and must not crowd out the ones whose jobs vanished.
            handed_over = list(session.exec(pending.where(OutboxMessage.dispatched_at <= stale)  # type: ignore[operator]
                                            .order_by(OutboxMessage.id).limit(limit * 10)))
        # Old forms' idempotency keys are forgotten in the same minute's sweep.
        idempotency.purge(session)
        session.commit()
    if queue is not None and handed_over:
        try:
            ids += _vanished(queue.connection, handed_over)
        except RedisError as error:
            log.warning("Redis unavailable, relay will try again: %s", error)
            return 0
    if not ids:
        return 0
    current_app.logger.info("relaying %d outbox messages", len(ids))
    return dispatch(ids)


def _vanished(connection: Any, message_ids: list[int]) -> list[int]:
    """The messages whose RQ job no longer exists in Redis (one round trip for all of them)."""
    from rq.job import Job

    with connection.pipeline(transaction=False) as pipeline:
        for message_id in message_ids:
            pipeline.exists(Job.key_for(job_id(message_id)))
        found = pipeline.execute()
    return [message_id for message_id, exists in zip(message_ids, found, strict=True) if not exists]


def redispatch(message_id: int) -> str:
    """Run a message again now (an administrator asked): a finished or failed job is replaced."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    queue = current_queue()
    if queue is not None:
        try:
            job = Job.fetch(job_id(message_id), connection=queue.connection, serializer=queue.serializer)
        except NoSuchJobError:
            job = None
        if job is not None:
            status = job.get_status(refresh=False)
            if status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
                return "already queued"
            job.delete()  # finished or failed: its id would otherwise block a new job (unique ids)
    return "queued" if dispatch([message_id]) else "not queued"
