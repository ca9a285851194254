"""Reliability on real Redis, a real `rq worker` and a real SMTP server.

Redis down during a command, a work horse killed mid-send (before and after the server took the
message), a whole worker killed, failed jobs requeued from the admin page, and `rq cron` jobs
readable by JSON workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import create_app, outbox
from app.models import DeliveryStatus, Membership, OutboxMessage, SentNotification
from app.services.team import accounts
from tests import services
from tests.app.mail_server import Recorder, smtp_server, text_part  # noqa: F401  (fixture)
from tests.conftest import Auth, csrf_token, make_user
from workflows.roles import Role

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of this worker's own (tests/services.py), empty before and after the test."""
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    from redis import Redis

    connection = Redis.from_url(services.REDIS_URL)
    connection.flushdb()
    yield services.REDIS_URL
    connection.flushdb()


@pytest.fixture
def smtp_config(app_config: dict[str, Any], smtp_server: tuple[Recorder, int], redis_url: str) -> dict[str, Any]:
    """Redis on, retries immediate, mail over SMTP to the test server."""
    _recorder, port = smtp_server
    return {**app_config, "REDIS_URL": redis_url, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port, "JOB_RETRY_INTERVALS": [0, 0]}


def burst(app: Flask) -> None:
    """Run every queued job in this process."""
    from rq import SimpleWorker

    queue = app.extensions["rq_queue"]
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection, serializer=queue.serializer).work(burst=True)


def request_reset(app: Flask, session: Session, email: str) -> int:
    """The real command: ask for a password-reset email. Returns its outbox message id."""
    with app.app_context():
        accounts.request_password_reset(session, email)
    session.expire_all()
    return session.exec(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())).first()  # type: ignore[return-value]


