"""The people around a candidate: who holds a role for them, and their support team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import or_
from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, Invitation, Membership, Program, User, utcnow
from app.services import NotFound
from app.services.team.invitations import is_pending, require_manager
from workflows.roles import Role


def holders(session: Session, enrollment: Enrollment, role: Role) -> list[User]:
    """Active people holding `role` for this candidate (on the enrolment, program or organisation)."""
    program = session.get(Program, enrollment.program_id)
    scopes = [Membership.enrollment_id == enrollment.id, Membership.program_id == enrollment.program_id]
    if program is not None:
        scopes.append((Membership.organisation_id == program.organisation_id) & Membership.program_id.is_(None)  # type: ignore[union-attr]
                      & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    return list(session.exec(select(User).join(Membership, Membership.user_id == User.id).where(  # type: ignore[arg-type]
        Membership.role == role.value, Membership.revoked_at.is_(None), User.active.is_(True),  # type: ignore[union-attr, attr-defined]
        User.id != enrollment.candidate_id, sa.or_(*scopes)).distinct().order_by(User.id)).all())


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


@dataclass(frozen=True)
class Member:
    """Someone on the team: their role, since when, and whether the team can remove them here."""

    user: User
    role: Role
    since: datetime
    membership: Membership
    through_program: bool  # held on the program or organisation, not on this enrolment


@dataclass(frozen=True)
class Team:
    """Everyone with a role around one enrolment, and the invitations still open."""

    members: list[Member]
    pending: list[Invitation]


def team_of(session: Session, enrollment: Enrollment, now: datetime | None = None) -> Team:
    """The enrolment's team (its own members first, then those through the program) and open invitations."""
    program = session.get(Program, enrollment.program_id)
    scopes = [Membership.enrollment_id == enrollment.id,
              (Membership.program_id == enrollment.program_id) & Membership.enrollment_id.is_(None)]  # type: ignore[union-attr]
    if program is not None:
        scopes.append((Membership.organisation_id == program.organisation_id) & Membership.program_id.is_(None)  # type: ignore[union-attr]
                      & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    rows = session.exec(select(Membership, User).join(User, Membership.user_id == User.id)  # type: ignore[arg-type]
                        .where(Membership.revoked_at.is_(None), or_(*scopes))  # type: ignore[union-attr]
                        .order_by(Membership.created_at)).all()
    members = [Member(user, Role(m.role), m.created_at, m, m.enrollment_id is None) for m, user in rows
               if user.id != enrollment.candidate_id]
    members.sort(key=lambda m: (m.through_program, m.role.label, m.user.name))
    pending = [i for i in session.exec(select(Invitation).where(Invitation.enrollment_id == enrollment.id)
                                       .order_by(Invitation.created_at)).all() if is_pending(i, now)]
    return Team(members, pending)


def remove_member(session: Session, enrollment: Enrollment, membership: Membership, actor: User,
                  now: datetime | None = None) -> Membership:
    """End someone's role on this enrolment (kept, marked revoked); program-wide roles are not the team's to end."""
    now = now or utcnow()
    require_manager(session, enrollment, actor)
    if membership.enrollment_id != enrollment.id:
        raise NotFound("That person's role comes from the program, not from this team. "
                       "Ask the program director to change it.")
    if membership.revoked_at is not None:
        return membership
    membership.revoked_at = now
    session.add(membership)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="team.member_removed",
                           occurred_at=now, details={"membership_id": membership.id, "user_id": membership.user_id,
                                                     "role": membership.role}))
    return membership
