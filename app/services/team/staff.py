"""A district's staff: roles held across an organisation or a program, and programs' pools.

Roles sit at the level they belong (issue 24):
- organisation-wide: credential analyst, district HR (and a director of every program there);
- program-wide: program director, exit-interview panel member, the preparation program's support
  provider; each applies to every candidate of the program without a grant per candidate;
- the program's pool of mentors, coaches and site administrators: being in the pool gives no role
  on any candidate (it is a PoolMember, not a Membership); the director assigns from it.

Who may give what is policy.can_staff. Every grant and revocation is audited with who, when and
why; revoking keeps the row, stamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import Session, select

from app import outbox, policy
from app.models import AuditEvent, Enrollment, Membership, Organisation, PoolMember, Program, SignOffTask, User, utcnow
from app.models.tasks import TaskStatus
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from workflows import engine
from workflows.registry import plugin, plugins, versions
from workflows.roles import Role

ORGANISATION_ROLES = (Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR)


def program_wide_roles(program: Program) -> tuple[Role, ...]:
    """Roles held on the whole program: its director, and the panel and support provider where the
    pathway has them."""
    pathway = plugin(program.pathway)
    roles = [Role.PROGRAM_DIRECTOR]
    if pathway.panel_state:
        roles.append(Role.PANEL_MEMBER)
    if Role.PREP_PROGRAM_SUPPORT_PROVIDER in pathway.team_roles:
        roles.append(Role.PREP_PROGRAM_SUPPORT_PROVIDER)
    return tuple(roles)


def pool_roles(program: Program) -> tuple[Role, ...]:
    """The per-candidate roles the director assigns from the program's pool (its pathway's team)."""
    return tuple(r for r in plugin(program.pathway).team_roles if r in policy.POOL_ROLES)


def roles_at(program: Program | None) -> tuple[Role, ...]:
    """Every role someone can be given at this level: the organisation's, or the program's and its pool's."""
    return ORGANISATION_ROLES if program is None else program_wide_roles(program) + pool_roles(program)


# --- Who holds what ---------------------------------------------------------------------------


def held_here(session: Session, user: User, organisation: Organisation, program: Program | None) -> frozenset[Role]:
    """The roles `user` holds where a grant would apply: on the program (or organisation-wide), or
    organisation-wide only."""
    if program is not None:
        return policy.program_roles(session, user, program)
    rows = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
        Membership.organisation_id == organisation.id, Membership.program_id.is_(None),  # type: ignore[union-attr]
        Membership.enrollment_id.is_(None))).all()  # type: ignore[union-attr]
    return frozenset(Role(r) for r in rows)


def may_staff(session: Session, actor: User, organisation: Organisation, program: Program | None,
              role: Role) -> bool:
    """Whether `actor` may give (or take) `role` at this level."""
    return policy.can_staff(held_here(session, actor, organisation, program), role, program_wide=program is not None,
                            administrator=policy.is_service_administrator(session, actor))


def on_staff(session: Session, organisation_id: int, user_ids: set[int]) -> set[int]:
    """Those of `user_ids` who hold a live organisation- or program-wide role in the organisation, or
    a place in one of its programs' pools (a candidate's proposal or a viewer is not staff)."""
    if not user_ids:
        return set()
    programs = select(Program.id).where(Program.organisation_id == organisation_id)
    wide = select(Membership.user_id).where(
        Membership.user_id.in_(user_ids), Membership.revoked_at.is_(None),  # type: ignore[attr-defined, union-attr]
        Membership.enrollment_id.is_(None), Membership.role != Role.SERVICE_ADMINISTRATOR.value,  # type: ignore[union-attr]
        or_(Membership.organisation_id == organisation_id, Membership.program_id.in_(programs)))  # type: ignore[union-attr]
    pooled = select(PoolMember.user_id).where(PoolMember.user_id.in_(user_ids),  # type: ignore[attr-defined]
                                              PoolMember.revoked_at.is_(None), PoolMember.program_id.in_(programs))  # type: ignore[union-attr, attr-defined]
    return set(session.exec(wide).all()) | set(session.exec(pooled).all())


