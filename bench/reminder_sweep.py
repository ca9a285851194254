"""How long the daily reminder sweep takes, and how many queries it makes, per open enrolment.

Run with `make bench` (or `.venv/bin/python bench/reminder_sweep.py [N ...]`). It builds a throwaway
SQLite database (or uses BENCH_DATABASE_URL, e.g. the PostgreSQL test database's own schema) with
N enrolments spread over the three pathways and times `schedule_reminders` twice: the first run
queues the reminders due, the second finds them already queued (the steady state of a daily job).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from app import create_app  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Organisation, OrganisationKind, Program  # noqa: E402
from app.services.enrollments import pathways  # noqa: E402
from app.services.notifications.reminders import schedule_reminders  # noqa: E402
from app.services.team import accounts


def build(session: Session, n: int) -> None:
    org = Organisation(name="Bench district", kind=OrganisationKind.DISTRICT)
    session.add(org)
    session.flush()
    programs = []
    for pathway in ("pip", "induction", "casc"):
        program = Program(organisation_id=org.id, name=f"Bench {pathway}", pathway=pathway)
        session.add(program)
        programs.append(program)
    session.flush()
    today = date.today()
    for i in range(n):
        candidate = accounts.create_user(session, f"bench{i}@example.org", f"Candidate {i}", "bench-password-2026")
        program = programs[i % 3]
        # Permits and credentials that expire over the coming year, so some reminders are due.
        expires = today + timedelta(days=7 + (i * 37) % 360)
        dates = {"pip": {"permit_issued_on": expires - timedelta(days=365), "permit_expires_on": expires},
                 "induction": {"preliminary_issued_on": expires - timedelta(days=5 * 365),
                               "preliminary_expires_on": expires},
                 "casc": {"admin_position_started_on": today - timedelta(days=60)}}[program.pathway]
        pathways.enroll(session, candidate, program, today - timedelta(days=(i * 13) % 300), candidate, **dates)
    session.commit()


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": folder,
                          "MAIL_BACKEND": "folder", "MAIL_FOLDER": folder, "REDIS_URL": None})
        with app.app_context():
            engine = make_engine(url)
            SQLModel.metadata.create_all(engine)
            queries = 0

            def count(*_: object) -> None:
                nonlocal queries
                queries += 1

            with Session(engine) as session:
                build(session, n)
            event.listen(engine, "before_cursor_execute", count)
            for run in ("first", "again"):
                queries = 0
                with Session(engine) as session:
                    started = time.perf_counter()
                    queued = schedule_reminders(session)
                    elapsed = time.perf_counter() - started
                print(f"reminder sweep, {n:5d} enrolments, {run:5s} run: {elapsed:6.2f} s "
                      f"({elapsed / n * 1000:5.1f} ms and {queries / n:4.1f} queries per enrolment), "
                      f"{sum(queued.values())} queued")
            event.remove(engine, "before_cursor_execute", count)
            if url.startswith("postgresql"):
                SQLModel.metadata.drop_all(engine)
            engine.dispose()


if __name__ == "__main__":
    for size in [int(arg) for arg in sys.argv[1:]] or [100, 400]:
        measure(size)
