"""Files left behind by uploads whose transaction rolled back are swept; nothing else is."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlmodel import Session

from app.models import utcnow
from app.services.evidence import documents, filing
from app.services.notifications.reminders import daily_sweep
from tests.app.pathway_driver import PathwayDriver, pdf_bytes


def aged(path: Path, hours: float) -> Path:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def test_a_file_left_by_a_killed_upload_is_deleted_by_the_sweep(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    with app.app_context():
        kept = filing.submit(session, pip.refresh(), "recruitment_records", "records.pdf",
                                       pdf_bytes("kept"), pip.candidate)
        session.commit()
        folder = Path(app.config["UPLOAD_FOLDER"])
        # A process killed between writing the file and committing (a rollback removes it at once).
        lost_path = folder / "fedcba9876543210fedcba9876543210.bin"
        lost_path.write_bytes(pdf_bytes("lost"))
        aged(documents.path_of(kept), 5)
        aged(lost_path, 2)
        fresh = folder / "0123456789abcdef0123456789abcdef.bin"
        fresh.write_bytes(b"an upload still committing")

        counts = daily_sweep(session)

        assert counts.get("uploads.orphans_deleted") == 1
        assert not lost_path.exists()
        assert documents.path_of(kept).read_bytes() == pdf_bytes("kept")
        assert fresh.exists()  # younger than the grace period: its transaction may still commit
        # A day later, with nothing else changed, the fresh file is an orphan too.
        assert documents.sweep_orphan_files(session, utcnow() + timedelta(days=1)) == 1
        assert not fresh.exists() and documents.path_of(kept).exists()
