"""Evidence: store a checked upload as a new version, verify it or send it back.

A new version supersedes the old one (kept, never deleted) and withdraws every sign-off that
relied on the old version's SHA-256, so nobody's approval silently covers a changed document.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlmodel import Session, func, select

from app import policy
from app.models import AuditEvent, Enrollment, Evidence, SignOff, User, utcnow
from workflows.facts import EvidenceKind, EvidenceStatus

from . import outbox
from .uploads import CheckedFile, check_upload


class EvidenceError(ValueError):
    """An evidence request that cannot be carried out, with a message for the person."""


def current(session: Session, enrollment_id: int) -> dict[str, Evidence]:
    """The live (not superseded) version of each kind of evidence on an enrolment."""
    rows = session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment_id,
                                               Evidence.superseded_at.is_(None))).all()  # type: ignore[union-attr]
    return {row.kind: row for row in rows}


def submit(session: Session, enrollment: Enrollment, kind: str, filename: str | None, data: bytes,
           actor: User) -> Evidence:
    """Store an upload as the newest version of `kind` (the caller commits)."""
    try:
        kind = EvidenceKind(kind).value
    except ValueError:
        raise EvidenceError(f"{kind!r} is not a kind of evidence this product knows.") from None
    checked = check_upload(filename, data, current_app.config["MAX_UPLOAD_MB"] * 1_048_576)
    digest = hashlib.sha256(checked.data).hexdigest()
    previous = current(session, enrollment.id).get(kind)  # type: ignore[arg-type]
    number = (session.exec(select(func.max(Evidence.version)).where(
        Evidence.enrollment_id == enrollment.id, Evidence.kind == kind)).one() or 0) + 1
    stored_name = _store(checked)
    now = utcnow()
    if previous is not None:
        previous.superseded_at = now
        session.add(previous)
    row = Evidence(enrollment_id=enrollment.id, kind=kind, version=number, original_filename=checked.filename,
                   stored_name=stored_name, content_type=checked.content_type, size_bytes=len(checked.data),
                   sha256=digest, uploaded_by_id=actor.id)
    session.add(row)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="evidence.submitted",
                           details={"kind": kind, "version": number, "sha256": digest,
                                    "replaces": previous.sha256 if previous else None}))
    if previous is not None and previous.sha256 != digest:
        withdraw_signoffs_relying_on(session, enrollment.id, kind, previous.sha256, actor)  # type: ignore[arg-type]
    return row


def decide(session: Session, evidence: Evidence, actor: User, verified: bool, reason: str | None = None) -> Evidence:
    """Verify a submitted document, or send it back with a reason (the caller commits)."""
    if evidence.superseded_at is not None:
        raise EvidenceError("A newer version of this document has been uploaded; decide on that one.")
    if not policy.can_decide_own_upload(actor, evidence.uploaded_by_id):
        raise EvidenceError("You cannot verify a document you uploaded yourself.")
    if not verified and not (reason or "").strip():
        raise EvidenceError("Say why the document is sent back, so the candidate can fix it.")
    evidence.status = (EvidenceStatus.VERIFIED if verified else EvidenceStatus.SENT_BACK).value
    evidence.decided_by_id = actor.id
    evidence.decided_at = utcnow()
    evidence.decision_reason = (reason or "").strip() or None
    session.add(evidence)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=evidence.enrollment_id,
                           action="evidence.verified" if verified else "evidence.sent_back",
                           reason=evidence.decision_reason,
                           details={"kind": evidence.kind, "version": evidence.version, "sha256": evidence.sha256}))
    # The uploader hears the decision (and a sent-back document's reason) by email.
    outbox.add(session, "email.evidence_decided", f"evidence-decided-{evidence.id}", evidence_id=evidence.id)
    return evidence


def withdraw_signoffs_relying_on(session: Session, enrollment_id: int, kind: str, sha256: str, actor: User) -> list[SignOff]:
    """Withdraw the live sign-offs that saw this version of the evidence, and queue a new task for each."""
    withdrawn = []
    live = session.exec(select(SignOff).where(SignOff.enrollment_id == enrollment_id,
                                              SignOff.withdrawn_at.is_(None))).all()  # type: ignore[union-attr]
    for signoff in live:
        if signoff.evidence_hashes.get(kind) == sha256:
            signoff.withdrawn_at = utcnow()
            signoff.withdrawn_reason = f"The {EvidenceKind(kind).label} it relied on was replaced."
            session.add(signoff)
            session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment_id, action="signoff.withdrawn",
                                   reason=signoff.withdrawn_reason,
                                   details={"signoff": signoff.key, "role": signoff.role, "kind": kind,
                                            "sha256": sha256}))
            withdrawn.append(signoff)
    if withdrawn:
        from . import tasks  # late: tasks builds on this module

        session.flush()
        for signoff in withdrawn:
            tasks.requeue_after_withdrawal(session, signoff, actor)
    return withdrawn


def path_of(evidence: Evidence) -> Path:
    """Where the file's bytes are stored."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / evidence.stored_name


def _store(checked: CheckedFile) -> str:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: nothing the uploader chose reaches the file system.
    name = secrets.token_hex(16) + ".bin"
    (folder / name).write_bytes(checked.data)
    return name


# A file is written before its transaction commits; one younger than this may still be committing.
ORPHAN_GRACE = timedelta(hours=1)


def sweep_orphan_files(session: Session, now: datetime | None = None) -> int:
    """Delete stored files no evidence row names (their upload's transaction rolled back).

    Only files older than ORPHAN_GRACE go, so an upload still being committed is never touched.
    """
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return 0
    cutoff = ((now or utcnow()) - ORPHAN_GRACE).timestamp()
    known = set(session.exec(select(Evidence.stored_name)).all())
    removed = 0
    for path in folder.glob("*.bin"):
        if path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
