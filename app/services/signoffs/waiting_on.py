"""Who may work what: the SQL that finds the sign-offs, logs and documents waiting on a person.

Each query says exactly who may work an item (the task's role held where the enrolment is, by the
person or by someone they stand in for today; a log naming them on an enrolment they still reach;
a document their roles there may read and decide), so the inbox's queue (worklist.py) reads these
rows and the navigation badge on every other page counts them (`total`) without building a queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import and_, case, false, func, literal, or_, union_all
from sqlmodel import Session, select

from app import policy
from app.models import (
    Delegation,
    Enrollment,
    EnrollmentTurn,
    Evidence,
    LogEntry,
    Membership,
    Panel,
    PanelMember,
    PanelVote,
    Program,
    SignOffTask,
    User,
)
from app.services.enrollments import pathways
from workflows import registry
from workflows.facts import EvidenceStatus
from workflows.roles import Role


@dataclass(frozen=True)
class Scope:
    """The approver's roles indexed by where they hold them (the scopes of policy.roles_on)."""

    by_enrollment: dict[int, frozenset[Role]]
    by_program: dict[int, frozenset[Role]]
    by_organisation: dict[int, frozenset[Role]]
    service_administrator: bool = False

    def roles(self, enrollment_id: int, program_id: int, organisation_id: int) -> frozenset[Role]:
        return (self.by_enrollment.get(enrollment_id, frozenset()) | self.by_program.get(program_id, frozenset())
                | self.by_organisation.get(organisation_id, frozenset()))

    @property
    def empty(self) -> bool:
        return not (self.by_enrollment or self.by_program or self.by_organisation)


def scope_of(memberships: Sequence[Any]) -> Scope:
    """Index live memberships by enrolment, program and organisation."""
    found: dict[str, dict[int, set[Role]]] = {"e": defaultdict(set), "p": defaultdict(set), "o": defaultdict(set)}
    for m in memberships:
        role = Role(m.role)
        if m.enrollment_id is not None:
            found["e"][m.enrollment_id].add(role)
        if m.program_id is not None:
            found["p"][m.program_id].add(role)
        if m.organisation_id is not None and m.program_id is None and m.enrollment_id is None:
            found["o"][m.organisation_id].add(role)
    freeze = {k: {key: frozenset(v) for key, v in d.items()} for k, d in found.items()}
    return Scope(freeze["e"], freeze["p"], freeze["o"],
                 any(m.role == Role.SERVICE_ADMINISTRATOR.value for m in memberships))


@dataclass(frozen=True)
class Grants:
    """Whom the person works as today: themselves, and each approver they stand in for."""

    own: Scope
    stand_ins: list[tuple[User, Scope]]
    approver: bool  # holds an approving role, or stands in for someone today


