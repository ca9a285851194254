"""The audit chain: every event carries the hash of the one before; `flask audit verify` finds any tampering.

Tampering is done the way an attacker with database access would: lift the append-only triggers, then
rewrite rows in SQL. The triggers are put back afterwards (the PostgreSQL lane shares one schema).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app.db import make_engine
from app.models import AuditEvent, Evidence
from app.models.audit import GENESIS, append_only_statements, event_hash, verify_chain
from tests.app.infrastructure.test_migrations import alembic_config, empty_database  # noqa: F401  (fixture)
from tests.conftest import Auth, csrf_token, make_user, signed_in

_LIFT = {
    "sqlite": ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER audit_event_no_change ON audit_event"],
}


@contextmanager
def triggers_lifted(engine: Engine) -> Iterator[Any]:
    """A connection with the append-only triggers dropped (restored on the way out)."""
    dialect = engine.dialect.name
    with engine.begin() as conn:
        for statement in _LIFT[dialect]:
            conn.execute(text(statement))
        yield conn
        for statement in append_only_statements(dialect):
            conn.execute(text(statement))


def engine_of(app: Flask) -> Engine:
    return app.extensions["db_engine"]


def problems(app: Flask, anchor: tuple[int, str] | None = None) -> list[str]:
    with engine_of(app).connect() as conn:
        return verify_chain(conn, anchor).problems


def events(app: Flask, count: int = 6) -> list[int]:
    """`count` events written the way the app writes them; their ids."""
    with Session(engine_of(app)) as session:
        rows = [AuditEvent(action=f"test.event_{n}", details={"n": n, "nested": {"b": [1, 2.5], "a": None}})
                for n in range(count)]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]  # type: ignore[misc]


def verify_cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_events_written_through_the_app_form_one_chain_and_verify_says_intact(app: Flask, session: Session) -> None:
    make_user(session)
    client = signed_in(app, "ana@example.org")
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    Auth(app.test_client()).sign_in("ana@example.org", "wrong password")
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [row.action for row in rows] == ["account.created", "auth.signed_in", "auth.signed_out", "auth.sign_in_failed"]
    assert rows[0].previous_hash == GENESIS
    assert all(later.previous_hash == earlier.chain_hash for earlier, later in pairwise(rows))
    result = verify_cli(app)
    assert result.exit_code == 0, result.output
    assert f"intact: 4 event(s). Newest: {rows[-1].id}:{rows[-1].chain_hash}" in result.output


def test_an_empty_record_is_intact(app: Flask) -> None:
    assert problems(app) == []


def test_an_edited_event_is_reported(app: Flask) -> None:
    ids = events(app)
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("UPDATE audit_event SET reason = 'nothing to see' WHERE id = :id"), {"id": ids[2]})
    assert problems(app) == [f"Event {ids[2]} (test.event_2) was changed after it was written."]
    result = verify_cli(app)
    assert result.exit_code == 1 and "not intact: 1 problem(s) in 6 event(s)" in result.output


def test_an_edit_to_the_json_details_is_reported(app: Flask) -> None:
    ids = events(app)
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("UPDATE audit_event SET details = '{\"n\": 99}' WHERE id = :id"), {"id": ids[1]})
    assert problems(app) == [f"Event {ids[1]} (test.event_1) was changed after it was written."]


def test_a_deleted_event_is_reported(app: Flask) -> None:
    ids = events(app)
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3]})
    assert problems(app) == [(f"Event {ids[4]} does not follow event {ids[2]}: an event between them was deleted, "
                              "or events were reordered.")]


def test_reordered_events_are_reported(app: Flask) -> None:
    ids = events(app)
    first, second = ids[1], ids[2]
    with triggers_lifted(engine_of(app)) as conn:
        # Swap the two rows' ids, through a free id.
        conn.execute(text("UPDATE audit_event SET id = -1 WHERE id = :id"), {"id": first})
        conn.execute(text("UPDATE audit_event SET id = :a WHERE id = :b"), {"a": first, "b": second})
        conn.execute(text("UPDATE audit_event SET id = :b WHERE id = -1"), {"b": second})
    found = problems(app)
    assert f"Event {first} does not follow event {ids[0]}: an event between them was deleted, or events were " \
           "reordered." in found
    assert any(p.startswith(f"Event {ids[3]} does not follow event {second}") for p in found)


def test_cutting_off_the_newest_events_is_reported(app: Flask) -> None:
    ids = events(app)
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": ids[4]})
    assert problems(app) == [(f"The newest event should be {ids[5]} but is {ids[3]}: events at the end were "
                              "deleted, or the record's head was changed.")]


def test_a_rewrite_that_recomputes_the_whole_chain_is_caught_by_an_anchor_kept_outside(app: Flask) -> None:
    ids = events(app)
    with engine_of(app).connect() as conn:
        report = verify_chain(conn)
    anchor = (report.last_id, report.last_hash)
    # The attacker knows the algorithm: edit one event, then recompute every hash after it and the head.
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("UPDATE audit_event SET action = 'test.harmless' WHERE id = :id"), {"id": ids[1]})
        table = AuditEvent.__table__  # type: ignore[attr-defined]
        previous = GENESIS
        for row in conn.execute(table.select().order_by(table.c.id)).mappings().all():
            digest = event_hash(previous, row)
            conn.execute(table.update().where(table.c.id == row["id"]).values(previous_hash=previous,
                                                                               chain_hash=digest))
            previous = digest
        conn.execute(text("UPDATE audit_chain_head SET last_hash = :h"), {"h": previous})
    assert problems(app) == []  # the chain alone cannot tell
    assert problems(app, anchor) == [(f"Event {ids[5]} no longer has the hash recorded for it: the record was "
                                      "rewritten since.")]
    result = verify_cli(app, "--anchor", f"{anchor[0]}:{anchor[1]}")
    assert result.exit_code == 1
    assert verify_cli(app, "--anchor", "nonsense").exit_code == 2  # a clear usage error


def test_many_events_in_one_flush_keep_id_order(app: Flask) -> None:
    events(app, 200)
    assert problems(app) == []


def test_concurrent_writers_keep_the_chain_linear(app: Flask) -> None:
    # Each thread has its own connection: on PostgreSQL they really run at once, and the head row's lock
    # queues them; on SQLite the database's single writer does.
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(15):
                with Session(engine_of(app)) as session:
                    session.add(AuditEvent(action="test.concurrent", details={"worker": worker, "n": n}))
                    session.add(AuditEvent(action="test.concurrent", details={"worker": worker, "n": n, "x": 1}))
                    session.commit()
        except BaseException as error:  # noqa: BLE001  reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine_of(app).connect() as conn:
        report = verify_chain(conn)
    assert report.problems == [] and report.count == 6 * 15 * 2


def test_a_migration_chains_the_events_already_there_and_keeps_the_triggers(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "5a14c0ffee02")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO audit_event (occurred_at, action, details) "
                              "VALUES (CURRENT_TIMESTAMP, :action, '{\"n\": 1}')"), {"action": f"before.{n}"})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        report = verify_chain(conn)
    assert report.problems == [] and report.count == 3
    with Session(engine) as session:
        session.add(AuditEvent(action="after.upgrade"))
        session.commit()
    with engine.connect() as conn:
        assert verify_chain(conn).problems == []
    for statement in ("UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
    command.downgrade(config, "5a14c0ffee02")  # and back, for whoever must


# --- What is audited ---------------------------------------------------------------------------------

def test_downloading_a_document_or_a_report_of_personal_data_is_audited(app: Flask, session: Session) -> None:
    from tests.app.pathway_driver import PathwayDriver, pdf_bytes
    from tests.app.progress.test_candidate_workspace import upload
    from workflows.roles import Role

    driver = PathwayDriver(app, session, "pip")
    candidate = signed_in(app, driver.candidate.email)
    assert upload(candidate, driver, pdf_bytes("records"), "records.pdf").status_code == 302
    evidence_id = session.exec(select(Evidence.id)).one()
    path = f"/enrollments/{driver.enrollment.id}/evidence/{evidence_id}"
    # Responses are closed (`with`), so each request's session is released before the tables are emptied.
    with candidate.get(path) as response:
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert candidate.get(f"/enrollments/{driver.enrollment.id}/evidence/999999").status_code == 404
    director = signed_in(app, driver.people[Role.PROGRAM_DIRECTOR].email)
    with director.get(f"/programs/{driver.program.id}/accreditation.csv") as response:
        assert response.status_code == 200 and response.get_data(as_text=True).count("\n") >= 2  # header + a row
    audited = session.exec(select(AuditEvent).where(AuditEvent.action.in_(
        ["evidence.downloaded", "report.exported"])).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.enrollment_id, e.details) for e in audited] == [
        ("evidence.downloaded", driver.candidate.id, driver.enrollment.id,
         {"what": "candidate.download_evidence", "evidence_id": evidence_id}),
        ("report.exported", driver.people[Role.PROGRAM_DIRECTOR].id, None,
         {"what": "director.accreditation_csv", "program_id": driver.program.id}),
    ]
    assert problems(app) == []


def test_cutting_the_newest_events_and_fixing_the_head_is_caught_by_the_anchor_file(app: Flask) -> None:
    ids = events(app)
    anchored = app.test_cli_runner().invoke(args=["audit", "anchor"])
    assert anchored.exit_code == 0 and f"{ids[-1]}:" in anchored.output
    anchor_file = Path(app.config["AUDIT_ANCHOR_FILE"])
    assert len(anchor_file.read_text().splitlines()) == 1
    assert verify_cli(app).exit_code == 0
    # The attacker cuts the newest two events and moves the head back: the chain alone looks whole.
    with triggers_lifted(engine_of(app)) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": ids[4]})
        last = conn.execute(text("SELECT chain_hash FROM audit_event WHERE id = :id"), {"id": ids[3]}).scalar_one()
        conn.execute(text("UPDATE audit_chain_head SET last_event_id = :id, last_hash = :h"), {"id": ids[3], "h": last})
    assert problems(app) == []
    result = verify_cli(app)  # no --anchor: the file's newest line is read by itself
    assert result.exit_code == 1
    assert f"Event {ids[5]}, recorded earlier, is gone." in result.output
    # And no anchor vouches for the broken record.
    refused = app.test_cli_runner().invoke(args=["audit", "anchor"])
    assert refused.exit_code == 1 and len(anchor_file.read_text().splitlines()) == 1


def test_the_hourly_job_appends_an_anchor(app: Flask) -> None:
    from app.jobs.audit import anchor_audit_record

    ids = events(app, 2)
    with app.app_context():
        first = anchor_audit_record()
        events(app, 1)
        second = anchor_audit_record()
    lines = Path(app.config["AUDIT_ANCHOR_FILE"]).read_text().splitlines()
    assert [line.rsplit(" ", 1)[1] for line in lines] == [first.rsplit(" ", 1)[1], second.rsplit(" ", 1)[1]]  # type: ignore[union-attr]
    assert lines[0].endswith(f" {ids[-1]}:" + lines[0].rsplit(":", 1)[1])
