"""The audit record's anchor, kept outside the database: the newest event and its hash, appended on a schedule.

The chain catches an edit, a deletion or a reorder, but not a rewrite that recomputes every hash
and the head, nor the newest events cut off together with the head moved back. An anchor written
earlier to a file the database cannot touch catches both: `flask audit verify` reads the newest
one by itself. `rq cron` writes one every hour (`app/jobs/cron.py`), `flask audit anchor` on demand
(system cron). Keep AUDIT_ANCHOR_FILE on another disk or machine, or copy it off with the backups.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from app import clock
from app.models.audit import verify_chain


def write(connection: sa.Connection, path: Path) -> str | None:
    """Append the newest event's `ID:HASH` (after checking the chain up to it); the line, or None if empty.

    A broken chain is not anchored: an anchor must vouch only for a record that was intact.
    """
    report = verify_chain(connection, newest(path))
    if report.problems:
        raise ValueError("The audit record is not intact; no anchor written: " + " ".join(report.problems))
    if report.last_id is None:
        return None
    line = f"{clock.now().isoformat(timespec='seconds')} {report.last_id}:{report.last_hash}"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Appended, flushed to disk: each line is whole, and no earlier line is ever rewritten.
    with path.open("a", encoding="ascii") as stream:
        stream.write(line + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    return line


def newest(path: Path) -> tuple[int, str] | None:
    """The last anchor in the file as (event id, hash), or None when there is none yet."""
    if not path.is_file():
        return None
    for line in reversed(path.read_text(encoding="ascii").splitlines()):
        _, _, anchor = line.strip().rpartition(" ")
        event_id, _, digest = anchor.partition(":")
        if event_id.isdigit() and len(digest) == 64:
            return int(event_id), digest
    return None
