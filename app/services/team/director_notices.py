"""A program's directors, and telling them of what needs them: a new enrolment, a proposal to confirm.

One generic notice, the outbox job `email.program_notice` with the audit event that happened and one
director: its handler (app/jobs/program_notices.py) builds the email from that event, re-reading the
database, so a notice about something undone meanwhile (a proposal confirmed or declined, a director
replaced, an account deactivated) sends nothing. Each director is told once per event.

Here, and not in `members`, because accepting an invitation (`invitations.accept`) tells the directors
of a proposal, and `members` imports `invitations`.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from app import outbox
from app.models import Enrollment, Membership, Program, User
from workflows.roles import Role

# Told of today: "enrollment.created" (signup.start_enrolment) and "role.proposed" (invitations.accept).
PROGRAM_NOTICE = "email.program_notice"


def program_directors(session: Session, enrollment: Enrollment) -> list[User]:
    """Active program directors of the enrolment's program (or of its whole organisation)."""
    program = session.get(Program, enrollment.program_id)
    scopes = [Membership.program_id == enrollment.program_id]
    if program is not None:
        scopes.append((Membership.organisation_id == program.organisation_id)
                      & Membership.program_id.is_(None) & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    return list(session.exec(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.role == Role.PROGRAM_DIRECTOR.value, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
        User.active.is_(True), or_(*scopes)).distinct().order_by(User.id)).all())  # type: ignore[attr-defined]


def tell_directors(session: Session, enrollment: Enrollment, audit_event_id: int, actor_id: int | None = None) -> list[User]:
    """Queue the notice of audit event `audit_event_id` for each active director of the enrolment's program
    (not whoever did it); the caller commits with `outbox.commit`. Returns the directors told."""
    told = [d for d in program_directors(session, enrollment) if d.id != actor_id]
    for director in told:
        outbox.add(session, PROGRAM_NOTICE, f"program-notice-{audit_event_id}-{director.id}",
                   audit_event_id=audit_event_id, recipient_id=director.id)
    return told
