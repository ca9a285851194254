"""Recurring jobs for RQ's cron scheduler: `rq cron app.jobs.cron --url "$REDIS_URL"`.

Times are UTC: 14:00 UTC is 06:00/07:00 in Los Angeles, before the working day. Every job is
safe to run twice or late: each reminder, nudge, escalation and digest has an outbox dedupe key.
Deployments without `rq cron` run the same work from system cron with `flask reminders run`,
`flask reminders digest` and `flask outbox relay`.
"""

from __future__ import annotations

from typing import Any

import rq.cron
from rq import Queue, cron
from rq.serializers import JSONSerializer

from app.jobs.audit import anchor_audit_record
from app.jobs.outbox import relay_pending
from app.jobs.reminders import run_reminders, send_digests


class JSONQueue(Queue):
    """A queue that always uses the JSON serializer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["serializer"] = JSONSerializer
        super().__init__(*args, **kwargs)


# RQ 2.12's cron scheduler enqueues through `Queue(name, connection=...)` with the default
# (pickle) serializer and has no option to change it; our workers run `--serializer json` and
# could not read those jobs. This module is only imported by the `rq cron` process.
rq.cron.Queue = JSONQueue  # type: ignore[misc]

cron.register(relay_pending, queue_name="default", interval=60, ttl=300)
cron.register(run_reminders, queue_name="default", cron="0 14 * * *", ttl=6 * 3600)
cron.register(send_digests, queue_name="default", cron="0 15 * * *", ttl=6 * 3600)
cron.register(anchor_audit_record, queue_name="default", cron="7 * * * *", ttl=3600)
