"""Filing a document and deciding on it, with what follows for sign-offs.

A new version withdraws the sign-offs that saw the old one; verifying a document queues the
sign-off tasks that were waiting for it on a step already asked for.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlmodel import Session, func, select

from app.confidentiality import plan_owners
from app.models import AuditEvent, Enrollment, Evidence, User, utcnow
from app.services.evidence import approver_notices, documents
from app.services.evidence.documents import EvidenceError, current, store_file
from app.services.evidence.uploads import check_upload
from app.services.signoffs import queueing
from app.services.signoffs.withdrawal import withdraw_signoffs_relying_on
from workflows.facts import EvidenceKind
from workflows.roles import Role


def submit(session: Session, enrollment: Enrollment, kind: str, filename: str | None, data: bytes,
           actor: User) -> Evidence:
    """Store an upload as the newest version of `kind` (the caller commits)."""
    try:
        kind = EvidenceKind(kind).value
    except ValueError:
        raise EvidenceError(f"{kind!r} is not a kind of evidence this product knows.") from None
    checked = check_upload(filename, data, current_app.config["MAX_UPLOAD_MB"] * 1_048_576)
    digest = hashlib.sha256(checked.data).hexdigest()
    previous = current(session, enrollment).get(kind)
    number = (session.exec(select(func.max(Evidence.version)).where(
        Evidence.enrollment_id == enrollment.id, Evidence.kind == kind)).one() or 0) + 1
    stored_name = store_file(session, checked)
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
    approver_notices.document_to_verify(session, enrollment, row)  # its verifiers hear of it (once each)
    return row


def decide(session: Session, evidence: Evidence, actor: User, verified: bool, reason: str | None = None) -> Evidence:
    """Verify a document or send it back (the caller commits); a verification may let held-back sign-off tasks go."""
    decided = documents.decide(session, evidence, actor, verified, reason)
    if verified:
        session.flush()
        enrollment = session.get(Enrollment, evidence.enrollment_id)
        queueing.queue_ready(session, enrollment, actor)  # type: ignore[arg-type]
    return decided


def refusal(kind: str) -> str:
    """Why someone may not file a document of `kind`, in words for them."""
    others = sorted(role.in_sentence for role in plan_owners(kind) - {Role.CANDIDATE})
    if others:
        return (f"Only the candidate and their {' or '.join(others)} file the {EvidenceKind(kind).label}: "
                "it is their plan, and a new version would replace the one everyone works from.")
    return "Your roles on this enrolment do not include uploading documents."
