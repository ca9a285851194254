"""Work waiting on an approver besides sign-off tasks: log entries naming them to sign, and
documents on their candidates' enrolments that their role verifies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app import policy
from app.models import Enrollment, Evidence, LogEntry, Program, User
from app.services import dashboard
from workflows.facts import EvidenceKind, EvidenceStatus


@dataclass(frozen=True)
class WaitingLog:
    """A log entry that names this person as its signer and is not signed yet."""

    entry: LogEntry
    enrollment: Enrollment
    candidate: User


@dataclass(frozen=True)
class WaitingDocument:
    """A submitted document this person's role verifies (or sends back)."""

    evidence: Evidence
    enrollment: Enrollment
    candidate: User

    @property
    def label(self) -> str:
        return EvidenceKind(self.evidence.kind).label


def logs_to_sign(session: Session, user: User) -> list[WaitingLog]:
    """Unsigned entries naming `user`, on enrolments they still support, oldest first."""
    rows = session.exec(select(LogEntry, Enrollment, User).join(Enrollment, LogEntry.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                        .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(LogEntry.signer_id == user.id, LogEntry.signed_at.is_(None))  # type: ignore[union-attr]
                        .order_by(LogEntry.occurred_on, LogEntry.id)).all()
    # Someone removed from the team no longer signs for that candidate.
    return [WaitingLog(entry, enrollment, candidate) for entry, enrollment, candidate in rows
            if policy.can_view_enrollment(session, user, enrollment)]


def documents_to_verify(session: Session, user: User) -> list[WaitingDocument]:
    """Live documents awaiting verification that `user` may decide, oldest first."""
    rows = session.exec(select(Evidence, Enrollment, User).join(Enrollment, Evidence.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                        .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                        .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(Evidence.status == EvidenceStatus.SUBMITTED.value, Evidence.superseded_at.is_(None),  # type: ignore[union-attr]
                               Evidence.uploaded_by_id != user.id, dashboard.within_reach(session, user))
                        .order_by(Evidence.uploaded_at, Evidence.id)).all()
    waiting, roles_by_enrollment = [], {}
    for evidence, enrollment, candidate in rows:
        if enrollment.id not in roles_by_enrollment:
            roles_by_enrollment[enrollment.id] = policy.roles_on(session, user, enrollment)
        clears = dashboard.clearing_roles(enrollment).get(evidence.kind)
        if policy.can_decide_evidence(roles_by_enrollment[enrollment.id], clears):
            waiting.append(WaitingDocument(evidence, enrollment, candidate))
    return waiting
