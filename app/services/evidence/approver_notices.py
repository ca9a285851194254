"""Telling approvers something waits on them: a log to sign, a document to verify, a plan to review.

Queued in the same transaction as the change (the transactional outbox), one message per person,
keyed so a retry or a double submit never sends twice. The handlers (app/jobs/approver_notices.py)
re-read the row: a log signed or a document decided meanwhile sends nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from app import outbox, policy
from app.models import Enrollment, Evidence, LogEntry
from app.services.team.members import holders
from workflows.registry import definition
from workflows.roles import Role


def log_to_sign(session: Session, entry: LogEntry) -> None:
    """Ask the person a new entry names to sign it (nothing for a note its author stands behind)."""
    if entry.signed_at is None and entry.signer_id is not None:
        outbox.add(session, "email.log_to_sign", f"log-to-sign-{entry.id}", log_id=entry.id)


def clearing_role(enrollment: Enrollment, kind: str) -> Role | None:
    """The role whose verification clears this kind of document on the enrolment's pathway."""
    for rule in definition(enrollment.pathway, enrollment.pathway_version).rules.values():
        if rule.evidence_kind is not None and rule.evidence_kind.value == kind:
            return rule.clears
    return None


def document_to_verify(session: Session, enrollment: Enrollment, evidence: Evidence) -> None:
    """Tell the people whose role verifies this document (a plan: whoever reviews it) that it waits;
    when none of them but its uploader may, the credential analysts, who verify any document (and
    when none of them either, the director is told of it as their turn: progress/turns.py)."""
    role = clearing_role(enrollment, evidence.kind)
    for verifying in dict.fromkeys(r for r in (role, Role.CREDENTIAL_ANALYST) if r not in (None, Role.CANDIDATE)):
        told = False
        for person in holders(session, enrollment, verifying):  # type: ignore[arg-type]
            roles = policy.roles_on(session, person, enrollment)
            # Never the uploader, never someone who may not read it (the ILP and evaluators).
            if person.id == evidence.uploaded_by_id or not policy.can_read_evidence(roles, evidence.kind):
                continue
            outbox.add(session, "email.document_to_verify", f"document-to-verify-{evidence.id}-{person.id}",
                       evidence_id=evidence.id, recipient_id=person.id)
            told = True
        if told:
            return
