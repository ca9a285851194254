"""What the audit chain costs: a commit with one audit event, with and without chaining, and verifying.

Run with `make bench` (or `.venv/bin/python bench/audit_chain.py [N]`). Uses a throwaway SQLite
database, or BENCH_DATABASE_URL (e.g. a PostgreSQL schema of its own). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.models import AuditEvent
from app.models import audit as audit_module


def main(count: int) -> None:
    """Time `count` one-event commits chained, `count` unchained (listeners off), and one verify."""
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)

        def commits() -> float:
            start = time.perf_counter()
            for n in range(count):
                with Session(engine) as session:
                    session.add(AuditEvent(action="bench.event", details={"n": n, "sha256": "ab" * 32}))
                    session.commit()
            return (time.perf_counter() - start) / count * 1000

        chained = commits()
        sa.event.remove(audit_module.OrmSession, "before_flush", audit_module._chain_new_events)
        sa.event.remove(audit_module.OrmSession, "after_flush", audit_module._move_head)
        plain = commits()
        sa.event.listen(audit_module.OrmSession, "before_flush", audit_module._chain_new_events)
        sa.event.listen(audit_module.OrmSession, "after_flush", audit_module._move_head)
        commits()  # chained again, so the newest events verify
        with engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
            start = time.perf_counter()
            audit_module.verify_chain(conn)
            verify_ms = (time.perf_counter() - start) * 1000
        print(f"audit chain on {engine.dialect.name}: a one-event commit takes {chained:.2f} ms chained, "
              f"{plain:.2f} ms unchained ({count} commits each)")
        print(f"  verify_chain over {total} events: {verify_ms:.0f} ms "
              f"({verify_ms / total * 1000:.1f} µs per event; the unchained ones are reported, as they should be)")
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
