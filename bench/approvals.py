"""Approve-and-advance: sign-off approvals that complete a step, per second, against raw insert+commit.

Run with `.venv/bin/python bench/approvals.py [N]` (default 20): N CASC candidates each waiting
only on the director's admission sign-off; each approval fires "admit" in its own transaction
(the audit chain, the outbox, the enrolment summary). The floor is one-row INSERT + COMMIT on the
same database, N times. SQLite by default; `DATABASE_URL=postgresql+psycopg://...` runs in a
schema of its own (bench/scale/runner.py `database`), dropped afterwards. Prints JSON lines and a summary.
The emails an approval queues are handed off, not sent here (as a web process with a worker
does); BENCH_INLINE_JOBS=1 sends them in-process instead (the app without Redis).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text
from sqlmodel import Session, SQLModel

from app import create_app, outbox
from app.services.signoffs import deciding
from bench.scale.runner import database, emit
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from workflows.roles import Role


def raw_rate(session: Session, n: int) -> float:
    """One-row INSERT + COMMIT per second."""
    key = "SERIAL PRIMARY KEY" if session.get_bind().dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    session.execute(text(f"CREATE TABLE IF NOT EXISTS bench_raw (id {key}, v INTEGER)"))
    session.commit()
    started = time.perf_counter()
    for i in range(n):
        session.execute(text("INSERT INTO bench_raw (v) VALUES (:v)"), {"v": i})
        session.commit()
    return n / (time.perf_counter() - started)


def main(n: int) -> None:
    with database(n, os.environ.get("DATABASE_URL", "")) as (url, db), tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": folder,
                          "MAIL_BACKEND": "folder", "MAIL_FOLDER": folder, "REDIS_URL": None,
                          "RATELIMIT_ENABLED": False})
        engine = app.extensions["db_engine"]
        SQLModel.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            waiting = [waiting_on_signoffs(app, session, "casc") for _ in range(n)]
            statements = 0

            def count(*_: object) -> None:
                nonlocal statements
                statements += 1

            event.listen(engine, "before_cursor_execute", count)
            if os.environ.get("BENCH_INLINE_JOBS") != "1":
                # In production the outbox hands its messages to the worker (one Redis push); without
                # Redis it would run the candidate's email in this process, which is the worker's time.
                outbox.dispatch = lambda message_ids: len(message_ids)  # type: ignore[assignment]
            started = time.perf_counter()
            with app.app_context():
                for driver, [task] in waiting:
                    decision = deciding.approve(session, task.id, driver.person(Role.PROGRAM_DIRECTOR))  # type: ignore[arg-type]
                    assert decision.transition_to == "admitted"
            rate = n / (time.perf_counter() - started)
            event.remove(engine, "before_cursor_execute", count)
            raw = raw_rate(session, max(n * 10, 200))
        engine.dispose()
    for metric, value, unit in (("approvals_per_second", rate, "1/s"), ("sql_per_approval", statements / n, "statements"),
                                ("raw_insert_commit_per_second", raw, "1/s"), ("share_of_raw", rate / raw * 100, "%")):
        emit(metric, round(value, 2), unit, n, db, "approve and advance")
    print(f"approve-and-advance on {db}: {rate:.1f}/s ({statements / n:.0f} statements each); "
          f"raw insert+commit {raw:.0f}/s; {rate / raw * 100:.1f}% of raw")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
