"""AppWorker (app/jobs/worker.py) as production runs it: a real process on real Redis and SMTP.

The app is built once per worker; a job abandoned by a worker killed outright is retried by
another within a minute, through a scheduler that moved to the surviving worker, and its email
arrives once; a worker whose Redis goes away waits, then carries on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app import create_app
from app.models import DeliveryStatus, OutboxMessage
from tests.app.mail_server import Recorder, smtp_server  # noqa: F401  (fixture)
from tests.app.notifications.test_jobs_redis import (  # noqa: F401  (fixtures)
    ROOT,
    notification,
    redis_url,
    request_reset,
    smtp_config,
    wait_for,
    worker_env,
)
from tests.app.tcp_proxy import Proxy
from tests.conftest import make_user

pytestmark = pytest.mark.redis


def start_app_worker(config: dict[str, Any], tmp_path: Path, *extra: str, url: str | None = None,
                     ) -> subprocess.Popen[bytes]:
    """`python -m app.jobs.worker` (AppWorker, with the scheduler) in its own process group."""
    env = {**worker_env(config, tmp_path), "REDIS_URL": url or config["REDIS_URL"]}
    command = [sys.executable, "-m", "app.jobs.worker", "--logging_level", "INFO", *extra, "default"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen[bytes]) -> str:
    """Kill the worker's whole group if it still runs; its output."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    return worker.stdout.read().decode()  # type: ignore[union-attr]


def test_the_app_is_built_once_per_worker_and_every_job_reuses_it(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session, tmp_path: Path) -> None:
    recorder, _port = smtp_server
    app = create_app(smtp_config)
    for n in range(5):
        make_user(session, f"user{n}@example.org", f"User {n}")
        request_reset(app, session, f"user{n}@example.org")
    worker = start_app_worker(smtp_config, tmp_path, "--burst")
    try:
        assert worker.wait(60) == 0
    finally:
        output = stop(worker)
    assert sum(len(recorder.to(f"user{n}@example.org")) for n in range(5)) == 5, output
    assert output.count("building the app for worker process") == 1, output


def test_a_job_abandoned_by_a_killed_worker_is_retried_by_another_within_a_minute_and_sent_once(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session, tmp_path: Path) -> None:
    recorder, _port = smtp_server
    # A retry interval makes the retry go through the scheduler, whose lock the killed worker held.
    config = {**smtp_config, "JOB_RETRY_INTERVALS": [2, 2]}
    make_user(session, "ana@example.org")
    app = create_app(config)
    recorder.stall_at = "rcpt"  # the server holds the first worker there until we kill it
    request_reset(app, session, "ana@example.org")
    first = start_app_worker(config, tmp_path / "first")
    second = None
    try:
        assert recorder.stalled.wait(30), "the worker never reached the mail server"
        os.killpg(first.pid, signal.SIGKILL)  # worker and scheduler: the machine went away
        first.wait(10)
        recorder.stall_at = None
        recorder.release.set()
        second = start_app_worker(config, tmp_path / "second")
        # RQ's own worker would wait for its ten-minute maintenance; the claim is "within a minute"
        # of the heartbeat lapsing (20 s), so this allows 20 + 60 s.
        try:
            wait_for(lambda: recorder.to("ana@example.org"), "the retried email", timeout=80)
            # The server has it; the worker records that just after (a moment later, on its own connection).
            wait_for(lambda: notification(session).status == DeliveryStatus.SENT, "the delivery recorded")
        except AssertionError:
            raise AssertionError(stop(second)) from None
    finally:
        stop(first)
        output = stop(second) if second is not None else ""
    assert len(recorder.to("ana@example.org")) == 1, output
    sent = notification(session)
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 2  # nothing had reached the server
    session.expire_all()
    assert all(m.completed_at for m in session.exec(select(OutboxMessage)).all())


def test_a_worker_waits_while_redis_is_away_and_carries_on_when_it_is_back(
        smtp_config: dict[str, Any], smtp_server: tuple[Recorder, int], session: Session, tmp_path: Path) -> None:
    from urllib.parse import urlsplit

    from redis import Redis

    recorder, _port = smtp_server
    target = urlsplit(smtp_config["REDIS_URL"])
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
    proxied = f"redis://127.0.0.1:{proxy.port}{target.path}"
    direct = Redis.from_url(smtp_config["REDIS_URL"])
    # The worker starts while Redis is away, and must wait rather than exit.
    worker = start_app_worker(smtp_config, tmp_path, url=proxied)
    try:
        import time

        time.sleep(10)  # longer than RQ's own worker survives without Redis (about 8 s)
        assert worker.poll() is None, "the worker exited while Redis was away"
        proxy.open()
        wait_for(lambda: any(b"rq:worker:" in k for k in direct.keys("rq:worker:*")), "the worker's birth", 30)
        proxy.close()  # away again, now while it is working
        time.sleep(10)
        assert worker.poll() is None, f"the worker exited while Redis was away:\n{stop(worker)}"
        proxy.open()
        make_user(session, "ana@example.org")
        request_reset(create_app(smtp_config), session, "ana@example.org")
        wait_for(lambda: recorder.to("ana@example.org"), "the email after Redis came back", timeout=60)
    finally:
        proxy.close()
        output = stop(worker)
    assert len(recorder.to("ana@example.org")) == 1, output


def test_a_worker_whose_redis_goes_while_it_starts_begins_a_new_life_and_does_its_work(
        app: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Under load, Redis went away between the worker's birth and its subscription, and RQ's start
    # raised out of `work`: the worker quit. Here the first subscription fails the same way.
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rq import Queue

    from app.jobs import context
    from app.jobs import worker as worker_module

    monkeypatch.setattr(context, "_worker_app", app)
    monkeypatch.setattr(worker_module, "REDIS_WAIT_SECONDS", 0.01)
    attempts: list[str] = []
    subscribe = worker_module.AppWorker.subscribe

    def subscribe_once_redis_is_back(self: worker_module.AppWorker) -> None:
        attempts.append(self.name)
        if len(attempts) == 1:
            raise RedisConnectionError("Redis went away while the worker started")
        subscribe(self)

    monkeypatch.setattr(worker_module.AppWorker, "subscribe", subscribe_once_redis_is_back)
    connection = Redis.from_url(redis_url)
    job = Queue("default", connection=connection).enqueue(len, [1, 2, 3])
    worker = worker_module.AppWorker(["default"], connection=connection)
    assert worker.work(burst=True) is True
    assert len(attempts) == 2
    job.refresh()
    assert job.is_finished and job.return_value() == 3
