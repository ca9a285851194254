"""Handlers for the approver's notices: a log to sign, a document to verify, a plan shared for review.

Each re-reads the row: a log already signed, a document decided or replaced, or a person no
longer on the team sends nothing. The link opens the inbox's queue, where the decision is inline.
"""

from __future__ import annotations

from sqlmodel import Session

from app import policy
from app.models import Enrollment, Evidence, LogEntry, LogKind, User
from app.services.enrollments import pathways
from app.services.evidence.plans import EVIDENCE_KIND
from app.services.notifications import emails
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.urls import external_url
from workflows.facts import EvidenceKind, EvidenceStatus

PLAN_KINDS = {kind.value for kind in EVIDENCE_KIND.values()}


def _active(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active else None


@handler("email.log_to_sign")
def send_log_to_sign(session: Session, log_id: int) -> Email | None:
    """Ask the named mentor or coach to sign a log entry (nothing once it is signed)."""
    entry = session.get(LogEntry, log_id)
    enrollment = session.get(Enrollment, entry.enrollment_id) if entry else None
    signer = _active(session, entry.signer_id) if entry else None
    if entry is None or entry.signed_at is not None or enrollment is None or signer is None or pathways.is_final(enrollment):
        return None
    if not policy.roles_on(session, signer, enrollment):
        return None  # no longer on the candidate's team
    candidate = session.get(User, enrollment.candidate_id)
    return emails.log_to_sign_email(signer, candidate.name if candidate else "A candidate",
                                    LogKind(entry.kind).in_sentence, entry.occurred_on, entry.hours,
                                    external_url("inbox.index", tab="logs"))


@handler("email.document_to_verify")
def send_document_to_verify(session: Session, evidence_id: int, recipient_id: int) -> Email | None:
    """Tell a verifier a document waits (a plan: that it was shared for their review)."""
    evidence = session.get(Evidence, evidence_id)
    enrollment = session.get(Enrollment, evidence.enrollment_id) if evidence else None
    recipient = _active(session, recipient_id)
    if (evidence is None or enrollment is None or recipient is None or evidence.superseded_at is not None
            or evidence.status != EvidenceStatus.SUBMITTED.value or pathways.is_final(enrollment)):
        return None
    roles = policy.roles_on(session, recipient, enrollment)
    if not policy.can_read_evidence(roles, evidence.kind):
        return None
    candidate = session.get(User, enrollment.candidate_id)
    return emails.document_to_verify_email(recipient, candidate.name if candidate else "A candidate",
                                           EvidenceKind(evidence.kind).label, evidence.kind in PLAN_KINDS,
                                           external_url("inbox.index", tab="documents"))
