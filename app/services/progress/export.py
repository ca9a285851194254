"""A candidate's whole record, to keep or hand on: a printable summary and a ZIP of the documents.

Who may export is decided in policy.can_export_record; what goes in is what the person exporting
may read (confidential notes and the ILP stay out for anyone who may not read them). Each export
is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select
from werkzeug.utils import secure_filename

from app import policy
from app.models import (
    AuditEvent,
    Enrollment,
    Evidence,
    LogEntry,
    LogKind,
    Plan,
    SelfAssessment,
    User,
    utcnow,
)
from app.services import NotPermitted
from app.services.evidence import documents as evidence_service
from app.services.evidence import logs as logs_service
from app.services.evidence import plans as plans_service
from app.services.evidence import self_assessments as self_assessments_service
from app.services.progress import dashboard as dashboard_service
from workflows.facts import EvidenceKind
from workflows.registry import plugin


@dataclass(frozen=True)
class LogTotal:
    """Entries and hours of one kind of log."""

    kind: str
    entries: int
    signed: int
    hours: float


@dataclass(frozen=True)
class RecordSummary:
    """Everything the printable summary shows, already filtered for the person exporting."""

    board: dashboard_service.Dashboard
    generated_at: datetime
    plans: list[tuple[plans_service.PlanShape, Plan | None]]
    hidden_plans: list[plans_service.PlanShape]
    self_assessments: list[SelfAssessment] | None  # None: not the exporter's to read
    log_totals: list[LogTotal]
    logs: list[tuple[LogEntry, str | None]]  # with the notes the exporter may read
    evidence: list[Evidence] | None
    names: dict[int, str]


def _require(session: Session, enrollment: Enrollment, viewer: User) -> frozenset:
    roles = policy.roles_on(session, viewer, enrollment)
    if not policy.can_export_record(roles):
        raise NotPermitted("Only the candidate and their program director export the record.")
    return roles


def summary(session: Session, enrollment: Enrollment, viewer: User, now: datetime | None = None) -> RecordSummary:
    """The record as `viewer` may read it, and an audit line saying they exported it (caller commits)."""
    roles = _require(session, enrollment, viewer)
    board = dashboard_service.build(session, enrollment, viewer, now)
    plans, hidden = [], []
    for kind in plans_service.kinds(enrollment.pathway):
        shape = plans_service.SHAPES[kind]
        if policy.can_read_plan(roles, kind.value, "export"):
            plans.append((shape, plans_service.find(session, enrollment, kind.value)))
        else:
            hidden.append(shape)
    assessments = None
    if plugin(enrollment.pathway).standards is not None and policy.can_read_growth_record(roles, enrollment.pathway):
        assessments = self_assessments_service.history(session, enrollment)
    entries = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id)
                           .order_by(LogEntry.occurred_on, LogEntry.id)).all()  # type: ignore[arg-type]
    totals: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0.0])
    for entry in entries:
        total = totals[entry.kind]
        total[0] += 1
        total[1] += entry.signed_at is not None
        total[2] += entry.hours if entry.signed_at is not None else 0
    names = {u.id: u.name for u in session.exec(select(User).where(
        User.id.in_({e.signer_id for e in entries} | {e.author_id for e in entries} or {0}))).all()}  # type: ignore[union-attr]
    session.add(AuditEvent(actor_id=viewer.id, enrollment_id=enrollment.id, action="record.exported",
                           details={"what": "summary"}))
    return RecordSummary(
        board=board, generated_at=now or utcnow(), plans=plans, hidden_plans=hidden, self_assessments=assessments,
        log_totals=[LogTotal(kind, n, signed, hours) for kind, (n, signed, hours) in sorted(totals.items())],
        logs=[(e, logs_service.visible_notes(e, roles)) for e in entries],
        evidence=readable_evidence(session, enrollment, roles), names=names)  # type: ignore[arg-type]


def readable_evidence(session: Session, enrollment: Enrollment, roles: frozenset) -> list[Evidence] | None:
    """Every version of every document `roles` may read (a plan's PDF as its export channel allows)."""
    if not policy.can_read_evidence(roles):
        return None
    rows = session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment.id)
                        .order_by(Evidence.kind, Evidence.version)).all()  # type: ignore[arg-type]
    return [row for row in rows if policy.can_read_evidence(roles, row.kind)]


def archive_name(row: Evidence) -> str:
    """The file's path inside the ZIP: kind/v<version>-<cleaned original name>.

    Nothing the uploader typed can climb out of the folder or carry control characters.
    """
    cleaned = secure_filename(row.original_filename) or "document"
    return f"{row.kind}/v{row.version}-{cleaned[:120]}"


def evidence_zip(session: Session, enrollment: Enrollment, viewer: User) -> bytes:
    """Every document version the viewer may read, with a manifest and SHA256SUMS (caller commits)."""
    roles = _require(session, enrollment, viewer)
    rows = readable_evidence(session, enrollment, roles) or []
    manifest, sums = [], []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            path = evidence_service.path_of(row)
            entry: dict[str, Any] = {
                "kind": row.kind, "label": EvidenceKind(row.kind).label, "version": row.version,
                "status": row.status, "original_filename": row.original_filename, "content_type": row.content_type,
                "size_bytes": row.size_bytes, "sha256": row.sha256, "uploaded_at": row.uploaded_at.isoformat(),
                "superseded": row.superseded_at is not None}
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                entry["file"] = None
                entry["problem"] = "The stored file is missing; ask the service administrator."
                manifest.append(entry)
                continue
            name = archive_name(row)
            archive.writestr(name, data)
            actual = hashlib.sha256(data).hexdigest()
            entry["file"] = name
            if actual != row.sha256:
                entry["problem"] = f"The stored file's SHA-256 is {actual}, not the recorded one."
            manifest.append(entry)
            sums.append(f"{actual}  {name}")
        archive.writestr("manifest.json", json.dumps(
            {"enrollment": enrollment.id, "pathway": enrollment.pathway, "exported_at": utcnow().isoformat(),
             "documents": manifest}, indent=2))
        archive.writestr("SHA256SUMS", "".join(line + "\n" for line in sums))
    session.add(AuditEvent(actor_id=viewer.id, enrollment_id=enrollment.id, action="record.exported",
                           details={"what": "evidence_zip", "documents": len(sums)}))
    return buffer.getvalue()


def log_kind_label(kind: str) -> str:
    """A log kind as people say it."""
    return LogKind(kind).label
