"""Putting mentors, coaches and the roles that verify or decide on candidates' enrolments, confirming
the candidates' proposals, and taking roles off again.

An assignment is a Membership on the enrolment; the rules read the first live mentor's or coach's
date as the match date. The program director assigns mentors and coaches and confirms proposals;
district HR or the program director grants the deciding roles (policy.can_grant). Revoking stamps
revoked_at and keeps the row for the record. The person must already work in the program's organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Membership, PoolMember, Program, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import is_final
from app.services.team import members
from app.services.team import staff as staff_service
from workflows.deadlines import Deadline, deadlines
from workflows.registry import plugins
from workflows.roles import Role

# The roles a director assigns to one candidate: each pathway's team (its package says which).
ASSIGNABLE = {p.name: p.team_roles for p in plugins()}
_SHOWN = {r.value for roles in ASSIGNABLE.values() for r in roles} | {Role.VIEWER.value}
# The deadline that says by when each role must be assigned.
_RULE_DEADLINE = {Role.MENTOR: "mentor_assignment", Role.COACH: "coach_assignment"}


@dataclass(frozen=True)
class Proposal:
    """What the director weighs before confirming a candidate's proposal: whether the proposed account is
    on the organisation's staff, and who proposed it (a look-alike account shows here)."""

    on_staff: bool
    proposed_by: User | None


@dataclass(frozen=True)
class Assignment:
    """A candidate, their current mentors/coaches, and the open assignment deadline if any."""

    enrollment: Enrollment
    candidate: User
    current: list[tuple[Membership, User]]  # everyone on the enrolment itself, proposals included
    open_rule: Deadline | None
    today: object
    proposals: dict[int, Proposal] = field(default_factory=dict)  # by membership id


def staff(session: Session, program: Program) -> list[User]:
    """Whom the director may put on a candidate, by name: the program's pool, and people holding a role
    across the organisation or on one of its programs. A candidate's proposal or a viewer is not staff:
    anyone can sign up under a real mentor's name, so only the organisation's own grants count."""
    pooled = select(PoolMember.user_id).where(PoolMember.program_id == program.id, PoolMember.revoked_at.is_(None))  # type: ignore[union-attr]
    candidates_ = set(session.exec(pooled).all())
    programs = select(Program.id).where(Program.organisation_id == program.organisation_id)
    candidates_ |= set(session.exec(select(Membership.user_id).where(
        Membership.revoked_at.is_(None), Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
        Membership.role.not_in([Role.CANDIDATE.value, Role.SERVICE_ADMINISTRATOR.value, Role.VIEWER.value]),  # type: ignore[attr-defined]
        or_(Membership.organisation_id == program.organisation_id, Membership.program_id.in_(programs)))).all())  # type: ignore[union-attr]
    if not candidates_:
        return []
    return list(session.exec(select(User).where(User.id.in_(candidates_), User.active.is_(True))  # type: ignore[union-attr, attr-defined]
                             .order_by(User.name)).all())


def caseloads(session: Session, program: Program, people: list[User]) -> dict[int, int]:
    """How many of the program's open enrolments each person is on in a role the director assigns."""
    ids = {p.id for p in people if p.id is not None}
    total: dict[int, int] = {}
    for role in ASSIGNABLE[program.pathway]:
        for user_id, count in staff_service.caseloads(session, program, role, ids).items():
            total[user_id] = total.get(user_id, 0) + count
    return total


def pool_roles_of(session: Session, program: Program) -> dict[int, list[Role]]:
    """For each person in the program's pool, the roles they are in it for."""
    found: dict[int, list[Role]] = {}
    for entry in staff_service.pool(session, program):
        found.setdefault(entry.user.id, []).append(Role(entry.place.role))  # type: ignore[arg-type]
    return found


def overview(session: Session, program: Program, now: datetime | None = None) -> list[Assignment]:
    """Every open enrolment with its mentors/coaches and the assignment rule while it is open."""
    rows = session.exec(select(Enrollment, User).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(Enrollment.program_id == program.id).order_by(User.name)).all()
    result = []
    for enrollment, candidate in rows:
        if is_final(enrollment):
            continue
        current = session.exec(select(Membership, User).join(User, Membership.user_id == User.id)  # type: ignore[arg-type]
                               .where(Membership.enrollment_id == enrollment.id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                                      Membership.role.in_(_SHOWN))  # type: ignore[attr-defined]
                               .order_by(Membership.created_at)).all()
        facts = build_facts(session, enrollment, now)
        keys = {_RULE_DEADLINE[r] for r in ASSIGNABLE[enrollment.pathway] if r in _RULE_DEADLINE}
        rule = next((d for d in deadlines(facts, enrollment.pathway_version, enrollment.state) if d.key in keys and not d.met), None)
        result.append(Assignment(enrollment, candidate, list(current), rule, facts.today))
    return _with_proposals(session, program, result)


