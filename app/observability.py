"""What an operator sees: a request id on every log line (carried into the jobs a request queues),
JSON logs, and Prometheus metrics at /metrics for whoever holds METRICS_TOKEN.

- Request id: the caller's `X-Request-ID` when it is a plain token (a proxy's), else a new one;
  echoed on the response, put on each job's meta when queued, and set again by the worker.
- Logs: one JSON object a line (`LOG_FORMAT=json`, the default outside debug and tests).
- Metrics: requests by route, method and status; their latency by route; and, read when scraped,
  the queue's depth, failed jobs and the outbox's lag (age of the oldest message not done). Under
  gunicorn, set PROMETHEUS_MULTIPROC_DIR so every worker process's counts are summed.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A job's id and the request that queued it, for log lines written while it runs (app/jobs/worker.py).
job_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("job_context", default=None)

REQUESTS = Counter("http_requests_total", "Requests answered, by route, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer a request, by route.", ["route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def request_id() -> str | None:
    """This request's id, or the id of the request whose job is running; None elsewhere."""
    if has_request_context() and "request_id" in g:
        return str(g.request_id)
    return (job_context.get() or {}).get("request_id") or None


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the request id and job id when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        rid = request_id()
        if rid:
            entry["request_id"] = rid
        job = (job_context.get() or {}).get("job_id")
        if job:
            entry["job_id"] = job
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def report_errors(app: Flask) -> None:
    """Send unhandled errors to Sentry (or a compatible service) when SENTRY_DSN is set.

    sentry-sdk is an optional install (`pip install sentry-sdk`): without a DSN nothing is imported;
    with one and no package, the app refuses to start rather than run without the reporting asked for.
    No personal data is sent (send_default_pii off); the request id goes along as a tag.
    """
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    try:
        import sentry_sdk
    except ImportError:
        from app.config import ConfigurationError

        raise ConfigurationError("SENTRY_DSN is set but sentry-sdk is not installed: "
                                 "`.venv/bin/pip install sentry-sdk`, or unset SENTRY_DSN.") from None
    sentry_sdk.init(dsn=dsn, send_default_pii=False, environment=app.config.get("SENTRY_ENVIRONMENT") or None,
                    traces_sample_rate=0)

    @app.before_request
    def _tag_request() -> None:
        sentry_sdk.set_tag("request_id", g.get("request_id"))


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr (or plain text with LOG_FORMAT=text), at INFO."""
    if app.debug or app.testing:
        return
    handler = logging.StreamHandler()
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)


class _Operations(Collector):
    """Figures read when Prometheus scrapes: the queue, failed jobs, the outbox's lag."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sqlalchemy import func, select

        from app.db import engine
        from app.models import OutboxMessage, utcnow

        with self.app.app_context():
            with engine().connect() as connection:
                oldest = connection.execute(select(func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.completed_at.is_(None))).scalar()  # type: ignore[union-attr]
            lag = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
            yield GaugeMetricFamily("outbox_lag_seconds", "Age of the oldest outbox message not yet done.",
                                    value=max(lag, 0.0))
            queue = self.app.extensions.get("rq_queue")
            if queue is None:
                return
            from rq.registry import FailedJobRegistry

            try:
                depth, failed = len(queue), FailedJobRegistry(queue=queue).count
            except Exception:  # noqa: BLE001  Redis away: say nothing rather than fail the scrape
                return
            yield GaugeMetricFamily("rq_queue_depth", "Jobs waiting on the queue.", value=depth)
            yield GaugeMetricFamily("rq_failed_jobs", "Jobs that failed every retry.", value=failed)


def _route() -> str:
    # The url rule, never the path: /enrollments/<int:enrollment_id>, not one series per enrolment.
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def init_app(app: Flask) -> None:
    """Request ids, the metrics of every request, and /metrics."""

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        if "request_started" in g and request.endpoint != "metrics":
            route = _route()
            REQUESTS.labels(route, request.method, str(response.status_code)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - g.request_started)
        return response

    operations = _Operations(app)

    @app.get("/metrics", endpoint="metrics")
    def metrics() -> Response:
        """Prometheus metrics, for a bearer of METRICS_TOKEN only (anyone else: no such page)."""
        expected = current_app.config.get("METRICS_TOKEN") or ""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            abort(404)
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
        else:
            registry.register(_Process())
        registry.register(operations)
        return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")


class _Process(Collector):
    """This process's request counters (without PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self) -> Iterator[Any]:
        yield from REQUESTS.collect()
        yield from LATENCY.collect()
