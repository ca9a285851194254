"""The failed-jobs page: what did not run, why, and a button to run it again."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import outbox as outbox_service
from app import policy
from app import queue as queue_service
from app.admin.blueprint import bp
from app.db import get_session
from app.models import DeliveryStatus, OutboxMessage, SentNotification
from app.services.notifications import emails as notifications

_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_SHOWN = 100


def service_administrator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only service administrators; everyone else gets a 403 that says so."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not policy.can_manage_background_jobs(get_session(), current_user):
            abort(403, "Only service administrators can see background jobs.")
        return view(*args, **kwargs)

    return wrapper


@dataclass
class FailedJob:
    """One job in RQ's failed registry, with the outbox message it carried, if any."""

    id: str
    name: str
    ended_at: datetime | None
    error: str
    message: OutboxMessage | None


def _failed_jobs(queue: Any) -> list[FailedJob]:
    from rq.job import Job

    registry = queue.failed_job_registry
    ids = registry.get_job_ids(0, _SHOWN - 1)
    session = get_session()
    found = []
    for job in Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer):
        if job is None:
            continue
        result = job.latest_result()
        error = (result.exc_string or "").strip().splitlines()[-1:] if result else []
        message = None
        if job.id.startswith("outbox-") and job.id[7:].isdigit():
            message = session.get(OutboxMessage, int(job.id[7:]))
        found.append(FailedJob(id=job.id, name=message.job if message else (job.func_name or "?"),
                               ended_at=job.ended_at, error=error[0] if error else "", message=message))
    return found


@bp.get("/jobs")
@service_administrator_required
def failed_jobs() -> str:
    """Failed background jobs, stuck outbox messages and emails whose delivery is uncertain."""
    session = get_session()
    queue = queue_service.current_queue()
    failed: list[FailedJob] = []
    redis_error = None
    if queue is not None:
        try:
            failed = _failed_jobs(queue)
        except Exception as error:  # noqa: BLE001  the page still shows what the database knows
            current_app.logger.warning("jobs page: Redis unavailable: %s", error)
            redis_error = "Redis is not reachable, so RQ's failed jobs cannot be listed right now."
    stuck = session.exec(select(OutboxMessage).where(
        OutboxMessage.completed_at.is_(None), OutboxMessage.last_error.is_not(None))  # type: ignore[union-attr]
        .order_by(OutboxMessage.id.desc()).limit(_SHOWN)).all()  # type: ignore[union-attr]
    uncertain = session.exec(select(SentNotification).where(
        SentNotification.status == DeliveryStatus.UNCERTAIN.value)
        .order_by(SentNotification.id.desc()).limit(_SHOWN)).all()  # type: ignore[union-attr]
    return render_template("admin/jobs.html", failed=failed, stuck=stuck, uncertain=uncertain,
                           redis_enabled=queue is not None, redis_error=redis_error)


@bp.post("/jobs/<job_id>/requeue")
@service_administrator_required
def requeue_job(job_id: str) -> Response:
    """Put a failed RQ job back on its queue."""
    from redis.exceptions import RedisError
    from rq.exceptions import InvalidJobOperation, NoSuchJobError

    if not _JOB_ID.match(job_id):
        abort(400, "That is not a job id: letters, digits, '-' and '_' only.")
    queue = queue_service.current_queue()
    if queue is None:
        abort(404, "Jobs run in-process here (REDIS_URL is not set): there is no RQ queue to requeue on.")
    try:
        queue.failed_job_registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        abort(404, "That job is not among the failed jobs any more; it may have been requeued already.")
    except RedisError:
        abort(503, "Redis is not reachable; try again when it is back.")
    flash(f"Job {job_id} is back on the queue.", "success")
    return redirect(url_for("admin.failed_jobs"))


@bp.post("/outbox/<int:message_id>/retry")
@service_administrator_required
def retry_message(message_id: int) -> Response:
    """Run a stuck outbox message again now."""
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404, "There is no such outbox message.")
    if message.completed_at is not None:
        abort(409, "That message has already been carried out.")
    outcome = outbox_service.redispatch(message_id)
    flash(f"Message {message_id}: {outcome}.", "success" if outcome != "not queued" else "error")
    return redirect(url_for("admin.failed_jobs"))


@bp.post("/notifications/<int:notification_id>/resend")
@service_administrator_required
def resend_notification(notification_id: int) -> Response:
    """Send an email whose delivery is uncertain once more (same Message-ID)."""
    session = get_session()
    record = session.get(SentNotification, notification_id)
    if record is None:
        abort(404, "There is no such email.")
    try:
        message = notifications.resend(session, record)
    except ValueError as error:
        abort(409, str(error))
    outbox_service.commit(session)
    outcome = outbox_service.redispatch(message.id)  # type: ignore[union-attr,arg-type]
    flash(f"The email to {record.recipient_email} is being sent again ({outcome}).", "success")
    return redirect(url_for("admin.failed_jobs"))
