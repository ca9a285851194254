"""How long the daily reminder sweep takes, and how many queries it makes, per open enrolment.

Run with `make bench` (or `.venv/bin/python bench/reminder_sweep.py [N ...] [--time-events M ...]`).
It builds a throwaway SQLite database (or uses BENCH_DATABASE_URL, e.g. the PostgreSQL test
database's own schema) with N enrolments spread over the three pathways and times
`schedule_reminders` twice: the first run queues the reminders due, the second finds them already
queued (the steady state of a daily job).

The time events (PIP expiry, CASC window missed, preliminary expiry) are measured apart, over M
enrolments inserted in bulk (default 50,000), 1 in 200 past its date: how long finding what is due
takes (`due_now`, the set-based part), and firing them (`fire_due_events`, one transaction each).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event
from sqlmodel import Session, SQLModel

from app import create_app
from app.db import make_engine
from app.models import Enrollment, Organisation, OrganisationKind, Program, User
from app.services.enrollments import (
    deadline_events,
    pathways,
)
from app.services.notifications.reminders import schedule_reminders
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


def build_bulk(session: Session, n: int) -> int:
    """N open enrolments inserted in bulk (no password hashing); returns how many are past due."""
    org = Organisation(name="Bench district", kind=OrganisationKind.DISTRICT)
    session.add(org)
    session.flush()
    programs = {}
    for pathway in ("pip", "induction", "casc"):
        programs[pathway] = Program(organisation_id=org.id, name=f"Bench {pathway}", pathway=pathway)
        session.add(programs[pathway])
    session.flush()
    today = date.today()
    users = [{"email": f"bulk{i}@example.org", "name": f"Candidate {i}", "password_hash": "!"} for i in range(n)]
    for start in range(0, n, 5000):
        session.execute(User.__table__.insert(), users[start:start + 5000])  # type: ignore[attr-defined]
    ids = [row[0] for row in session.execute(User.__table__.select().with_only_columns(  # type: ignore[attr-defined]
        User.__table__.c.id).order_by(User.__table__.c.id))]  # type: ignore[attr-defined]
    rows, due = [], 0
    for i, user_id in enumerate(ids):
        pathway = ("pip", "induction", "casc")[i % 3]
        past = i % 200 == 0
        due += past
        # Past-due ones expired yesterday; the rest expire over the coming years.
        ends = today - timedelta(days=1) if past else today + timedelta(days=1 + i % 1500)
        row = {"candidate_id": user_id, "program_id": programs[pathway].id, "pathway": pathway,
               "pathway_version": 1, "version_id": 1, "enrolled_on": today - timedelta(days=100), "flags": [],
               "credential_sought": "", "authorization": "", "employer": "",
               "permit_issued_on": None, "permit_expires_on": None, "preliminary_issued_on": None,
               "preliminary_expires_on": None, "admin_position_started_on": None}
        if pathway == "pip":
            row.update(state="plan_established", permit_issued_on=ends - timedelta(days=365), permit_expires_on=ends)
        elif pathway == "induction":
            row.update(state="year1_active", preliminary_issued_on=ends - timedelta(days=5 * 365),
                       preliminary_expires_on=ends)
        else:
            row.update(state="admin_employed", admin_position_started_on=(
                today - timedelta(days=400) if past else today - timedelta(days=i % 100)))
        rows.append(row)
    for start in range(0, n, 5000):
        session.execute(Enrollment.__table__.insert(), rows[start:start + 5000])  # type: ignore[attr-defined]
    session.commit()
    return due


def measure_time_events(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": folder,
                          "MAIL_BACKEND": "folder", "MAIL_FOLDER": folder, "REDIS_URL": None,
                          "CLOCK_FILE": f"{folder}/clock.json"})
        with app.app_context():
            engine = make_engine(url)
            SQLModel.metadata.create_all(engine)
            with Session(engine) as session:
                due = build_bulk(session, n)
            with Session(engine) as session:
                started = time.perf_counter()
                found = deadline_events.due_now(session)
                finding = time.perf_counter() - started
            with Session(engine) as session:
                started = time.perf_counter()
                fired = deadline_events.fire_due_events(session)
                firing = time.perf_counter() - started
            with Session(engine) as session:
                started = time.perf_counter()
                again = deadline_events.fire_due_events(session)
                steady = time.perf_counter() - started
            print(f"time events, {n:6d} open enrolments, {due} past due: finding them {finding:5.2f} s "
                  f"({len(found)} found); firing {sum(fired.values())} in {firing:5.2f} s "
                  f"({firing / max(1, sum(fired.values())) * 1000:5.1f} ms each); next day {steady:5.2f} s "
                  f"({sum(again.values())} fired)")
            if url.startswith("postgresql"):
                SQLModel.metadata.drop_all(engine)
            engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    split = args.index("--time-events") if "--time-events" in args else len(args)
    sizes, time_sizes = [int(a) for a in args[:split]], [int(a) for a in args[split + 1:]]
    for size in sizes or ([] if split < len(args) else [100, 400]):
        measure(size)
    for size in time_sizes or [50_000]:
        measure_time_events(size)
