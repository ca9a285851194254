"""Pages whose statement count does not grow with the data, batch facts equal to one-by-one facts,
and the bench running end to end (counts are asserted, never timings).

The data comes from the bench's generator (bench/scale/generate.py) in a database of its own per
size: a SQLite file, or a schema of its own in the PostgreSQL lane's database, dropped afterwards.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel, select

from app import clock
from app.models import Enrollment
from app.services.enrollments.facts import build_facts, build_many
from bench.scale.generate import load
from bench.scale.runner import database, measure
from tests import services
from tests.conftest import ON_POSTGRES

# Every page the bench measures: at most 12 statements each (the target), the same at any
# size. The director's pages read the enrolment summaries (app/services/programs/summaries.py);
# the enrolment's own page and API document read its case file, each table once
# (app/services/enrollments/case_file.py). Much of the 12 is what every signed-in page asks (the
# person, their memberships, the navigation's programs and inbox badge), so a new query per page
# fails here.
CEILINGS = {"director cohort": 12, "candidate list": 12, "at-risk list": 12, "candidates CSV": 12,
            "accreditation CSV": 12, "approver inbox": 12, "candidate dashboard": 12, "enrolment API document": 12}


def server_url() -> str:
    """Where the per-size databases go: "" for SQLite files, else the PostgreSQL lane's server."""
    if not ON_POSTGRES:
        return ""
    why = services.postgres_available()
    if why:
        services.unavailable("PostgreSQL", why)
    return services.POSTGRES_URL


def test_each_fixed_page_asks_the_same_number_of_statements_at_two_sizes() -> None:
    base = server_url()
    counts = {}
    for size in (60, 240):
        _, figures = measure(size, set(CEILINGS), base_url=base, repeats=1)
        counts[size] = {f.page: f.sql for f in figures}
    assert counts[60] == counts[240], counts
    for page, ceiling in CEILINGS.items():
        assert counts[60][page] <= ceiling, (page, counts[60][page])


def test_a_cohort_built_in_one_batch_has_the_facts_built_one_by_one() -> None:
    with database(120, server_url()) as (url, _):
        engine = create_engine(url)
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            load(conn, 120, clock.today())
        with Session(engine) as session:
            enrollments = list(session.exec(select(Enrollment)).all())
            batch = build_many(session, enrollments)
            assert len(batch) == 120
            for enrollment in enrollments:
                assert batch[enrollment.id] == build_facts(session, enrollment), enrollment.id
        engine.dispose()


def test_the_bench_prints_one_json_object_per_figure(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    db, figures = measure(30, {"candidate dashboard", "director cohort"}, base_url=server_url(), repeats=1)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert {f.page for f in figures} == {"candidate dashboard", "director cohort"}
    assert all(set(line) == {"metric", "value", "unit", "enrollments", "db", "page"} for line in lines)
    assert {line["metric"] for line in lines} >= {"p50", "p95", "sql_per_request", "bytes", "floor_p50", "ratio_to_floor"}
    assert {line["db"] for line in lines} == {db}
