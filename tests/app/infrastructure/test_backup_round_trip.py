"""The backup path in docs/backups.md, done for real: pg_dump and the upload folder, restored elsewhere.

A populated PostgreSQL database (migrated as production is) and its upload folder are backed up with
pg_dump --format=custom and tar, restored into a new database and folder, and the restored copy must
hold the same rows, an intact audit chain ending where the original's did, working append-only
triggers, and every document byte for byte.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, make_url, select, text
from sqlmodel import Session, SQLModel

from app import create_app
from app.db import make_engine
from app.models import AuditEvent, Evidence
from app.models.audit import verify_chain
from tests import services
from tests.app.infrastructure.test_migrations import alembic_config
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.progress.test_candidate_workspace import upload
from tests.conftest import Auth, signed_in

pytestmark = pytest.mark.postgres


def libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver suffix)."""
    return url.replace("+psycopg", "")


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two new, empty PostgreSQL databases: the live one and the one the backup is restored into."""
    why = services.postgres_available()
    if why:
        services.unavailable("PostgreSQL", why)
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            services.unavailable(tool, "not installed (apt-get install postgresql-client)")
    admin = make_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    names = [f"ct_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("live", "restored")]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [make_url(services.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
            for name in names]
    yield urls[0], urls[1]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_on(url: str, instance: Path) -> Any:
    return create_app({"TESTING": True, "SECRET_KEY": "backup-test", "DATABASE_URL": url, "REDIS_URL": None,
                       "UPLOAD_FOLDER": str(instance / "uploads"), "MAIL_FOLDER": str(instance / "mail"),
                       "PACKET_FOLDER": str(instance / "packets"), "AUDIT_ANCHOR_FILE": str(instance / "anchors.log"),
                       "BASE_URL": "http://localhost"})


def row_counts(app: Any) -> dict[str, int]:
    with app.extensions["db_engine"].connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables}


def run(*command_line: str) -> None:
    done = subprocess.run(command_line, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command_line[:2])} failed: {done.stderr[-2000:]}"


def test_a_populated_database_and_its_uploads_survive_pg_dump_and_pg_restore(
        databases: tuple[str, str], tmp_path: Path) -> None:
    live_url, restored_url = databases
    live_dir, restored_dir, backup_dir = tmp_path / "live", tmp_path / "restored", tmp_path / "backup"
    backup_dir.mkdir()
    command.upgrade(alembic_config(live_url), "head")
    live = app_on(live_url, live_dir)

    # Populate: a candidate with a team, documents (files on disk), sign-ins, a failed one, a download.
    with Session(live.extensions["db_engine"], expire_on_commit=False) as session:
        driver = PathwayDriver(live, session, "pip")
        session.commit()
    candidate = signed_in(live, driver.candidate.email)
    for label in ("records", "transcript"):
        assert upload(candidate, driver, pdf_bytes(label), f"{label}.pdf",
                      kind="recruitment_records" if label == "records" else "transcripts").status_code == 302
    Auth(live.test_client()).sign_in(driver.candidate.email, "wrong password")
    with Session(live.extensions["db_engine"]) as session:
        documents = {row.id: row.sha256 for row in session.exec(select(Evidence)).scalars()}
    assert len(documents) == 2
    with candidate.get(f"/enrollments/{driver.enrollment.id}/evidence/{min(documents)}") as response:
        assert response.status_code == 200
    counts = row_counts(live)
    with live.extensions["db_engine"].connect() as conn:
        before = verify_chain(conn)
    assert before.problems == [] and before.count >= 5

    # Back up as docs/backups.md says: the database first, then the files.
    run("pg_dump", "--format=custom", f"--file={backup_dir / 'ct.dump'}", libpq(live_url))
    # A fresh install: no CTC packet written yet, so no packets folder (the README's tar used to fail here).
    assert not (live_dir / "packets").exists()
    run("mkdir", "-p", str(live_dir / "uploads"), str(live_dir / "packets"))
    run("tar", "-C", str(live_dir), "-czf", str(backup_dir / "uploads.tar.gz"), "uploads", "packets")
    anchored = live.test_cli_runner().invoke(args=["audit", "anchor"])
    assert anchored.exit_code == 0, anchored.output
    live.extensions["db_engine"].dispose()

    # Restore into the new database and a new instance folder.
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(restored_url)}", str(backup_dir / "ct.dump"))
    restored_dir.mkdir()
    run("tar", "-C", str(restored_dir), "-xzf", str(backup_dir / "uploads.tar.gz"))
    restored = app_on(restored_url, restored_dir)

    assert row_counts(restored) == counts
    command.check(alembic_config(restored_url))  # the schema is the migrated one, nothing missing
    with restored.extensions["db_engine"].connect() as conn:
        after = verify_chain(conn, anchor=(before.last_id, before.last_hash))  # type: ignore[arg-type]
    assert after.problems == [] and (after.count, after.last_hash) == (before.count, before.last_hash)
    # The anchor kept beside the backup vouches for the restored record, read by `flask audit verify` itself.
    (restored_dir / "anchors.log").write_bytes((live_dir / "anchors.log").read_bytes())
    verified = restored.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "newest anchor" in verified.output, verified.output
    assert (restored_dir / "packets").is_dir()
    with pytest.raises(Exception, match="append-only"), restored.extensions["db_engine"].begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'rewritten'"))

    # The restored copy works: the candidate signs in and gets every document back, byte for byte.
    again = signed_in(restored, driver.candidate.email)
    for evidence_id, sha256 in documents.items():
        with again.get(f"/enrollments/{driver.enrollment.id}/evidence/{evidence_id}") as response:
            assert response.status_code == 200
            assert hashlib.sha256(response.data).hexdigest() == sha256
    with restored.extensions["db_engine"].connect() as conn:
        grown = verify_chain(conn)
    assert grown.problems == [] and grown.count > after.count  # new events continue the restored chain
    with Session(restored.extensions["db_engine"]) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "evidence.downloaded")).scalar_one() == 1 + len(documents)
    restored.extensions["db_engine"].dispose()