def _open_states() -> sa.ColumnElement[bool]:
    """SQL: the enrolment is not in a final state of its pathway (its caseload counts it)."""
    finals = [sa.and_(Enrollment.pathway == p.name, Enrollment.state.in_(  # type: ignore[attr-defined]
        sorted({s.value for v in versions(p.name) for s in engine.states(p.name, v) if s.final})))
        for p in plugins()]
    return sa.not_(sa.or_(*finals))


def caseloads(session: Session, program: Program, role: Role, user_ids: set[int]) -> dict[int, int]:
    """How many open enrolments of the program each person holds `role` on."""
    if not user_ids:
        return {}
    rows = session.exec(select(Membership.user_id, func.count(sa.distinct(Membership.enrollment_id)))
                        .join(Enrollment, Enrollment.id == Membership.enrollment_id)  # type: ignore[arg-type]
                        .where(Membership.user_id.in_(user_ids), Membership.role == role.value,  # type: ignore[attr-defined]
                               Membership.revoked_at.is_(None), Enrollment.program_id == program.id,  # type: ignore[union-attr]
                               _open_states())
                        .group_by(Membership.user_id)).all()
    return {user_id: count for user_id, count in rows}


@dataclass(frozen=True)
class PoolEntry:
    """Someone in a program's pool, and how many of its open enrolments they hold the role on."""

    place: PoolMember
    user: User
    caseload: int


def pool(session: Session, program: Program, role: Role | None = None) -> list[PoolEntry]:
    """The program's live pool (of one role, or all), by role then name; deactivated accounts left out."""
    query = select(PoolMember, User).join(User, User.id == PoolMember.user_id).where(  # type: ignore[arg-type]
        PoolMember.program_id == program.id, PoolMember.revoked_at.is_(None), User.active.is_(True))  # type: ignore[union-attr, attr-defined]
    if role is not None:
        query = query.where(PoolMember.role == role.value)
    rows = list(session.exec(query.order_by(PoolMember.role, User.name)).all())
    loads: dict[str, dict[int, int]] = {}
    for r in {place.role for place, _ in rows}:
        loads[r] = caseloads(session, program, Role(r), {u.id for p, u in rows if p.role == r})  # type: ignore[misc]
    return [PoolEntry(place, user, loads[place.role].get(user.id, 0)) for place, user in rows]  # type: ignore[arg-type]


@dataclass(frozen=True)
class StaffLine:
    """One role someone holds in the directory: where, since when, given by whom, and their work."""

    user: User
    role: Role
    program: Program | None  # None: organisation-wide
    since: datetime
    granted_by: User | None
    school: str | None
    open_tasks: int  # sign-off tasks they have claimed and not decided
    caseload: int | None  # pool places: open enrolments they hold the role on
    held: Membership | PoolMember


def directory(session: Session, organisation: Organisation, program: Program | None = None) -> list[StaffLine]:
    """Who holds which role in the organisation (or one program, with the organisation-wide roles that
    reach it), by name; live roles only."""
    programs = {p.id: p for p in session.exec(select(Program).where(Program.organisation_id == organisation.id)).all()}
    in_scope = [program.id] if program is not None else list(programs)
    memberships = session.exec(select(Membership).where(
        Membership.revoked_at.is_(None), Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
        Membership.role != Role.SERVICE_ADMINISTRATOR.value,
        or_((Membership.organisation_id == organisation.id) & Membership.program_id.is_(None),  # type: ignore[union-attr]
            Membership.program_id.in_(in_scope)))).all()  # type: ignore[union-attr]
    places = session.exec(select(PoolMember).where(PoolMember.revoked_at.is_(None),  # type: ignore[union-attr]
                                                   PoolMember.program_id.in_(in_scope))).all()  # type: ignore[attr-defined]
    ids = {m.user_id for m in memberships} | {p.user_id for p in places}
    ids |= {m.granted_by_id for m in memberships if m.granted_by_id} | {p.granted_by_id for p in places if p.granted_by_id}
    people = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()} if ids else {}  # type: ignore[union-attr]
    claimed = dict(session.exec(select(SignOffTask.claimed_by_id, func.count(SignOffTask.id))  # type: ignore[call-overload, arg-type]
                                .where(SignOffTask.claimed_by_id.in_(ids), SignOffTask.status == TaskStatus.OPEN.value)  # type: ignore[union-attr]
                                .group_by(SignOffTask.claimed_by_id)).all()) if ids else {}
    loads: dict[tuple[int, str], dict[int, int]] = {}
    for place in places:
        key = (place.program_id, place.role)
        if key not in loads:
            loads[key] = caseloads(session, programs[place.program_id], Role(place.role),
                                   {p.user_id for p in places if (p.program_id, p.role) == key})
    lines = [StaffLine(people[m.user_id], Role(m.role), programs.get(m.program_id) if m.program_id else None,
                       m.created_at, people.get(m.granted_by_id) if m.granted_by_id else None, None,
                       claimed.get(m.user_id, 0), None, m) for m in memberships if m.user_id in people]
    lines += [StaffLine(people[p.user_id], Role(p.role), programs[p.program_id], p.created_at,
                        people.get(p.granted_by_id) if p.granted_by_id else None, p.school,
                        claimed.get(p.user_id, 0), loads[(p.program_id, p.role)].get(p.user_id, 0), p)
              for p in places if p.user_id in people]
    lines.sort(key=lambda line: (line.user.name.lower(), line.user.id, line.program is not None, line.role.label))
    return lines


