"""Request ids on every answer and log line (and into the jobs a request queues), JSON logs,
and Prometheus metrics closed to the public (issue 28)."""

from __future__ import annotations

import json
import logging
import sys
import types
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from sqlmodel import Session

from app import create_app, observability, outbox
from app.config import ConfigurationError
from tests.app.notifications.test_jobs_redis import redis_url  # noqa: F401  (fixture)
from tests.conftest import csrf_token, make_user

TOKEN = "metrics-secret-for-tests"


def test_every_answer_carries_a_request_id_and_a_proxy_s_is_kept(client: FlaskClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "lb-4711"}).headers["X-Request-ID"] == "lb-4711"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32
    # Refusals too (the input check answers before any view).
    assert client.get("/auth/sign-in?x=%00").headers["X-Request-ID"]


def test_log_lines_are_json_with_the_request_id(app: Flask) -> None:
    formatter = observability.JsonFormatter()
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "req-1"
        line = formatter.format(logging.LogRecord("app", logging.WARNING, __file__, 1, "storage %s", ("full",), None))
    entry = json.loads(line)
    assert entry["message"] == "storage full" and entry["level"] == "WARNING" and entry["request_id"] == "req-1"
    token = observability.job_context.set({"job_id": "outbox-7", "request_id": "req-1"})
    try:
        entry = json.loads(formatter.format(logging.LogRecord("rq", logging.INFO, __file__, 1, "sent", (), None)))
    finally:
        observability.job_context.reset(token)
    assert entry["job_id"] == "outbox-7" and entry["request_id"] == "req-1"


def test_metrics_are_closed_to_the_public(app_config: dict[str, Any]) -> None:
    closed = create_app(app_config).test_client()
    assert closed.get("/metrics").status_code == 404  # no token configured: no such page
    client = create_app({**app_config, "METRICS_TOKEN": TOKEN}).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_metrics_count_requests_by_route_and_status_and_report_the_outbox_lag(app_config: dict[str, Any],
                                                                              session: Session) -> None:
    app = create_app({**app_config, "METRICS_TOKEN": TOKEN})
    client = app.test_client()
    client.get("/healthz")
    client.get(f"/enrollments/{2**40}")
    make_user(session)
    with app.app_context():
        outbox.add(session, "email.password_reset", "metrics-test", user_id=1)
        session.commit()
    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert 'route="unmatched",status="404"' in body  # one series for every unknown address
    assert "http_request_duration_seconds_bucket" in body and "outbox_lag_seconds" in body
    assert "/enrollments/1099511627776" not in body


def test_a_job_carries_the_request_id_of_the_request_that_queued_it(app_config: dict[str, Any], session: Session,
                                                                      redis_url: str) -> None:
    app = create_app({**app_config, "REDIS_URL": redis_url})
    make_user(session)
    client = app.test_client()
    client.post("/auth/reset", data={"email": "ana@example.org", "csrf_token": csrf_token(client, "/auth/reset")},
                headers={"X-Request-ID": "reset-request-1"})
    connection = Redis.from_url(redis_url)
    [job_id] = [key.decode().removeprefix("rq:job:") for key in connection.keys("rq:job:outbox-*")]
    job = Job.fetch(job_id, connection=connection, serializer="json")
    assert job.meta["request_id"] == "reset-request-1"


def test_without_a_dsn_nothing_reports_errors_and_with_one_sentry_is_started(
        app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    fake = types.SimpleNamespace(init=lambda **options: started.append(options), set_tag=lambda *a: None)
    monkeypatch.setitem(sys.modules, "sentry_sdk", fake)
    create_app(app_config)
    assert started == []
    app = create_app({**app_config, "SENTRY_DSN": "https://key@errors.example/1"})
    assert started[0]["dsn"] == "https://key@errors.example/1" and started[0]["send_default_pii"] is False
    assert app.test_client().get("/healthz").status_code == 200


def test_a_dsn_without_sentry_sdk_installed_stops_the_start_with_a_clear_message(
        app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if not installed
    with pytest.raises(ConfigurationError, match="sentry-sdk is not installed"):
        create_app({**app_config, "SENTRY_DSN": "https://key@errors.example/1"})