def test_redis_down_during_commands_loses_nothing_and_mail_goes_out_once_when_it_is_back(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session) -> None:
    recorder, _port = smtp_server
    make_user(session, "ana@example.org")
    down = create_app({**smtp_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    started = time.monotonic()
    message_id = request_reset(down, session, "ana@example.org")  # succeeds although Redis is down
    assert time.monotonic() - started < 3
    stranded = session.get(OutboxMessage, message_id)
    assert stranded.dispatched_at is None and stranded.completed_at is None  # type: ignore[union-attr]
    assert recorder.messages == []

    back = create_app(smtp_config)
    with back.app_context():
        assert outbox.relay(older_than=timedelta(0)) == 1
        assert outbox.relay(older_than=timedelta(0)) == 0  # handed over once
    burst(back)
    burst(back)
    [mail] = recorder.to("ana@example.org")
    assert "/auth/reset/" in text_part(mail)
    session.expire_all()
    assert session.get(OutboxMessage, message_id).completed_at is not None  # type: ignore[union-attr]


def test_the_relay_hands_over_again_a_message_whose_job_vanished_from_redis(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session) -> None:
    from redis import Redis

    recorder, _port = smtp_server
    make_user(session, "ana@example.org")
    app = create_app({**smtp_config, "OUTBOX_STALE_SECONDS": 0})
    request_reset(app, session, "ana@example.org")
    Redis.from_url(smtp_config["REDIS_URL"]).flushdb()  # Redis restarted without persistence
    with app.app_context():
        assert outbox.relay(older_than=timedelta(0)) == 1
    burst(app)
    assert len(recorder.to("ana@example.org")) == 1


# --- A real `rq worker` killed with SIGKILL -------------------------------------------------------


def worker_env(config: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": config["DATABASE_URL"], "REDIS_URL": config["REDIS_URL"],
            "SECRET_KEY": config["SECRET_KEY"], "BASE_URL": config["BASE_URL"], "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(config["MAIL_PORT"]), "INSTANCE_PATH": str(tmp_path / "worker"),
            "PYTHONPATH": str(ROOT)}


def start_worker(config: dict[str, Any], tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`rq worker` in its own process group, as production runs it."""
    command = [sys.executable, "-m", "rq.cli", "worker", "--serializer", "json", "--url", config["REDIS_URL"],
               "--logging_level", "WARNING", *extra, "default"]
    return subprocess.Popen(command, cwd=ROOT, env=worker_env(config, tmp_path), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (the work horse of a worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for(condition: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def notification(session: Session) -> SentNotification:
    session.expire_all()
    return session.exec(select(SentNotification)).one()


@pytest.mark.parametrize("killed_at", ["rcpt", "data"])
def test_a_work_horse_killed_mid_send_is_retried_and_the_email_arrives_exactly_once(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session, tmp_path: Path,
        killed_at: str) -> None:
    recorder, _port = smtp_server
    make_user(session, "ana@example.org")
    app = create_app(smtp_config)
    recorder.stall_at = killed_at  # the server holds the worker there until we kill it
    request_reset(app, session, "ana@example.org")
    worker = start_worker(smtp_config, tmp_path, "--burst")
    try:
        assert recorder.stalled.wait(20), "the worker never reached the mail server"
        [horse] = children(worker.pid)
        os.kill(horse, signal.SIGKILL)
        recorder.release.set()
        # The worker sees its horse die, RQ's Retry puts the job back, the same burst worker reruns it.
        assert worker.wait(30) == 0, worker.stdout.read().decode()  # type: ignore[union-attr]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert len(recorder.to("ana@example.org")) == 1
    sent = notification(session)
    if killed_at == "rcpt":
        # Nothing had reached the server: sent again, with the same Message-ID.
        assert sent.status == DeliveryStatus.SENT and sent.attempts == 2
        assert recorder.messages[0]["Message-ID"] == sent.message_id
    else:
        # The server may have it: not sent again, left for an administrator to judge.
        assert sent.status == DeliveryStatus.UNCERTAIN and sent.attempts == 1
    session.expire_all()
    assert all(m.completed_at for m in session.exec(select(OutboxMessage)).all())


def test_a_whole_worker_killed_mid_job_has_its_job_recovered_by_rq_and_the_email_arrives_once(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session, tmp_path: Path) -> None:
    from rq import Queue
    from rq.registry import StartedJobRegistry

    recorder, _port = smtp_server
    make_user(session, "ana@example.org")
    app = create_app(smtp_config)
    recorder.stall_at = "rcpt"
    request_reset(app, session, "ana@example.org")
    worker = start_worker(smtp_config, tmp_path)
    try:
        assert recorder.stalled.wait(20), "the worker never reached the mail server"
        os.killpg(worker.pid, signal.SIGKILL)  # worker and horse: the machine went away
        worker.wait(10)
    finally:
        recorder.release.set()
        if worker.poll() is None:  # a failed assertion above must not leave a worker consuming the queue
            os.killpg(worker.pid, signal.SIGKILL)
    queue: Queue = app.extensions["rq_queue"]
    registry = StartedJobRegistry(queue=queue)
    assert len(registry.get_job_ids(cleanup=False)) == 1  # type: ignore[call-arg]
    # RQ's maintenance moves a job whose heartbeat lapsed back onto the queue (Retry); it would do
    # so on its own within minutes. Run it as if that time had passed.
    registry.cleanup(timestamp=time.time() + 3600)
    burst(app)
    assert len(recorder.to("ana@example.org")) == 1
    assert notification(session).status == DeliveryStatus.SENT


# --- Failed jobs on the admin page -------------------------------------------------------------


def test_a_job_that_fails_every_retry_is_listed_and_requeued_from_the_admin_page(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session) -> None:
    recorder, port = smtp_server
    app = create_app({**smtp_config, "MAIL_PORT": 1})  # nothing listens: every attempt fails
    admin = make_user(session, "root@example.org", "Root")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    message_id = request_reset(app, session, "root@example.org")
    burst(app)  # first try and two retries, all refused
    queue = app.extensions["rq_queue"]
    assert queue.failed_job_registry.get_job_ids() == [f"outbox-{message_id}"]

    client = app.test_client()
    Auth(client).sign_in("root@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert f"outbox-{message_id}" in page and "email.password_reset" in page and "ConnectionRefusedError" in page
    token = csrf_token(client, "/admin/jobs")
    assert client.post(f"/admin/jobs/outbox-{message_id}/requeue").status_code == 400  # no CSRF token
    assert client.post("/admin/jobs/outbox-999/requeue", data={"csrf_token": token}).status_code == 404

    app.config["MAIL_PORT"] = port  # the mail server is back
    response = client.post(f"/admin/jobs/outbox-{message_id}/requeue", data={"csrf_token": token})
    assert response.status_code == 302
    assert queue.failed_job_registry.get_job_ids() == []
    burst(app)
    assert len(recorder.to("root@example.org")) == 1


def test_rq_cron_jobs_are_json_and_run_on_json_workers(app_config: dict[str, Any], redis_url: str,
                                                       session: Session) -> None:
    from redis import Redis
    from rq.cron import CronScheduler

    app = create_app({**app_config, "REDIS_URL": redis_url})
    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    scheduler.load_config_from_file("app.jobs.cron")  # what `rq cron app.jobs.cron` does
    relay = next(job for job in scheduler.get_jobs() if job.func_name.endswith("relay_pending"))
    job = relay.enqueue(scheduler.connection)
    queue = app.extensions["rq_queue"]
    assert queue.fetch_job(job.id).func_name == "app.jobs.outbox.relay_pending"  # readable as JSON
    burst(app)
    job.refresh()
    assert job.get_status() == "finished"
