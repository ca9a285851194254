"""Withdrawing the sign-offs that relied on a document version once a new version replaces it."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import AuditEvent, SignOff, User, utcnow
from app.services.signoffs import queueing as tasks
from workflows.facts import EvidenceKind


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
        session.flush()
        for signoff in withdrawn:
            tasks.requeue_after_withdrawal(session, signoff, actor)
    return withdrawn