# --- Giving and taking roles ------------------------------------------------------------------


def check_grantable(session: Session, actor: User, organisation: Organisation, program: Program | None, role: Role) -> None:
    if organisation.archived_at is not None or (program is not None and program.archived_at is not None):
        raise Conflict("This is archived: nobody is given a role here any more.")
    if program is not None and program.organisation_id != organisation.id:
        raise NotFound("There is no such program in this organisation.")
    if role not in roles_at(program):
        where = f"the {program.name} program" if program is not None else organisation.name
        names = ", ".join(r.in_sentence for r in roles_at(program))
        raise PathwayError(f"At {where}, choose one of: {names}.")
    if not may_staff(session, actor, organisation, program, role):
        raise NotPermitted(f"You cannot make someone {role.in_sentence} here. A service administrator gives "
                           "organisation-wide roles and directors; a program's director gives its other roles.")


def grant(session: Session, actor: User, person: User, role: Role, organisation: Organisation,
          program: Program | None = None, school: str | None = None, reason: str = "",
          now: datetime | None = None) -> Membership | PoolMember:
    """Give `person` `role` across the organisation, on the program, or a place in the program's pool
    (the caller commits). Giving a role someone already holds there is refused, saying so."""
    now = now or utcnow()
    check_grantable(session, actor, organisation, program, role)
    if not person.active:
        raise Conflict(f"{person.name}'s account is deactivated. Reactivate it first.")
    school = (school or "").strip() or None
    if program is not None and role in policy.POOL_ROLES:
        if live_place(session, program, person, role) is not None:
            raise Conflict(f"{person.name} is already in the {program.name} pool as {role.in_sentence}.")
        held: Membership | PoolMember = PoolMember(program_id=program.id, user_id=person.id, role=role.value,  # type: ignore[arg-type]
                                                   school=school, granted_by_id=actor.id, created_at=now)
    else:
        if live_membership(session, organisation, program, person, role) is not None:
            where = program.name if program is not None else organisation.name
            raise Conflict(f"{person.name} is already {role.in_sentence} at {where}.")
        held = Membership(user_id=person.id, role=role.value, granted_by_id=actor.id, created_at=now,  # type: ignore[arg-type]
                          program_id=program.id if program is not None else None,
                          organisation_id=organisation.id if program is None else None)
    session.add(held)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="staff.granted", occurred_at=now, details={
        "role": role.value, "user_id": person.id, "organisation_id": organisation.id,
        "program_id": program.id if program is not None else None, "pool": isinstance(held, PoolMember),
        "held_id": held.id, "granted_by_id": actor.id, "school": school, "reason": reason.strip()[:500]}))
    return held


@dataclass(frozen=True)
class Handover:
    """What revoking a role did with the person's work."""

    released_tasks: int  # claimed tasks put back in the role's queue
    other_holders: int  # others who hold the role there and now see those tasks
    caseload: int  # pool places: candidates they still hold the role on (the director reassigns)


