"""Measure the director's, the approver's and the candidate's pages through the real routes.

Per page: p50 and p95 over repeated requests after a warm-up, statements per request (an
SQLAlchemy `before_cursor_execute` listener on the app's engine), bytes, and the floor: a bare
Flask route in the same process returning a body of the same size. Prints one JSON object per
line (metric, value, unit, enrollments, db, page) and then a table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlmodel import Session, SQLModel, select

from app import clock, create_app
from app.models import User
from app.services.programs import summaries
from app.services.team import api_tokens
from bench.scale.generate import PASSWORD, Dataset, load

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
BUDGET_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "8"))  # time spent repeating one page
MAX_REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))


@dataclass
class Figure:
    """One page at one size."""

    page: str
    p50_ms: float
    p95_ms: float
    sql: int
    bytes: int
    floor_ms: float

    @property
    def ratio(self) -> float:
        """How many times the bare floor."""
        return self.p50_ms / self.floor_ms if self.floor_ms else 0.0


@contextmanager
def database(size: int, base_url: str | None = None) -> Iterator[tuple[str, str]]:
    """A fresh database: a SQLite file, or a schema of its own in DATABASE_URL's PostgreSQL, dropped after."""
    url = base_url if base_url is not None else os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench-{size}.db", "sqlite"
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}", "postgresql"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))  # only the bench's own schema
        admin.dispose()


def kept(url: str, size: int) -> Dataset | None:
    """With BENCH_KEEP=<folder> (SQLite), the dataset loaded once into <folder>/bench-<size>.db and reused:
    a copy is measured, so every run starts from the same data (generate big datasets once)."""
    folder = os.environ.get("BENCH_KEEP")
    if not folder or not url.startswith("sqlite:///"):
        return None
    stored, meta = Path(folder) / f"bench-{size}.db", Path(folder) / f"bench-{size}.json"
    if not meta.exists():
        Path(folder).mkdir(parents=True, exist_ok=True)
        data = build(f"sqlite:///{stored}", size)
        meta.write_text(json.dumps(asdict(data)))
    shutil.copyfile(stored, url.removeprefix("sqlite:///"))
    return Dataset(**json.loads(meta.read_text()))


def build(url: str, size: int) -> Dataset:
    """Create the tables and load `size` enrolments."""
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        data = load(conn, size, clock.today())
    # The loader inserts in bulk, past the ORM, so the summaries are rebuilt as `flask summaries rebuild` does.
    with Session(engine) as session:
        summaries.rebuild(session)
    # Statistics for the planner, as a deployment has after its first day (PostgreSQL's autovacuum,
    # SQLite's `PRAGMA optimize`): without them a fresh bulk load is planned as if every table were tiny.
    with engine.begin() as conn:
        # Only this schema's tables (a bare ANALYZE walks every schema of the shared database).
        for table in SQLModel.metadata.sorted_tables:
            conn.execute(text(f'ANALYZE "{table.name}"'))
    engine.dispose()
    return data


