"""Evidence: store a checked upload as a new version, verify it or send it back.

A new version supersedes the old one (kept, never deleted) and withdraws every sign-off that
relied on the old version's SHA-256, so nobody's approval silently covers a changed document.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from app import clock, outbox, policy, storage
from app.models import AuditEvent, Enrollment, Evidence, User, utcnow
from app.services.enrollments import case_file
from app.services.evidence.uploads import CheckedFile
from workflows.facts import EvidenceStatus


class EvidenceError(ValueError):
    """An evidence request that cannot be carried out, with a message for the person."""


def current(session: Session, enrollment: Enrollment) -> dict[str, Evidence]:
    """The live (not superseded) version of each kind of evidence on an enrolment (its case file's)."""
    return case_file.of(session, enrollment).current_documents




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




def path_of(evidence: Evidence) -> Path:
    """Where the file's bytes are stored."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / evidence.stored_name


def store_file(session: Session, checked: CheckedFile) -> str:
    """Write the upload whole under a new random name; it goes again if the transaction does not commit.

    Raises storage.StorageFull (507) when the disk has no room, leaving nothing behind.
    """
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    # A random name: nothing the uploader chose reaches the file system.
    name = secrets.token_hex(16) + ".bin"
    storage.write_whole(folder / name, checked.data)
    storage.forget_unless_committed(session, folder / name)
    return name


# A file is written before its transaction commits, and removed at once if it does not
# (storage.forget_unless_committed); the sweep is for a process killed in between. One younger
# than this may still be committing.
ORPHAN_GRACE = timedelta(hours=1)


def sweep_orphan_files(session: Session, now: datetime | None = None) -> int:
    """Delete stored files no evidence row names (their upload's transaction rolled back).

    Only files older than ORPHAN_GRACE go, so an upload still being committed is never touched.
    """
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return 0
    # File times come from the system clock: take a moved app clock's offset off before comparing.
    cutoff = ((now or utcnow()) - timedelta(seconds=clock.offset_seconds()) - ORPHAN_GRACE).timestamp()
    known = set(session.exec(select(Evidence.stored_name)).all())
    removed = 0
    for path in folder.glob("*.bin"):
        if path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