def revoke(session: Session, actor: User, held: Membership | PoolMember, reason: str,
           now: datetime | None = None) -> Handover:
    """Take a role (or a pool place) away, saying why; the row stays, stamped (the caller commits).

    Tasks the person had claimed in that scope go back to the role's queue; when nobody else holds
    the role there, the audit event says so and the caller tells the program's directors.
    """
    now = now or utcnow()
    organisation, program = _scope(session, held)
    role = Role(held.role)
    if not may_staff(session, actor, organisation, program, role):
        raise NotPermitted(f"You cannot take the {role.in_sentence} role away here.")
    if held.revoked_at is not None:
        raise Conflict("This role was already taken away.")
    reason = (reason or "").strip()
    if not reason:
        raise PathwayError("Say why the role ends: it goes in the record with your name.")
    held.revoked_at, held.revoked_by_id = now, actor.id
    session.add(held)
    person = session.get(User, held.user_id)
    released = others = caseload = 0
    if isinstance(held, PoolMember):
        caseload = caseloads(session, program, role, {held.user_id}).get(held.user_id, 0)  # type: ignore[arg-type]
    else:
        released = _release_claims(session, held, organisation, program)
        others = len(holders(session, organisation, program, role) - {held.user_id})
    revoked = AuditEvent(actor_id=actor.id, action="staff.revoked", occurred_at=now, details={
        "role": role.value, "user_id": held.user_id, "organisation_id": organisation.id,
        "program_id": program.id if program is not None else None, "pool": isinstance(held, PoolMember),
        "held_id": held.id, "revoked_by_id": actor.id, "granted_by_id": held.granted_by_id,
        "reason": reason[:500], "released_tasks": released, "other_holders": others, "caseload": caseload,
        "name": person.name if person else None})
    session.add(revoked)
    if (caseload if isinstance(held, PoolMember) else not others):
        # Candidates left with someone who no longer serves them, or a role nobody holds here any more:
        # the directors hear of it (besides the actor, who read it on the page).
        session.flush()  # the event's id, for the notices
        for director in directors_of(session, organisation, program) - {actor.id}:
            outbox.add(session, "email.staff_gap", f"staff-gap-{revoked.id}-{director}", audit_event_id=revoked.id,
                       recipient_id=director)
    return Handover(released, others, caseload)


def directors_of(session: Session, organisation: Organisation, program: Program | None) -> set[int]:
    """Active directors of the program (or of every program of the organisation), by id."""
    programs = [program.id] if program is not None else list(session.exec(
        select(Program.id).where(Program.organisation_id == organisation.id)).all())
    return set(session.exec(select(Membership.user_id).join(User, User.id == Membership.user_id).where(  # type: ignore[arg-type]
        Membership.role == Role.PROGRAM_DIRECTOR.value, Membership.revoked_at.is_(None), User.active.is_(True),  # type: ignore[union-attr, attr-defined]
        Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
        or_(Membership.program_id.in_(programs),  # type: ignore[union-attr]
            (Membership.organisation_id == organisation.id) & Membership.program_id.is_(None)))).all())  # type: ignore[union-attr]


def find_held(session: Session, organisation: Organisation, kind: str, held_id: int) -> Membership | PoolMember:
    """A live role ("role") or pool place ("pool") of this organisation, or NotFound."""
    model: type[Membership | PoolMember] = PoolMember if kind == "pool" else Membership
    held = session.get(model, held_id)
    if held is None or (isinstance(held, Membership) and held.enrollment_id is not None):
        raise NotFound("There is no such role here.")
    found_organisation, _ = _scope(session, held)
    if found_organisation.id != organisation.id:
        raise NotFound("There is no such role here.")
    return held


def _scope(session: Session, held: Membership | PoolMember) -> tuple[Organisation, Program | None]:
    program = session.get(Program, held.program_id) if held.program_id is not None else None
    organisation_id = program.organisation_id if program is not None else getattr(held, "organisation_id", None)
    organisation = session.get(Organisation, organisation_id) if organisation_id is not None else None
    if organisation is None:
        raise NotFound("There is no such role here.")
    return organisation, program