def _with_proposals(session: Session, program: Program, rows: list[Assignment]) -> list[Assignment]:
    """Each row's proposals, with who proposed them and whether the account is on staff (one query for all)."""
    proposed = [m for row in rows for m, _ in row.current if m.proposed_role]
    if not proposed:
        return rows
    on_staff = staff_service.on_staff(session, program.organisation_id, {m.user_id for m in proposed})
    by = {u.id: u for u in session.exec(select(User).where(
        User.id.in_({m.granted_by_id for m in proposed if m.granted_by_id}))).all()}  # type: ignore[union-attr]
    return [replace(row, proposals={m.id: Proposal(m.user_id in on_staff, by.get(m.granted_by_id))  # type: ignore[misc, arg-type]
                                    for m, _ in row.current if m.proposed_role}) for row in rows]


def assign(session: Session, program: Program, enrollment_id: int, user_id: int, role: str, actor: User) -> Membership:
    """Put `user` on the enrolment in `role`, if `actor` may grant it (the caller commits)."""
    enrollment = _enrollment_in(session, program, enrollment_id)
    try:
        wanted = Role(role)
    except ValueError:
        raise PathwayError(f"{role!r} is not a role.") from None
    if wanted not in ASSIGNABLE[enrollment.pathway]:
        raise PathwayError(f"Candidates on this pathway are not assigned a {wanted.in_sentence}.")
    person = session.get(User, user_id)
    if person is None or person.id not in {u.id for u in staff(session, program)}:
        raise PathwayError("Choose someone from the program's staff: add them on the program's staff page first.")
    if person.id == enrollment.candidate_id:
        raise PathwayError(f"A candidate cannot be their own {wanted.in_sentence}.")
    existing = session.exec(select(Membership.id).where(
        Membership.enrollment_id == enrollment.id, Membership.user_id == person.id,
        Membership.role == wanted.value, Membership.revoked_at.is_(None))).first()  # type: ignore[union-attr]
    if existing is not None:
        raise Conflict(f"{person.name} is already this candidate's {wanted.in_sentence}.")
    return members.grant(session, actor, person, wanted, enrollment=enrollment, action="support.assigned")


def confirm(session: Session, program: Program, membership_id: int, actor: User) -> Membership:
    """Confirm a candidate's proposal of their mentor, coach or supervisor (the caller commits)."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.enrollment_id is None:
        raise NotFound("There is no such proposal in this program.")
    return members.confirm(session, _enrollment_in(session, program, membership.enrollment_id), membership, actor)


def revoke(session: Session, program: Program, membership_id: int, actor: User) -> Membership:
    """Take a role (or decline a proposal) on an enrolment; the row stays, marked revoked (the caller commits)."""
    membership = session.get(Membership, membership_id)
    enrollment = session.get(Enrollment, membership.enrollment_id) if membership and membership.enrollment_id else None
    if (membership is None or enrollment is None or enrollment.program_id != program.id
            or membership.role not in _SHOWN):
        raise NotFound("There is no such assignment in this program.")
    if membership.revoked_at is not None:
        raise Conflict("This assignment was already ended.")
    ending = Role(membership.proposed_role or membership.role)
    if not policy.can_grant(policy.program_roles(session, actor, program), ending,
                            policy.is_service_administrator(session, actor)):
        raise NotPermitted(f"Only whoever may make someone {ending.in_sentence} ends that role.")
    membership.revoked_at, membership.revoked_by_id = utcnow(), actor.id
    session.add(membership)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="support.revoked",
                           details={"role": membership.role, "proposed_role": membership.proposed_role,
                                    "user_id": membership.user_id, "membership_id": membership.id,
                                    "revoked_by_id": actor.id, "granted_by_id": membership.granted_by_id}))
    return membership


def _enrollment_in(session: Session, program: Program, enrollment_id: int) -> Enrollment:
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.program_id != program.id:
        raise NotFound("There is no such candidate in this program.")
    return enrollment


def assign_many(session: Session, program: Program, enrollment_ids: list[int], user_id: int, role: str,
                actor: User) -> list[Membership]:
    """Put one person on several candidates in one role, all or nothing (the caller commits); candidates
    who already have them in that role are left as they are."""
    if not enrollment_ids:
        raise PathwayError("Tick the candidates to assign.")
    made = []
    for enrollment_id in dict.fromkeys(enrollment_ids):
        try:
            made.append(assign(session, program, enrollment_id, user_id, role, actor))
        except Conflict:
            continue  # already theirs: nothing to do for this one
    return made
