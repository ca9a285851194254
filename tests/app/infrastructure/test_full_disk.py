"""A full upload disk: the person reads that storage is full (507), nothing is left behind, /healthz says so.

Run on a real small filesystem (a 1 MiB tmpfs, when this process may mount one) and, everywhere,
with the operating system's "no space left" error raised half-way through the write.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import storage
from app.models import AuditEvent, Evidence
from app.services.evidence import documents, filing
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.progress.test_candidate_workspace import upload
from tests.conftest import signed_in


class FullDisk:
    """An upload folder with no room left, and a way to make room."""

    def __init__(self, folder: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder, self.kind, self.monkeypatch = folder, kind, monkeypatch
        self.filler = folder / "filler"

    def fill(self) -> None:
        if self.kind == "tmpfs":
            with self.filler.open("wb") as stream:
                try:
                    while True:
                        stream.write(b"\0" * 65536)
                        stream.flush()
                except OSError as error:
                    assert error.errno == errno.ENOSPC
        else:
            real_fdopen = os.fdopen

            class HalfWritten:
                """A stream whose disk fills half-way through the write."""

                def __init__(self, *args: Any, **kwargs: Any) -> None:
                    self.stream = real_fdopen(*args, **kwargs)

                def __enter__(self):  # type: ignore[no-untyped-def]
                    return self

                def __exit__(self, *exc: object) -> None:
                    self.stream.close()

                def write(self, data: bytes) -> int:
                    self.stream.write(data[: len(data) // 2])
                    self.stream.flush()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            self.monkeypatch.setattr(storage.os, "fdopen", HalfWritten)
            usage = storage.shutil.disk_usage(self.folder)
            self.monkeypatch.setattr(storage.shutil, "disk_usage",
                                     lambda _: type(usage)(usage.total, usage.total, 0))

    def make_room(self) -> None:
        if self.kind == "tmpfs":
            self.filler.unlink()
        else:
            self.monkeypatch.undo()

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p != self.filler)


@pytest.fixture(params=["tmpfs", "no-space-error"])
def full_disk(request: pytest.FixtureRequest, app_config: dict[str, Any], tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[FullDisk]:
    """The app's upload folder on a disk that fills when asked (set before the app is built)."""
    folder = tmp_path / "upload-disk"
    folder.mkdir()
    mounted = False
    if request.param == "tmpfs":
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or done.returncode}); "
                        "the no-space-error variant covers the same path")
        mounted = True
    app_config["UPLOAD_FOLDER"] = str(folder)
    try:
        yield FullDisk(folder, request.param, monkeypatch)
    finally:
        monkeypatch.undo()
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)


def test_an_upload_to_a_full_disk_says_storage_is_full_and_leaves_nothing(
        full_disk: FullDisk, app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    client = signed_in(app, pip.candidate.email)
    documents_before = len(session.exec(select(Evidence)).all())
    events_before = len(session.exec(select(AuditEvent)).all())
    assert client.get("/healthz").get_json()["disk"] == "ok"
    full_disk.fill()

    response = upload(client, pip, pdf_bytes("records"), "records.pdf")

    assert response.status_code == 507
    page = response.get_data(as_text=True)
    assert "Storage is full, so your file was not saved" in page
    assert "Something went wrong" not in page
    assert full_disk.leftovers() == []  # no half-written file, no empty ones
    session.expire_all()
    assert len(session.exec(select(Evidence)).all()) == documents_before
    assert len(session.exec(select(AuditEvent)).all()) == events_before
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["disk"] == "low" and health.get_json()["status"] == "degraded"

    api = api_as(app, session, pip.candidate)
    answer = api.post(f"/enrollments/{pip.enrollment.id}/evidence", json=None,
                      data={"kind": "recruitment_records", "file": (io.BytesIO(pdf_bytes("again")),
                                                                    "records.pdf")},
                      content_type="multipart/form-data")
    assert answer.status_code == 507
    assert answer.get_json()["type"].endswith("/storage-full")
    assert full_disk.leftovers() == []

    full_disk.make_room()
    assert upload(client, pip, pdf_bytes("records"), "records.pdf").status_code == 302
    assert len(full_disk.leftovers()) == 1
    assert client.get("/healthz").get_json()["disk"] == "ok"


def test_a_file_whose_transaction_does_not_commit_is_removed_at_once(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    with app.app_context():
        row = filing.submit(session, pip.refresh(), "cl_777", "cl777.pdf", pdf_bytes("lost"), pip.candidate)
        path = documents.path_of(row)
        assert path.exists()
        session.rollback()
        assert not path.exists()
        kept = filing.submit(session, pip.refresh(), "cl_777", "cl777.pdf", pdf_bytes("kept"), pip.candidate)
        session.commit()
        assert documents.path_of(kept).read_bytes() == pdf_bytes("kept")
        assert [p.name for p in Path(app.config["UPLOAD_FOLDER"]).iterdir()] == [kept.stored_name]