def live_place(session: Session, program: Program, person: User, role: Role) -> PoolMember | None:
    return session.exec(select(PoolMember).where(
        PoolMember.program_id == program.id, PoolMember.user_id == person.id, PoolMember.role == role.value,
        PoolMember.revoked_at.is_(None))).first()  # type: ignore[union-attr]


def live_membership(session: Session, organisation: Organisation, program: Program | None, person: User,
                     role: Role) -> Membership | None:
    where = (Membership.program_id == program.id) if program is not None else (
        (Membership.organisation_id == organisation.id) & Membership.program_id.is_(None))  # type: ignore[union-attr]
    return session.exec(select(Membership).where(
        where, Membership.enrollment_id.is_(None), Membership.user_id == person.id,  # type: ignore[union-attr]
        Membership.role == role.value, Membership.revoked_at.is_(None))).first()  # type: ignore[union-attr]


def holders(session: Session, organisation: Organisation, program: Program | None, role: Role) -> set[int]:
    """Who still holds `role` reaching this scope (organisation-wide, or on the program)."""
    scopes = [(Membership.organisation_id == organisation.id) & Membership.program_id.is_(None)]  # type: ignore[union-attr]
    if program is not None:
        scopes.append(Membership.program_id == program.id)  # type: ignore[arg-type]
    return set(session.exec(select(Membership.user_id).join(User, User.id == Membership.user_id).where(  # type: ignore[arg-type]
        Membership.role == role.value, Membership.revoked_at.is_(None), Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
        User.active.is_(True), or_(*scopes))).all())  # type: ignore[attr-defined]


def _release_claims(session: Session, held: Membership, organisation: Organisation, program: Program | None) -> int:
    """Unclaim the open tasks of this role the person claimed within the scope; how many."""
    programs = [program.id] if program is not None else list(session.exec(
        select(Program.id).where(Program.organisation_id == organisation.id)).all())
    tasks = session.exec(select(SignOffTask).join(Enrollment, Enrollment.id == SignOffTask.enrollment_id).where(  # type: ignore[arg-type]
        SignOffTask.claimed_by_id == held.user_id, SignOffTask.role == held.role,
        SignOffTask.status == TaskStatus.OPEN.value, Enrollment.program_id.in_(programs))).all()  # type: ignore[attr-defined]
    for task in tasks:
        task.claimed_by_id, task.claimed_at = None, None
        session.add(task)
    return len(tasks)


@dataclass(frozen=True)
class Place:
    """A role someone holds beyond one candidate: where, and whether it is a pool place."""

    role: Role
    organisation: Organisation | None  # None: service-wide
    program: Program | None
    pool: bool


def places_of(session: Session, user: User) -> list[Place]:
    """The organisation-wide, program-wide and pool roles `user` holds (for their home page)."""
    memberships = session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None), Membership.enrollment_id.is_(None))).all()  # type: ignore[union-attr]
    pooled = session.exec(select(PoolMember).where(PoolMember.user_id == user.id,
                                                   PoolMember.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    program_ids = {m.program_id for m in memberships if m.program_id} | {p.program_id for p in pooled}
    programs = {p.id: p for p in session.exec(select(Program).where(Program.id.in_(program_ids))).all()} if program_ids else {}  # type: ignore[union-attr]
    organisation_ids = {m.organisation_id for m in memberships if m.organisation_id} | {
        p.organisation_id for p in programs.values()}
    organisations = {o.id: o for o in session.exec(select(Organisation).where(
        Organisation.id.in_(organisation_ids))).all()} if organisation_ids else {}  # type: ignore[union-attr]
    found = []
    for m in memberships:
        program = programs.get(m.program_id) if m.program_id else None
        organisation = organisations.get(program.organisation_id if program else m.organisation_id)  # type: ignore[arg-type]
        found.append(Place(Role(m.role), organisation, program, False))
    found += [Place(Role(p.role), organisations.get(programs[p.program_id].organisation_id), programs[p.program_id], True)
              for p in pooled if p.program_id in programs]
    return sorted(found, key=lambda p: (p.organisation is not None, p.organisation.name if p.organisation else "",
                                        p.program.name if p.program else "", p.role.label))