def sign_in(app: Flask, email: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/auth/sign-in").get_data(as_text=True)
    match = TOKEN.search(page)
    token = match.group(1) or match.group(2)  # type: ignore[union-attr]
    response = client.post("/auth/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"sign-in as {email} failed ({response.status_code})"
    return client


def timed(call: Callable[[], bytes], repeats: int | None = None) -> tuple[list[float], bytes]:
    # (first < budget/4 s: a page already slower than that is measured once, without a warm-up)
    """Milliseconds per call after one warm-up (skipped when a call is already slow)."""
    started = time.perf_counter()
    body = call()
    first = (time.perf_counter() - started) * 1000
    samples: list[float] = [] if first < BUDGET_SECONDS * 250 else [first]
    spent = first / 1000
    while len(samples) < (repeats or MAX_REPEATS) and (spent < BUDGET_SECONDS or len(samples) < 3) and first < BUDGET_SECONDS * 250:
        started = time.perf_counter()
        body = call()
        elapsed = time.perf_counter() - started
        samples.append(elapsed * 1000)
        spent += elapsed
    return samples, body


def floor_ms(size: int) -> float:
    """p50 of a bare Flask route returning `size` bytes, in this process."""
    bare = Flask("floor")
    payload = b"x" * size

    @bare.get("/")
    def body() -> bytes:
        return payload

    client = bare.test_client()
    samples, _ = timed(lambda: client.get("/").data, repeats=200)
    return statistics.median(samples)


def pages(data: Dataset) -> dict[str, tuple[str, str]]:
    """Page name -> (who, path)."""
    p = data.director_program_id
    return {
        "candidate dashboard": (data.candidate_email, f"/enrollments/{data.candidate_enrollment_id}"),
        "approver inbox": (data.busy_approver_email, "/inbox"),
        "director cohort": (data.director_email, f"/programs/{p}"),
        "candidate list": (data.director_email, f"/programs/{p}/candidates"),
        "at-risk list": (data.director_email, f"/programs/{p}/at-risk"),
        "candidates CSV": (data.director_email, f"/programs/{p}/candidates.csv"),
        "accreditation CSV": (data.director_email, f"/programs/{p}/accreditation.csv"),
        # Through the API with the candidate's token (the API takes no cookies).
        "enrolment API document": (data.candidate_email, f"/api/v1/enrollments/{data.candidate_enrollment_id}"),
    }


def api_headers(url: str, email: str) -> dict[str, str]:
    """The headers of an API request by this person: a token of their own, as the tokens page issues it."""
    engine = create_engine(url)
    with Session(engine) as session:
        person = session.exec(select(User).where(User.email == email)).one()
        _, secret = api_tokens.create(session, person, "bench", min(api_tokens.LIFETIMES))
        session.commit()
    engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


def measure(size: int, only: set[str] | None = None, base_url: str | None = None,
            repeats: int | None = None) -> tuple[str, list[Figure]]:
    """Every page at one size (`base_url`: the database server to use instead of DATABASE_URL)."""
    with database(size, base_url) as (url, db):
        started = time.perf_counter()
        data = build(url, size) if not kept(url, size) else kept(url, size)
        load_seconds = time.perf_counter() - started
        emit("load_seconds", round(load_seconds, 1), "s", size, db, "generator")
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": folder,
                              "MAIL_BACKEND": "folder", "MAIL_FOLDER": folder, "REDIS_URL": None,
                              "RATELIMIT_ENABLED": False})
            statements = 0

            def count(*_: object) -> None:
                nonlocal statements
                statements += 1

            event.listen(app.extensions["db_engine"], "before_cursor_execute", count)
            clients: dict[str, object] = {}
            figures = []
            for page, (who, path) in pages(data).items():
                if only and page not in only:
                    continue
                client = clients.setdefault(who, sign_in(app, who))
                headers = api_headers(url, who) if path.startswith("/api/") else {}

                def fetch(client: object = client, path: str = path, headers: dict[str, str] = headers) -> bytes:
                    response = client.get(path, headers=headers)  # type: ignore[attr-defined]
                    assert response.status_code == 200, f"{path}: {response.status_code}"
                    return response.data

                fetch()
                statements = 0
                fetch()
                sql = statements
                samples, body = timed(fetch, repeats)
                figure = Figure(page, statistics.median(samples), percentile(samples, 95), sql, len(body),
                                floor_ms(len(body)))
                figures.append(figure)
                for metric, value, unit in (("p50", figure.p50_ms, "ms"), ("p95", figure.p95_ms, "ms"),
                                            ("sql_per_request", figure.sql, "statements"), ("bytes", figure.bytes, "bytes"),
                                            ("floor_p50", figure.floor_ms, "ms"), ("ratio_to_floor", figure.ratio, "x")):
                    emit(metric, round(value, 2), unit, size, db, page)
            if only is None or "daily sweep" in only:
                sweep(app, size, db)
            if only is None or "web process" in only:
                from bench.scale.memory import peak_rss  # (memory.py uses this module's helpers)
                peak_rss(url, data, size, db)
            app.extensions["db_engine"].dispose()
        return db, figures


def sweep(app: Flask, size: int, db: str) -> None:
    """The daily sweep over every enrolment: the first run (queues what is due) and the next (finds it queued)."""
    from app import outbox
    from app.services.notifications.reminders import daily_sweep

    dispatch, outbox.dispatch = outbox.dispatch, lambda ids: len(ids)  # the worker's part, not the sweep's
    try:
        with app.app_context():
            for run in ("sweep_first_seconds", "sweep_again_seconds"):
                with Session(app.extensions["db_engine"]) as session:
                    started = time.perf_counter()
                    daily_sweep(session)
                    emit(run, round(time.perf_counter() - started, 2), "s", size, db, "daily sweep")
    finally:
        outbox.dispatch = dispatch


def percentile(samples: list[float], q: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def emit(metric: str, value: float, unit: str, enrollments: int, db: str, page: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, "enrollments": enrollments, "db": db,
                      "page": page}), flush=True)


def table(results: list[tuple[int, str, list[Figure]]]) -> str:
    """The figures as a Markdown table."""
    lines = ["| page | enrolments | db | SQL per request | p50 ms | p95 ms | bytes | floor ms | ratio to floor |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size, db, figures in results:
        for f in figures:
            lines.append(f"| {f.page} | {size:,} | {db} | {f.sql} | {f.p50_ms:,.1f} | {f.p95_ms:,.1f} | {f.bytes:,} "
                         f"| {f.floor_ms:.3f} | {f.ratio:,.0f}x |")
    return "\n".join(lines)
