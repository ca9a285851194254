"""Export: the candidate takes their whole record away; nobody takes another's."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Evidence, LogEntry, utcnow
from app.services.evidence import documents as documents_service
from app.services.evidence import filing, plans, previews
from app.services.progress import export
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import signed_in
from tests.today import TODAY
from workflows.roles import Role


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "induction")
    driver.walker().assign(Role.MENTOR)
    session.commit()
    with app.app_context():
        enrollment = driver.refresh()
        first = filing.submit(session, enrollment, "preliminary_credential", "../../etc/My Credential.pdf",
                                pdf_bytes("v1"), driver.candidate)
        session.flush()
        filing.submit(session, enrollment, "preliminary_credential", "credential.pdf", pdf_bytes("v2"),
                        driver.candidate)
        filing.submit(session, enrollment, "employment_verification", "job.pdf", pdf_bytes("job"),
                        driver.people[Role.DISTRICT_HR])
        assert first.superseded_at is not None
    plans.save(session, enrollment, "ilp", driver.candidate, items=[
        {"standard": 3, "goal": "Private ILP goal", "actions": "Plan units backwards"}], summary={},
        expected_revision=0)
    session.add(LogEntry(enrollment_id=enrollment.id, kind="mentoring", occurred_on=TODAY - timedelta(days=1),
                         hours=1.5, notes="Confidential mentoring note", author_id=driver.candidate.id,
                         signer_id=driver.people[Role.MENTOR].id, signed_at=utcnow()))
    session.commit()
    return driver


def base(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/export"


def test_the_candidate_downloads_a_zip_of_exactly_their_documents(app: Flask, session: Session,
                                                                  induction: PathwayDriver) -> None:
    response = signed_in(app, induction.candidate.email).get(base(induction) + "/evidence.zip")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = session.exec(select(Evidence).where(Evidence.enrollment_id == induction.enrollment.id)).all()
    documents = {n for n in archive.namelist() if n not in ("manifest.json", "SHA256SUMS")}
    assert documents == {export.archive_name(row) for row in rows}
    assert "preliminary_credential/v1-My_Credential.pdf" in documents  # spaces and the typed path cleaned
    assert all(".." not in name and not name.startswith("/") for name in archive.namelist())
    for row in rows:
        data = archive.read(export.archive_name(row))
        assert hashlib.sha256(data).hexdigest() == row.sha256
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted((d["kind"], d["version"], d["sha256"]) for d in manifest["documents"]) == sorted(
        (r.kind, r.version, r.sha256) for r in rows)
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert sorted(sums) == sorted(f"{r.sha256}  {export.archive_name(r)}" for r in rows)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "record.exported")).one().details[
        "what"] == "evidence_zip"


@pytest.mark.parametrize(("typed", "stored"), [
    ("../../etc/passwd", "kind/v3-etc_passwd"),
    ("..\\..\\boot.ini", "kind/v3-boot.ini"),
    ("\x00\x1b[31m.pdf", "kind/v3-31m.pdf"),
    ("../..", "kind/v3-document"),
])
def test_names_inside_the_zip_cannot_climb_out(typed: str, stored: str) -> None:
    assert export.archive_name(Evidence(kind="kind", version=3, original_filename=typed, stored_name="x",
                                        content_type="x", size_bytes=0, sha256="0", uploaded_by_id=1)) == stored


def test_a_missing_stored_file_is_named_in_the_manifest(app: Flask, session: Session, induction: PathwayDriver) -> None:
    row = session.exec(select(Evidence).where(Evidence.kind == "employment_verification")).one()
    with app.app_context():
        documents_service.path_of(row).unlink()
    archive = zipfile.ZipFile(io.BytesIO(signed_in(app, induction.candidate.email).get(base(induction) + "/evidence.zip").data))
    entry = next(d for d in json.loads(archive.read("manifest.json"))["documents"] if d["kind"] == "employment_verification")
    assert entry["file"] is None and "missing" in entry["problem"]


def test_the_summary_holds_the_record_and_can_be_downloaded(app: Flask, induction: PathwayDriver) -> None:
    client = signed_in(app, induction.candidate.email)
    response = client.get(base(induction) + "/summary")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Content-Disposition" not in response.headers
    assert "Record of Candidate" in body and "Teacher Induction" in body
    assert "Requirements" in body and "Deadlines" in body and "ILP goals set" in body
    assert "Private ILP goal" in body and "Confidential mentoring note" in body  # the candidate's own
    assert "My Credential.pdf" in body and "<link" not in body  # self-contained
    download = client.get(base(induction) + "/summary?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment; filename=\"record-")


def test_the_record_also_comes_as_a_pdf_holding_what_the_exporter_may_read(app: Flask, session: Session,
                                                                           induction: PathwayDriver) -> None:
    induction.candidate.name = "Nguyễn Thị Bích Hằng"
    session.add(induction.candidate)
    session.commit()
    client = signed_in(app, induction.candidate.email)
    assert "Download the summary (PDF)" in client.get(base(induction)).get_data(as_text=True)
    response = client.get(base(induction) + "/summary?format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Record of Nguyen Thi Bich Hang, ')
    words = " ".join(previews.text_of(response.data).split())
    assert "Record of Nguyễn Thị Bích Hằng" in words and "Teacher Induction" in words
    assert "Private ILP goal" in words and "Confidential mentoring note" in words and "My Credential.pdf" in words
    # The program director's PDF, like their page, leaves the candidate's confidential notes out.
    director = signed_in(app, induction.people[Role.PROGRAM_DIRECTOR].email).get(base(induction) + "/summary?format=pdf")
    assert "Confidential mentoring note" not in previews.text_of(director.data)
    assert client.get(base(induction) + "/summary?format=docx").status_code == 400
    exports = session.exec(select(AuditEvent).where(AuditEvent.action == "record.exported")).all()
    assert len(exports) == 2  # each PDF audited like the page


def test_the_program_director_exports_without_confidential_notes(app: Flask, induction: PathwayDriver) -> None:
    client = signed_in(app, induction.people[Role.PROGRAM_DIRECTOR].email)
    body = client.get(base(induction) + "/summary").get_data(as_text=True)
    assert "Private ILP goal" in body  # the program runs the ILP
    assert "Confidential mentoring note" not in body and "confidential" in body
    assert client.get(base(induction) + "/evidence.zip").status_code == 200


@pytest.mark.parametrize("role", [Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.MENTOR])
def test_others_on_the_team_do_not_export_the_record(app: Flask, induction: PathwayDriver, role: Role) -> None:
    client = signed_in(app, induction.people[role].email)
    for path in ("/summary", "/evidence.zip"):
        response = client.get(base(induction) + path)
        assert response.status_code == 404  # refused like every page a role may not see
        assert "Private ILP goal" not in response.get_data(as_text=True)
    page = client.get(base(induction)).get_data(as_text=True)
    assert "Download every document" not in page and "Make a calendar link" in page


@pytest.mark.parametrize("path", ["", "/summary", "/evidence.zip"])
def test_another_candidate_gets_404_and_nothing_leaks(app: Flask, session: Session, induction: PathwayDriver,
                                                      path: str) -> None:
    other = PathwayDriver(app, session, "induction")
    response = signed_in(app, other.candidate.email).get(base(induction) + path)
    assert response.status_code == 404
    assert b"Private ILP goal" not in response.data and b"%PDF" not in response.data
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "record.exported")).all() == []
