"""A worker's start to its first job, and its stop after SIGTERM (idle, during and after a Redis outage).

Run with `make bench` (or `.venv/bin/python bench/worker_start_and_stop.py`). Needs Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed before and after). One email job is
queued, then `python -m app.jobs.worker` started (as production runs it); "start -> first job" is
from the process's start to RQ's record of the job ending. Then SIGTERM to the worker, as systemd
sends it: seconds until the worker process has exited, and whether any process of its group (its
scheduler) is left. Redis outages go through a TCP proxy that is cut and restored.
Prints one JSON object per figure, then a table.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis
from rq.job import Job
from sqlmodel import Session, SQLModel, select

from app import create_app, outbox
from app.db import make_engine
from app.models import OutboxMessage
from app.services.team import accounts
from tests.app.tcp_proxy import Proxy

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
STOP_GUARD_SECONDS = 60


def queue_email(config: dict[str, str], n: int) -> str:
    app = create_app({**config, "TESTING": True})
    with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        accounts.create_user(session, f"start{n}@example.org", f"Start {n}", "correct horse battery")
        session.commit()
        accounts.request_password_reset(session, f"start{n}@example.org")
        row = session.exec(select(OutboxMessage.id).where(OutboxMessage.completed_at.is_(None))).first()  # type: ignore[union-attr]
    app.extensions["db_engine"].dispose()
    return outbox.job_id(row)  # type: ignore[arg-type]


def start(config: dict[str, str], url: str) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, **config, "REDIS_URL": url, "PYTHONPATH": str(ROOT)}
    started = time.time()
    worker = subprocess.Popen([sys.executable, "-m", "app.jobs.worker", "--logging_level", "WARNING", "default"],
                              cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    return worker, started


def first_job_seconds(connection: Redis, job_id: str, started: float) -> float:
    deadline = time.time() + 300
    while time.time() < deadline:
        job = Job.fetch(job_id, connection=connection, serializer="json")
        if job.get_status() == "finished" and job.ended_at:
            return job.ended_at.timestamp() - started
        time.sleep(0.05)
    raise RuntimeError("the worker never ran its first job")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_seconds(worker: subprocess.Popen[bytes]) -> tuple[float | None, bool]:
    """Seconds from SIGTERM to the worker's exit (None: still running after the guard); whether
    anything of its group was left behind (then killed)."""
    sent = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(STOP_GUARD_SECONDS)
        took: float | None = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        took = None
    time.sleep(0.5)
    left = group_alive(worker.pid)
    if left or took is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    return took, left


def main() -> None:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except Exception as error:  # noqa: BLE001
        print(f"worker_start_and_stop: skipped, Redis at {REDIS_URL} does not answer ({error})")
        return
    connection.flushdb()
    target = urlsplit(REDIS_URL)
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        config = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench-only", "MAIL_BACKEND": "folder",
                  "MAIL_FOLDER": f"{folder}/mail", "INSTANCE_PATH": f"{folder}/instance",
                  "BASE_URL": "http://localhost", "RATELIMIT_ENABLED": "false"}
        for run in range(RUNS):
            job_id = queue_email(config, run)
            worker, started = start(config, REDIS_URL)
            figures.append({"metric": "worker_start_to_first_job_seconds", "run": run,
                            "value": round(first_job_seconds(connection, job_id, started), 2)})
            took, left = stop_seconds(worker)
            figures.append({"metric": "worker_stop_seconds", "case": "idle", "value": took, "left_behind": left})
        for case in ("during a Redis outage", "after a Redis outage"):
            proxy = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
            proxy.open()
            job_id = queue_email(config, 100 + len(figures))
            worker, started = start(config, f"redis://127.0.0.1:{proxy.port}{target.path}")
            first_job_seconds(connection, job_id, started)
            proxy.close()
            time.sleep(6)  # a few seconds without Redis
            if case == "after a Redis outage":
                proxy.open()
                time.sleep(6)  # back, and the worker has reconnected
            took, left = stop_seconds(worker)
            proxy.close()
            figures.append({"metric": "worker_stop_seconds", "case": case, "value": took, "left_behind": left})
    connection.flushdb()
    for figure in figures:
        print(json.dumps(figure))
    starts = sorted(f["value"] for f in figures if f["metric"] == "worker_start_to_first_job_seconds")
    print(f"\nworker start -> first job: median {starts[len(starts) // 2]} s, max {starts[-1]} s ({RUNS} runs)")
    print(f"{'SIGTERM while':<24} {'stopped after s':>16} {'process left behind':>20}")
    for f in figures:
        if f["metric"] == "worker_stop_seconds":
            took = "still running" if f["value"] is None else f"{f['value']:.1f}"
            print(f"{f['case']:<24} {took:>16} {f['left_behind']!s:>20}")


if __name__ == "__main__":
    main()
