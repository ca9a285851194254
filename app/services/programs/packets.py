"""The CTC recommendation packet of a batch, written once and then downloaded by the director.

The packet is a zip under the instance folder (config PACKET_FOLDER, default instance/packets):
`recommendations.csv` in the layout docs/ctc-packet.md documents, plus one printable summary per
candidate (HTML, and the same as PDF) for the program's authorized submitter to key into CTC Online.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from flask import current_app, render_template
from sqlmodel import Session, select

from app import storage
from app.models import (
    PATHWAY_LABELS,
    Enrollment,
    Organisation,
    Pathway,
    Program,
    Recommendation,
    RecommendationBatch,
    User,
    utcnow,
)
from app.services.evidence.pdf_document import Document, Section, render
from app.services.programs import cohort
from app.services.programs.accreditation import evidence_table
from app.services.programs.csv_safety import to_csv
from app.zones import day_in_words

# Fixed timestamp inside the zip: the same batch always gives the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


PACKET_COLUMNS = ("recommendation_id", "batch_id", "submitted_on", "program_sponsor", "program_name",
                  "pathway", "candidate_legal_name", "candidate_email", "credential_title", "authorization",
                  "employer", "enrolled_on", "completed_on", "replaces_recommendation_id", "attested_by",
                  "attestation")


def packet_folder() -> Path:
    """Where packets are written."""
    return Path(current_app.config["PACKET_FOLDER"])


def packet_rows(session: Session, batch: RecommendationBatch) -> list[dict[str, object]]:
    """One row per recommendation in the batch, in the documented column order."""
    program = session.get(Program, batch.program_id)
    sponsor = session.get(Organisation, program.organisation_id)  # type: ignore[union-attr]
    director = session.get(User, batch.submitted_by_id)
    recs = session.exec(select(Recommendation).where(Recommendation.batch_id == batch.id)
                        .order_by(Recommendation.id)).all()
    wanted = {rec.enrollment_id for rec in recs}
    lines = [line for line in cohort.load(session, program) if line.enrollment.id in wanted]  # type: ignore[arg-type]
    evidence = {row["email"]: row for row in evidence_table(session, program, lines).rows}  # type: ignore[arg-type]
    rows = []
    for rec in recs:
        enrollment = session.get(Enrollment, rec.enrollment_id)
        candidate = session.get(User, enrollment.candidate_id)  # type: ignore[union-attr]
        rows.append({
            "recommendation_id": rec.id, "batch_id": batch.id, "submitted_on": rec.submitted_on,
            "program_sponsor": sponsor.name if sponsor else "", "program_name": program.name,  # type: ignore[union-attr]
            "pathway": enrollment.pathway, "candidate_legal_name": candidate.name,  # type: ignore[union-attr]
            "candidate_email": candidate.email, "credential_title": enrollment.credential_sought,  # type: ignore[union-attr]
            "authorization": enrollment.authorization, "employer": enrollment.employer,  # type: ignore[union-attr]
            "enrolled_on": enrollment.enrolled_on,  # type: ignore[union-attr]
            "completed_on": evidence.get(candidate.email, {}).get("completed_on"),  # type: ignore[union-attr]
            "replaces_recommendation_id": rec.replaces_id, "attested_by": director.name if director else "",
            "attestation": batch.attestation,
        })
    return rows


def build_packet(session: Session, batch: RecommendationBatch) -> bytes:
    """The packet's zip bytes: the CSV and one printable summary per candidate."""
    rows = packet_rows(session, batch)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, text: str) -> None:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), text.encode("utf-8"))

        add("recommendations.csv", to_csv(PACKET_COLUMNS, [[row[c] for c in PACKET_COLUMNS] for row in rows]))
        for row in rows:
            add(f"summary-{row['recommendation_id']}.html",
                render_template("director/packet_summary.html", row=row, batch=batch))
            archive.writestr(zipfile.ZipInfo(f"summary-{row['recommendation_id']}.pdf", date_time=_ZIP_TIME),
                             render(summary_document(row, batch)))
    return buffer.getvalue()


def summary_document(row: dict[str, object], batch: RecommendationBatch) -> Document:
    """One candidate's recommendation summary, as the HTML one says it (dated by the batch: same batch, same bytes)."""
    def said(value: object) -> str:
        return day_in_words(value) if isinstance(value, date) else str(value or "—")  # type: ignore[arg-type]

    submitted = f"{said(row['submitted_on'])} (recommendation #{row['recommendation_id']}, batch #{row['batch_id']}"
    submitted += f", replaces #{row['replaces_recommendation_id']})" if row["replaces_recommendation_id"] else ")"
    facts = (("Candidate (legal name)", said(row["candidate_legal_name"])), ("Email", said(row["candidate_email"])),
             ("Credential", said(row["credential_title"])), ("Authorization", said(row["authorization"])),
             ("Employer", said(row["employer"])), ("Program sponsor", said(row["program_sponsor"])),
             ("Program", f"{row['program_name']} ({PATHWAY_LABELS[Pathway(str(row['pathway']))]})"),
             ("Enrolled", said(row["enrolled_on"])), ("Program requirements completed", said(row["completed_on"])),
             ("Submitted", submitted))
    note = ("Enter this in CTC Online. The candidate's SSN/ITIN and date of birth are not kept by Credential "
            "Tracker; take them from the candidate or HR record.")
    attestation = (said(row["attestation"]), f"— {row['attested_by']}, {said(row['submitted_on'])}")
    return Document(
        title="CTC recommendation summary", created=batch.created_at, facts=facts,
        sections=(Section("For the authorized submitter", (note,)), Section("Attestation", attestation)),
        footer=f"{row['candidate_legal_name']} · recommendation #{row['recommendation_id']}")


def write_packet(session: Session, batch_id: int) -> None:
    """Write the batch's packet once; a second run finds it written and does nothing."""
    batch = session.get(RecommendationBatch, batch_id)
    if batch is None:
        return
    folder = packet_folder()
    relative = f"program-{batch.program_id}/batch-{batch.id}.zip"
    target = folder / relative
    if batch.packet_path == relative and target.exists():
        return
    storage.write_whole(target, build_packet(session, batch))  # nobody downloads half a packet
    batch.packet_path = relative
    batch.packet_ready_at = utcnow()
    session.add(batch)
    return


def packet_file(batch: RecommendationBatch) -> Path | None:
    """The packet's file, if written."""
    if not batch.packet_path:
        return None
    path = packet_folder() / batch.packet_path
    return path if path.exists() else None
