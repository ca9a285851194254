"""Limits shared by every process through Redis, their settings honoured, a lockout the right password
does not lift; every preview and API download of a document audited (issue 28)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import create_app
from app.models import AuditEvent
from tests.api.helpers import api_as
from tests.app.infrastructure.test_rate_limits import RIGHT, sign_in
from tests.app.notifications.test_jobs_redis import redis_url  # noqa: F401  (fixture)
from tests.app.signoffs.test_approver_queue import _mentor_with_work
from tests.conftest import Auth, make_user


def test_the_api_token_limit_is_read_from_rate_limit_api_token(app_config: dict[str, Any], session: Session,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_API_TOKEN", "2 per minute")
    app = create_app(app_config)
    api = api_as(app, session, make_user(session))
    assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    refused = api.get("/me")
    assert refused.get_json()["type"].endswith("/rate-limited") and int(refused.headers["Retry-After"]) > 0


@pytest.mark.redis
def test_with_redis_url_set_two_processes_share_one_lockout_that_refuses_the_right_password(
        app_config: dict[str, Any], redis_url: str, session: Session) -> None:
    make_user(session)
    # Two apps stand for two gunicorn workers with only REDIS_URL set; a prefix keeps the counters this test's.
    shared = {**app_config, "REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
              "RATE_LIMITS": {"sign_in_account": "3 per minute"}}
    first, second = create_app(shared), create_app(shared)
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert [sign_in(first.test_client(), "ana@example.org", "wrong").status_code for _ in range(2)] == [401, 401]
    assert sign_in(second.test_client(), "ana@example.org", "wrong").status_code == 401
    for app in (first, second):
        client = app.test_client()
        assert sign_in(client, "ana@example.org", RIGHT).status_code == 429
        assert client.get("/").status_code == 302  # the right password did not sign anyone in


def test_previewing_a_document_in_the_inbox_is_audited(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, mentor, _entry, document = _mentor_with_work(app, session)
    Auth(client).sign_in(mentor.email)  # type: ignore[attr-defined]
    preview = f"/inbox/enrollments/{driver.enrollment.id}/evidence/{document.id}/preview"
    assert client.get(preview).status_code == 200
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.previewed")).one()
    assert (event.actor_id, event.enrollment_id) == (mentor.id, driver.enrollment.id)  # type: ignore[attr-defined]
    assert event.details["evidence_id"] == document.id


def test_downloading_a_document_through_the_api_is_audited_with_the_token(app: Flask, session: Session) -> None:
    driver, mentor, _entry, document = _mentor_with_work(app, session)
    api = api_as(app, session, mentor)  # type: ignore[arg-type]
    assert api.get(f"/enrollments/{driver.enrollment.id}/evidence/{document.id}/file").status_code == 200
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.downloaded")).one()
    assert (event.actor_id, event.enrollment_id) == (mentor.id, driver.enrollment.id)  # type: ignore[attr-defined]
    assert event.details["evidence_id"] == document.id and event.details["api_token"]
    # A refused download records nothing.
    assert api.get(f"/enrollments/{driver.enrollment.id}/evidence/{2**31 - 1}/file").status_code == 404
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.downloaded")).all()) == 1
