"""Email jobs per second per worker: RQ's plain `rq worker` against `AppWorker` (app/jobs/worker.py).

Run with `make bench` (or `.venv/bin/python bench/worker_throughput.py [BEFORE_JOBS AFTER_JOBS]`).
Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed before and after). The
database is a throwaway SQLite file, or BENCH_DATABASE_URL (e.g. a PostgreSQL test database).
Each job is a real outbox message: a password-reset email rendered and written to the folder
mail backend. One burst worker drains the queue; the rate is taken from RQ's own start and end
times of the first and last job (the worker's own start-up is printed apart).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis
from rq.job import Job
from sqlmodel import Session, SQLModel

from app import create_app, outbox
from app.services.team import accounts

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def queue_emails(config: dict[str, str], first: int, count: int) -> list[str]:
    """Queue `count` password-reset emails (one account each); their RQ job ids."""
    app = create_app({**config, "TESTING": True})
    ids = []
    with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        for n in range(first, first + count):
            accounts.create_user(session, f"bench{n}@example.org", f"Bench {n}", "correct horse battery")
        session.commit()
        for n in range(first, first + count):
            accounts.request_password_reset(session, f"bench{n}@example.org")
        from sqlmodel import select

        from app.models import OutboxMessage

        rows = session.exec(select(OutboxMessage.id).where(OutboxMessage.completed_at.is_(None))).all()  # type: ignore[union-attr]
        ids = [outbox.job_id(i) for i in rows]
    app.extensions["db_engine"].dispose()
    return ids


def drain(config: dict[str, str], worker_class: str | None) -> float:
    """Run one burst worker until the queue is empty; seconds from its start to its exit."""
    env = {**os.environ, **{k: str(v) for k, v in config.items()}, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--serializer", "json", "--url", REDIS_URL,
               "--logging_level", "WARNING", "default"]
    if worker_class:
        command[4:4] = ["-w", worker_class]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def rate(connection: Redis, job_ids: list[str]) -> tuple[float, int]:
    """Jobs per second between the first job's start and the last one's end; and how many finished."""
    jobs = [j for j in Job.fetch_many(job_ids, connection=connection, serializer="json") if j is not None]
    done = [j for j in jobs if j.get_status() == "finished"]
    span = (max(j.ended_at for j in done) - min(j.started_at for j in done)).total_seconds()  # type: ignore[type-var, operator]
    return len(done) / span if span else float("inf"), len(done)


def main() -> None:
    before_jobs, after_jobs = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (20, 300)
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except Exception as error:  # noqa: BLE001
        print(f"worker_throughput: skipped, Redis at {REDIS_URL} does not answer ({error})")
        return
    connection.flushdb()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        from app.db import make_engine

        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        config = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench-only", "MAIL_BACKEND": "folder",
                  "MAIL_FOLDER": f"{folder}/mail", "INSTANCE_PATH": f"{folder}/instance",
                  "BASE_URL": "http://localhost", "RATELIMIT_ENABLED": "false"}
        print(f"worker_throughput: one burst worker, password-reset emails to the folder backend, "
              f"{url.split(':')[0]} database")
        results = {}
        first = 0
        for label, worker_class, count in (("before: rq worker", None, before_jobs),
                                           ("after:  rq worker -w app.jobs.worker.AppWorker",
                                            "app.jobs.worker.AppWorker", after_jobs)):
            job_ids = queue_emails(config, first, count)
            first += count
            wall = drain(config, worker_class)
            per_second, done = rate(connection, job_ids)
            results[label] = per_second
            print(f"  {label:<48} {done:>4} jobs  {per_second:7.1f} jobs/s  "
                  f"({1000 / per_second:6.0f} ms a job; {wall:5.1f} s wall time with start-up)")
        mails = len(list(Path(folder, "mail").glob("*.eml")))
        print(f"  emails written: {mails} of {before_jobs + after_jobs}")
    connection.flushdb()


if __name__ == "__main__":
    main()