def grants_of(session: Session, user: User, today: date) -> Grants:
    """The person's live memberships and today's delegations, indexed (two or three statements)."""
    memberships = policy.memberships_of(session, user)
    own = scope_of(memberships)
    delegators = list(session.exec(select(User).join(Delegation, Delegation.delegator_id == User.id).where(  # type: ignore[arg-type]
        Delegation.substitute_id == user.id, Delegation.revoked_at.is_(None),  # type: ignore[union-attr]
        Delegation.starts_on <= today, Delegation.ends_on >= today, User.active.is_(True))  # type: ignore[attr-defined]
        .order_by(User.name)).all())
    stand_ins: list[tuple[User, Scope]] = []
    if delegators:
        theirs = session.exec(select(Membership).where(Membership.user_id.in_([d.id for d in delegators]),  # type: ignore[attr-defined]
                                                       Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
        stand_ins = [(d, scope_of([m for m in theirs if m.user_id == d.id])) for d in delegators]
    approver = bool(delegators) or any(Role(m.role) in policy.APPROVER_ROLES for m in memberships)
    return Grants(own, stand_ins, approver)


def total(session: Session, user: User, today: date) -> int | None:
    """How many items `build` would list (the navigation badge), counted in SQL; None for people who
    approve nothing. The same statements as `build`, counted instead of read."""
    grants = grants_of(session, user, today)
    if not grants.approver:
        return None
    count = 0
    signoffs = signoff_query(user, grants)
    if signoffs is not None:
        count += session.connection().execute(select(func.count()).select_from(signoffs.subquery())).scalar_one()
    count += session.connection().execute(
        select(func.count()).select_from(log_query(user, grants.own).subquery())).scalar_one()
    documents = document_query(user, grants.own)
    if documents is not None:
        # Whether a document is theirs to verify depends on the roles held on its enrolment and its
        # kind's rule, so it is counted per distinct (roles, kind, pathway version), a handful of rows.
        held, by_enrollment = role_sets(grants.own)
        # (The set's index is a column of the inner query: PostgreSQL groups by a column, not by an
        # expression whose bound values it sees as different ones.)
        rows = documents.add_columns(by_enrollment(Evidence.enrollment_id).label("held")).subquery()
        keys = (rows.c.held, rows.c.program_id, rows.c.organisation_id, rows.c.kind, rows.c.pathway,
                rows.c.pathway_version)
        grouped = select(*keys, func.count()).group_by(*keys)
        for held_index, program_id, organisation_id, kind, pathway, pathway_version, n in (
                session.connection().execute(grouped).all()):
            roles = (held[held_index] if held_index >= 0 else frozenset()) | grants.own.by_program.get(
                program_id, frozenset()) | grants.own.by_organisation.get(organisation_id, frozenset())
            if policy.can_verify_evidence(roles, kind, clearing(pathway, pathway_version).get(kind)):
                count += n
    return count + _count_turns(session, user, grants.own)


def _count_turns(session: Session, user: User, own: Scope) -> int:
    """The inbox's turns (one per enrolment and thing to do) and the documents that fell to them, in
    one statement: the turns counted whole, the documents by kind (whether they may read each kind)."""
    rows = turn_query(user, own).subquery()
    distinct = select(rows.c.enrollment_id, rows.c.kind, rows.c.key).distinct().subquery()
    fallen = fallback_document_query(user, own)
    if fallen is None:
        return session.connection().execute(select(func.count()).select_from(distinct)).scalar_one()
    fallen = fallen.subquery()
    both = union_all(
        select(literal(None).label("program_id"), literal(None).label("organisation_id"), literal("").label("kind"),
               func.count().label("n")).select_from(distinct),
        select(fallen.c.program_id, fallen.c.organisation_id, fallen.c.kind, func.count())
        .group_by(fallen.c.program_id, fallen.c.organisation_id, fallen.c.kind))
    count = 0
    for program_id, organisation_id, kind, n in session.connection().execute(both).all():
        roles = own.by_program.get(program_id, frozenset()) | own.by_organisation.get(organisation_id, frozenset())
        if not kind or policy.can_read_evidence(roles, kind):
            count += n
    return count


def role_sets(scope: Scope):  # type: ignore[no-untyped-def]
    """The distinct sets of roles the person holds on single enrolments, and a SQL expression giving
    an enrolment's set's index (-1: none held on that enrolment itself)."""
    held = sorted(set(scope.by_enrollment.values()), key=lambda roles: sorted(r.value for r in roles))
    ids = {roles: [e for e, r in scope.by_enrollment.items() if r == roles] for roles in held}

    def index(column):  # type: ignore[no-untyped-def]
        if not held:
            return literal(-1)
        return case(*[(column.in_(ids[roles]), i) for i, roles in enumerate(held)], else_=-1)
    return held, index


def reach(scopes: list[Scope]):  # type: ignore[no-untyped-def]
    """A WHERE clause (with Program joined) for enrolments any of these scopes reach: a superset,
    narrowed exactly in memory."""
    enrollments = {k for s in scopes for k in s.by_enrollment}
    programs = {k for s in scopes for k in s.by_program}
    organisations = {k for s in scopes for k in s.by_organisation}
    return or_(Enrollment.id.in_(enrollments or {0}), Enrollment.program_id.in_(programs or {0}),  # type: ignore[union-attr, attr-defined]
               Program.organisation_id.in_(organisations or {0}))  # type: ignore[attr-defined]


def reached(user: User, own: Scope):  # type: ignore[no-untyped-def]
    """The ids of the enrolments the person's memberships reach (not their own), as a subquery: one
    indexed part per kind of scope, so no part scans every enrolment in the state."""
    parts = [select(Enrollment.id).where(Enrollment.id.in_(own.by_enrollment or {0}))]  # type: ignore[union-attr]
    if own.by_program:
        parts.append(select(Enrollment.id).where(Enrollment.program_id.in_(own.by_program)))  # type: ignore[attr-defined]
    if own.by_organisation:
        parts.append(select(Enrollment.id).join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                     .where(Program.organisation_id.in_(own.by_organisation)))  # type: ignore[attr-defined]
    # (Their own enrolment is left out by the caller's candidate test.)
    return parts[0] if len(parts) == 1 else union_all(*parts)


def signoff_query(user: User, grants: Grants):  # type: ignore[no-untyped-def]
    """Open tasks the person may work: the task's role held where the enrolment is (by themselves,
    or by someone they stand in for who is not the candidate), not claimed by anyone else."""
    approver = {r.value for r in policy.APPROVER_ROLES}
    held: list[tuple[User | None, Scope]] = [(None, grants.own), *grants.stand_ins]
    who_may = []
    for who, scope in held:
        for role in {r for d in (scope.by_enrollment, scope.by_program, scope.by_organisation)
                     for roles in d.values() for r in roles if r.value in approver}:
            # Programs and organisations are tested on the tasks found by (status, role), "+ 0"
            # keeping the planner from walking every enrolment of a big program to find them.
            where = or_(*[column.in_([k for k, roles in index.items() if role in roles])
                          for column, index in ((Enrollment.id, scope.by_enrollment),
                                                (Enrollment.program_id + 0, scope.by_program),
                                                (Program.organisation_id + 0, scope.by_organisation)) if index])
            who_may.append(and_(SignOffTask.role == role.value, where,
                                *([Enrollment.candidate_id != who.id] if who is not None else [])))
    if not who_may:
        return None
    return (select(  # type: ignore[call-overload]
        SignOffTask.id, SignOffTask.enrollment_id, SignOffTask.key, SignOffTask.role, SignOffTask.due_on,
        SignOffTask.created_at, SignOffTask.priority, SignOffTask.claimed_by_id, SignOffTask.escalated_at,
        Enrollment.pathway, Enrollment.program_id, Enrollment.candidate_id, Program.organisation_id, Program.name,
        User.name.label("candidate_name"))  # type: ignore[attr-defined]
        .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(SignOffTask.status == "open",
               or_(SignOffTask.claimed_by_id.is_(None), SignOffTask.claimed_by_id == user.id),  # type: ignore[union-attr]
               Enrollment.candidate_id != user.id, or_(*who_may)))


def log_query(user: User, own: Scope):  # type: ignore[no-untyped-def]
    """Unsigned entries naming the user, on enrolments they still support (someone removed from the
    team no longer signs for that candidate: policy.can_view_enrollment)."""
    query = (select(LogEntry.id, LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on, LogEntry.hours,  # type: ignore[call-overload]
                    LogEntry.created_at, Enrollment.pathway, Enrollment.program_id, Program.organisation_id,
                    Program.name, User.name.label("candidate_name"))  # type: ignore[attr-defined]
             .join(Enrollment, LogEntry.enrollment_id == Enrollment.id)
             .join(Program, Enrollment.program_id == Program.id)
             .join(User, Enrollment.candidate_id == User.id)
             .where(LogEntry.signer_id == user.id, LogEntry.signed_at.is_(None),  # type: ignore[union-attr]
                    Enrollment.candidate_id != user.id))
    if own.service_administrator:
        return query
    if own.empty:
        return query.where(false())
    # Through the enrolments the person reaches: the (enrolment, signed) index, never a scan of every log.
    return query.where(LogEntry.enrollment_id.in_(reached(user, own)))  # type: ignore[attr-defined]


def kinds_cleared_by(roles: set[Role]) -> set[str]:
    """The kinds of document some pathway's rules let one of these roles verify (the definitions are fixed)."""
    return {rule.evidence_kind.value for pathway in registry.names() for version in registry.versions(pathway)
            for rule in registry.definition(pathway, version).rules.values()
            if rule.evidence_kind is not None and rule.clears in roles and rule.clears is not Role.CANDIDATE}


@cache
def clearing(pathway: str, version: int) -> dict[str, Role]:
    """Evidence kind -> the role that clears it on this pathway version (the definitions are fixed)."""
    return pathways.clearing_roles(Enrollment(pathway=pathway, pathway_version=version))


def document_query(user: User, own: Scope):  # type: ignore[no-untyped-def]
    """Live documents awaiting verification, on enrolments the user reaches, of kinds their roles
    verify somewhere (None: no role of theirs verifies any kind; a director's badge asks nothing here).
    Whether each is theirs depends on the roles held on its enrolment: policy.can_verify_evidence."""
    held = {r for d in (own.by_enrollment, own.by_program, own.by_organisation) for roles in d.values() for r in roles}
    kinds = None if Role.CREDENTIAL_ANALYST in held else kinds_cleared_by(held)
    if kinds == set() or own.empty:
        return None
    enrollment = Evidence.enrollment_id
    if kinds is not None and (own.by_program or own.by_organisation):
        # Whole programs are reached (a director): the few documents of these kinds awaiting
        # verification are found first by (status, kind), then tested for reach; "+ 0" keeps the
        # planner from probing every enrolment of the program for each kind instead.
        enrollment = Evidence.enrollment_id + 0
    query = (select(  # type: ignore[call-overload]
        Evidence.id, Evidence.enrollment_id, Evidence.kind, Evidence.version, Evidence.content_type,
        Evidence.original_filename, Evidence.uploaded_at, Enrollment.pathway, Enrollment.pathway_version,
        Enrollment.program_id, Program.organisation_id, Program.name, User.name.label("candidate_name"))  # type: ignore[attr-defined]
        .join(Enrollment, Evidence.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(Evidence.status == EvidenceStatus.SUBMITTED.value, Evidence.superseded_at.is_(None),  # type: ignore[union-attr]
               Evidence.uploaded_by_id != user.id, Enrollment.candidate_id != user.id,
               enrollment.in_(reached(user, own))))
    if kinds is not None:  # only the kinds their roles clear, not every document in their programs
        query = query.where(Evidence.kind.in_(kinds))  # type: ignore[attr-defined]
    return query


def _holding(own: Scope, role_column):  # type: ignore[no-untyped-def]
    """A WHERE clause (Enrollment and Program joined): the row's role is one the person holds where its
    enrolment is."""
    found = []
    for role in {r for d in (own.by_enrollment, own.by_program, own.by_organisation) for roles in d.values()
                 for r in roles}:
        where = or_(*[column.in_([k for k, roles in index.items() if role in roles])
                      for column, index in ((Enrollment.id, own.by_enrollment), (Enrollment.program_id, own.by_program),
                                            (Program.organisation_id, own.by_organisation)) if index])
        found.append(and_(role_column == role.value, where))
    return or_(*found) if found else None


def turn_query(user: User, own: Scope):  # type: ignore[no-untyped-def]
    """Steps, facts and documents to file that are a role's of the person's where the enrolment is
    (progress/turns.py), never on their own enrolment; and the exit-interview panels they sit on and
    have not voted in yet."""
    seats = (select(  # type: ignore[call-overload]
        Panel.id, Panel.enrollment_id, literal("seat").label("kind"), literal("").label("key"),
        literal("Vote on the exit-interview panel").label("what"), literal(Role.PANEL_MEMBER.value).label("role"),
        Panel.created_at, Panel.meets_on, Enrollment.pathway, Enrollment.program_id, Program.name,
        User.name.label("candidate_name"))  # type: ignore[attr-defined]
        .join(PanelMember, and_(PanelMember.panel_id == Panel.id, PanelMember.user_id == user.id))
        .join(Enrollment, Panel.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(Panel.outcome.is_(None), ~select(PanelVote.id).where(  # type: ignore[union-attr]
            PanelVote.panel_id == Panel.id, PanelVote.user_id == user.id).exists()))
    holding = _holding(own, EnrollmentTurn.role)
    if holding is None:
        return seats
    turns = (select(  # type: ignore[call-overload]
        EnrollmentTurn.id, EnrollmentTurn.enrollment_id, EnrollmentTurn.kind, EnrollmentTurn.key, EnrollmentTurn.what,
        EnrollmentTurn.role, EnrollmentTurn.since, EnrollmentTurn.due_on, Enrollment.pathway, Enrollment.program_id,
        Program.name, User.name.label("candidate_name"))  # type: ignore[attr-defined]
        .join(Enrollment, EnrollmentTurn.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(EnrollmentTurn.kind != "verify", EnrollmentTurn.kind != "signoff",
               Enrollment.candidate_id != user.id, holding))
    return union_all(turns, seats)


def fallback_document_query(user: User, own: Scope):  # type: ignore[no-untyped-def]
    """Documents that fall to a role of the person's to verify because nobody else could (a
    "verify" turn), never their own upload: the same columns as `document_query`."""
    holding = _holding(own, EnrollmentTurn.role)
    if holding is None:
        return None
    return (select(  # type: ignore[call-overload]
        Evidence.id, Evidence.enrollment_id, Evidence.kind, Evidence.version, Evidence.content_type,
        Evidence.original_filename, Evidence.uploaded_at, Enrollment.pathway, Enrollment.pathway_version,
        Enrollment.program_id, Program.organisation_id, Program.name, User.name.label("candidate_name"))  # type: ignore[attr-defined]
        .join(EnrollmentTurn, and_(EnrollmentTurn.enrollment_id == Evidence.enrollment_id,
                                   EnrollmentTurn.kind == "verify", EnrollmentTurn.key == Evidence.kind))
        .join(Enrollment, Evidence.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(Evidence.status == EvidenceStatus.SUBMITTED.value, Evidence.superseded_at.is_(None),  # type: ignore[union-attr]
               Evidence.uploaded_by_id != user.id, Enrollment.candidate_id != user.id, holding))
