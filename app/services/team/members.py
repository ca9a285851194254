"""The people around a candidate: who holds a role for them, and their support team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import or_
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Invitation, Membership, Program, User, utcnow
from app.services import NotFound, NotPermitted, PathwayError
from app.services.team.director_notices import program_directors  # noqa: F401  (re-exported: its callers import it here)
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
    # The candidate ends the roles they gave (viewers, their proposals); a granted role ends as it began.
    if not (membership.role == Role.VIEWER.value or policy.can_grant(
            policy.roles_on(session, actor, enrollment), Role(membership.role), policy.is_service_administrator(session, actor))):
        raise NotPermitted(f"The {Role(membership.role).in_sentence} was given by the district or the program; "
                           "ask the program director to change it.")
    membership.revoked_at, membership.revoked_by_id = now, actor.id
    session.add(membership)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="team.member_removed",
                           occurred_at=now, details={"membership_id": membership.id, "user_id": membership.user_id,
                                                     "role": membership.role, "revoked_by_id": actor.id,
                                                     "granted_by_id": membership.granted_by_id}))
    return membership


# --- Grants: the organisation gives the roles that verify or decide --------------------------------


def _organisation_roles(session: Session, user: User, organisation_id: int) -> frozenset[Role]:
    rows = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None), Membership.organisation_id == organisation_id,  # type: ignore[union-attr]
        Membership.program_id.is_(None), Membership.enrollment_id.is_(None))).all()  # type: ignore[union-attr]
    return frozenset(Role(role) for role in rows)


def grantor_roles(session: Session, grantor: User, *, enrollment: Enrollment | None = None,
                  program: Program | None = None, organisation_id: int | None = None) -> frozenset[Role]:
    """The roles `grantor` holds where the grant would apply (enrolment, program or organisation)."""
    if enrollment is not None:
        return policy.roles_on(session, grantor, enrollment)
    if program is not None:
        return policy.program_roles(session, grantor, program)
    return _organisation_roles(session, grantor, organisation_id) if organisation_id is not None else frozenset()


def grant(session: Session, grantor: User, person: User, role: Role, *, enrollment: Enrollment | None = None,
          program: Program | None = None, organisation_id: int | None = None, action: str = "role.granted",
          now: datetime | None = None) -> Membership:
    """Give `person` `role` on one enrolment, program or organisation, if `grantor` may; audited with who granted it."""
    now = now or utcnow()
    held = grantor_roles(session, grantor, enrollment=enrollment, program=program, organisation_id=organisation_id)
    administrator = policy.is_service_administrator(session, grantor)
    if not policy.can_grant(held, role, administrator):
        raise NotPermitted(f"Only district HR, the program director or a service administrator can make someone "
                           f"{role.in_sentence}." if role in policy.DECIDING_ROLES else
                           f"You cannot make someone {role.in_sentence} here.")
    if enrollment is not None and not policy.can_hold(person, enrollment, role):
        raise PathwayError("A candidate holds no role on their own enrolment but candidate.")
    if person.id == grantor.id and not administrator:
        raise NotPermitted("Nobody gives a role to themselves. Ask district HR or the program director.")
    membership = Membership(user_id=person.id, role=role.value, enrollment_id=enrollment.id if enrollment else None,  # type: ignore[arg-type]
                            program_id=program.id if program and enrollment is None else None,
                            organisation_id=organisation_id if enrollment is None and program is None else None,
                            granted_by_id=grantor.id, created_at=now)
    session.add(membership)
    session.flush()
    session.add(AuditEvent(actor_id=grantor.id, enrollment_id=enrollment.id if enrollment else None, action=action,
                           occurred_at=now, details={"role": role.value, "user_id": person.id,
                                                     "membership_id": membership.id, "granted_by_id": grantor.id,
                                                     "program_id": membership.program_id,
                                                     "organisation_id": membership.organisation_id}))
    return membership


def confirm(session: Session, enrollment: Enrollment, membership: Membership, actor: User,
            now: datetime | None = None) -> Membership:
    """The program confirms a candidate's proposal: the viewer becomes mentor, coach or supervisor."""
    now = now or utcnow()
    if membership.enrollment_id != enrollment.id or membership.revoked_at is not None or not membership.proposed_role:
        raise NotFound("There is no such proposal on this enrolment.")
    role = Role(membership.proposed_role)
    if not policy.can_grant(policy.roles_on(session, actor, enrollment), role,
                            policy.is_service_administrator(session, actor)):
        raise NotPermitted(f"Only the program director (or district HR for a supervisor) confirms a "
                           f"{role.in_sentence}.")
    person = session.get(User, membership.user_id)
    if person is None or not policy.can_hold(person, enrollment, role) or person.id == actor.id:
        raise PathwayError("Nobody confirms themselves, and a candidate holds no role on their own enrolment.")
    membership.role, membership.proposed_role = role.value, None
    membership.confirmed_at, membership.confirmed_by_id = now, actor.id
    session.add(membership)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="role.confirmed", occurred_at=now,
                           details={"role": role.value, "user_id": membership.user_id, "membership_id": membership.id,
                                    "granted_by_id": actor.id, "proposed_by_id": membership.granted_by_id}))
    return membership


def proposals(session: Session, enrollment: Enrollment) -> list[tuple[Membership, User]]:
    """Proposals on this enrolment the program has not confirmed yet."""
    return list(session.exec(select(Membership, User).join(User, Membership.user_id == User.id).where(  # type: ignore[arg-type]
        Membership.enrollment_id == enrollment.id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
        Membership.proposed_role.is_not(None)).order_by(Membership.created_at)).all())  # type: ignore[union-attr]
