"""The approver's one queue: every sign-off, log and document waiting on them, most urgent first.

Set-based, so a busy approver's inbox costs the same few statements however much waits: the
person's memberships and delegations, then one light query per kind of work (columns only, no
objects), filtered by role and scope in memory against memberships indexed by enrolment, program
and organisation. The page then shows a slice of that ordered list; the navigation's badge, the
heading and the tab counts all come from this one computation (kept for the request).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import or_, union_all
from sqlmodel import Session, select

from app import clock, policy
from app.models import Delegation, Enrollment, Evidence, LogEntry, LogKind, Membership, Program, SignOffTask, User
from app.services.enrollments import dashboard
from workflows import registry
from workflows.facts import EvidenceKind, EvidenceStatus, signoff_label
from workflows.roles import Role

KINDS = ("signoff", "log", "document")
URGENCY = ("overdue", "soon", "later")
SOON_DAYS = 7  # "due soon": within a week
# A log or document has no due date of its own: it is treated as due a week after it began to
# wait (the default time an approver has for a sign-off), only to place it in the queue.
REVIEW_DAYS = 7
PAGE_SIZE = 50


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


def scope_of(memberships: list[Membership]) -> Scope:
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


@dataclass(slots=True)
class Item:
    """One thing waiting on the approver, with what its line and its inline decision need."""

    kind: str  # "signoff", "log" or "document"
    id: int
    enrollment_id: int
    pathway: str
    program_id: int
    program_name: str
    candidate_name: str
    since: date  # when it began to wait
    due: date
    urgency: str
    # A sign-off
    key: str = ""
    role: str = ""
    claimed_by_me: bool = False
    high_priority: bool = False
    escalated: bool = False
    on_behalf_of: str | None = None
    # A log entry
    log_kind: str = ""
    occurred_on: date | None = None
    hours: float = 0.0
    # A document
    evidence_kind: str = ""
    version: int = 0
    content_type: str = ""
    filename: str = ""

    @property
    def title(self) -> str:
        """The item in words, for the person who acts on it."""
        if self.kind == "signoff":
            return f"{signoff_label(self.key)} sign-off ({Role(self.role).label.lower()})"
        if self.kind == "log":
            return f"Sign a {LogKind(self.log_kind).value.replace('_', ' ')} log"
        return f"Verify the {EvidenceKind(self.evidence_kind).label}"

    @property
    def label(self) -> str:
        """What the log or document is, in words ("mentoring", "preliminary credential")."""
        if self.kind == "document":
            return EvidenceKind(self.evidence_kind).label
        return self.log_kind.replace("_", " ")

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/png", "image/jpeg")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


@dataclass(frozen=True)
class Filters:
    """GET filters: pathway, program, due on or before, overdue only, claimed by me / unclaimed."""

    pathway: str | None = None
    program_id: int | None = None
    due_before: date | None = None
    overdue: bool = False
    claimed: str | None = None  # "mine" or "unclaimed" (sign-offs only)

    @property
    def active(self) -> bool:
        return bool(self.pathway or self.program_id or self.due_before or self.overdue or self.claimed)

    def keep(self, item: Item) -> bool:
        if self.pathway and item.pathway != self.pathway:
            return False
        if self.program_id and item.program_id != self.program_id:
            return False
        if self.due_before and item.due > self.due_before:
            return False
        if self.overdue and item.urgency != "overdue":
            return False
        if self.claimed == "mine":
            return item.kind == "signoff" and item.claimed_by_me
        if self.claimed == "unclaimed":
            return item.kind == "signoff" and not item.claimed_by_me
        return True


@dataclass
class Queue:
    """Everything waiting on one approver, ordered, with the counts every view shows."""

    items: list[Item] = field(default_factory=list)
    scope: Scope = field(default_factory=lambda: Scope({}, {}, {}))
    approver: bool = False  # holds an approving role, or stands in for someone who does today

    @property
    def total(self) -> int:
        return len(self.items)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.urgency == "overdue")

    def programs(self) -> list[tuple[int, str]]:
        """The programs among the items, for the filter's choices."""
        return sorted({(i.program_id, i.program_name) for i in self.items}, key=lambda p: p[1])

    def select(self, kind: str | None, filters: Filters) -> list[Item]:
        return [i for i in self.items if (kind is None or i.kind == kind) and filters.keep(i)]


def _urgency(due: date, today: date) -> str:
    if due < today:
        return "overdue"
    return "soon" if due <= today + timedelta(days=SOON_DAYS) else "later"


def _order(item: Item) -> tuple[int, date, int, int, int]:
    # Overdue, then due soon, then the rest; earliest due first; a stable tie-break by kind and id.
    return (URGENCY.index(item.urgency), item.due, -int(item.high_priority), KINDS.index(item.kind), item.id)


def _day(value: date | datetime, offset: timedelta) -> date:
    """The calendar day a stored (UTC) moment fell on where the service is, shifted by today's offset
    (cheap for thousands of rows; a day's display, not a deadline)."""
    return (value + offset).date() if isinstance(value, datetime) else value


def _zone() -> timedelta:
    """The service's time zone's offset from UTC today."""
    zone = ZoneInfo((current_app.config.get("TIMEZONE") if has_app_context() else None) or clock.DEFAULT_TIMEZONE)
    return clock.now().astimezone(zone).utcoffset() or timedelta(0)


def build(session: Session, user: User, today: date) -> Queue:
    """The approver's whole queue, in a fixed number of statements."""
    memberships = list(session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None))).all())  # type: ignore[union-attr]
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
    if not approver:
        return Queue([], own, False)  # a candidate or a viewer: nothing more to ask
    items = _signoffs(session, user, today, own, stand_ins)
    items += _logs(session, user, today, own) + _documents(session, user, today, own)
    return Queue(sorted(items, key=_order), own, True)


def reach(scopes: list[Scope]):  # type: ignore[no-untyped-def]
    """A WHERE clause (with Program joined) for enrolments any of these scopes reach: a superset,
    narrowed exactly in memory."""
    enrollments = {k for s in scopes for k in s.by_enrollment}
    programs = {k for s in scopes for k in s.by_program}
    organisations = {k for s in scopes for k in s.by_organisation}
    return or_(Enrollment.id.in_(enrollments or {0}), Enrollment.program_id.in_(programs or {0}),  # type: ignore[union-attr, attr-defined]
               Program.organisation_id.in_(organisations or {0}))  # type: ignore[attr-defined]


def _reached(user: User, own: Scope):  # type: ignore[no-untyped-def]
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


def _signoffs(session: Session, user: User, today: date, own: Scope, stand_ins: list[tuple[User, Scope]]) -> list[Item]:
    """Open tasks for the roles the user holds (or holds for a delegator today), not claimed by others."""
    grants: list[tuple[User | None, Scope]] = [(None, own), *stand_ins]
    approver = {r.value for r in policy.APPROVER_ROLES}
    roles = {r.value for _, s in grants for d in (s.by_enrollment, s.by_program, s.by_organisation)
             for held in d.values() for r in held} & approver
    if not roles:
        return []
    rows = session.connection().execute(select(  # type: ignore[call-overload]
        SignOffTask.id, SignOffTask.enrollment_id, SignOffTask.key, SignOffTask.role, SignOffTask.due_on,
        SignOffTask.created_at, SignOffTask.priority, SignOffTask.claimed_by_id, SignOffTask.escalated_at,
        Enrollment.pathway, Enrollment.program_id, Enrollment.candidate_id, Program.organisation_id, Program.name,
        User.name)
        .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(SignOffTask.status == "open", SignOffTask.role.in_(roles),  # type: ignore[attr-defined]
               or_(SignOffTask.claimed_by_id.is_(None), SignOffTask.claimed_by_id == user.id),  # type: ignore[union-attr]
               Enrollment.candidate_id != user.id, reach([s for _, s in grants]))).all()
    items, zone = [], _zone()
    for (task_id, enrollment_id, key, role, due_on, created_at, priority, claimed_by_id, escalated_at,
         pathway, program_id, candidate_id, organisation_id, program_name, candidate_name) in rows:
        # As themselves first, else for the first delegator who holds the role there.
        match = next((who for who, s in grants if Role(role) in s.roles(enrollment_id, program_id, organisation_id)
                      and (who is None or who.id != candidate_id)), False)
        if match is False:
            continue
        since = _day(created_at, zone)
        due = due_on or since + timedelta(days=REVIEW_DAYS)
        items.append(Item("signoff", task_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), key=key, role=role,
                          claimed_by_me=claimed_by_id == user.id, high_priority=bool(priority),
                          escalated=escalated_at is not None, on_behalf_of=match.name if match else None))
    return items


def _logs(session: Session, user: User, today: date, own: Scope) -> list[Item]:
    """Unsigned entries naming the user, on enrolments they still support."""
    query = (select(LogEntry.id, LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on, LogEntry.hours,  # type: ignore[call-overload]
                    LogEntry.created_at, Enrollment.pathway, Enrollment.program_id, Program.organisation_id,
                    Program.name, User.name)
             .join(Enrollment, LogEntry.enrollment_id == Enrollment.id)
             .join(Program, Enrollment.program_id == Program.id)
             .join(User, Enrollment.candidate_id == User.id)
             .where(LogEntry.signer_id == user.id, LogEntry.signed_at.is_(None),  # type: ignore[union-attr]
                    Enrollment.candidate_id != user.id))
    if not own.service_administrator:
        # Through the enrolments the person reaches: the (enrolment, signed) index, never a scan of every log.
        query = query.where(LogEntry.enrollment_id.in_(_reached(user, own)))  # type: ignore[attr-defined]
    items, zone = [], _zone()
    for (log_id, enrollment_id, kind, occurred_on, hours, created_at, pathway, program_id, organisation_id,
         program_name, candidate_name) in session.connection().execute(query).all():
        # Someone removed from the team no longer signs for that candidate (policy.can_view_enrollment).
        if not (own.service_administrator or enrollment_id in own.by_enrollment or program_id in own.by_program
                or organisation_id in own.by_organisation):
            continue
        since = _day(created_at, zone)
        due = since + timedelta(days=REVIEW_DAYS)
        items.append(Item("log", log_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), log_kind=kind, occurred_on=occurred_on, hours=hours))
    return items


def _kinds_cleared_by(roles: set[Role]) -> set[str]:
    """The kinds of document some pathway's rules let one of these roles verify (the definitions are fixed)."""
    return {rule.evidence_kind.value for pathway in ("pip", "induction", "casc") for version in registry.versions(pathway)
            for rule in registry.definition(pathway, version).rules.values()
            if rule.evidence_kind is not None and rule.clears in roles and rule.clears is not Role.CANDIDATE}


def _documents(session: Session, user: User, today: date, own: Scope) -> list[Item]:
    """Live documents awaiting verification that the user may read and decide."""
    held = {r for d in (own.by_enrollment, own.by_program, own.by_organisation) for roles in d.values() for r in roles}
    kinds = None if Role.CREDENTIAL_ANALYST in held else _kinds_cleared_by(held)
    if kinds == set():
        return []  # no role of theirs verifies any kind of document: a director's badge asks nothing here
    query = (select(  # type: ignore[call-overload]
        Evidence.id, Evidence.enrollment_id, Evidence.kind, Evidence.version, Evidence.content_type,
        Evidence.original_filename, Evidence.uploaded_at, Enrollment.pathway, Enrollment.pathway_version,
        Enrollment.program_id, Program.organisation_id, Program.name, User.name)
        .join(Enrollment, Evidence.enrollment_id == Enrollment.id)
        .join(Program, Enrollment.program_id == Program.id)
        .join(User, Enrollment.candidate_id == User.id)
        .where(Evidence.status == EvidenceStatus.SUBMITTED.value, Evidence.superseded_at.is_(None),  # type: ignore[union-attr]
               Evidence.uploaded_by_id != user.id, Enrollment.candidate_id != user.id,
               Evidence.enrollment_id.in_(_reached(user, own))))
    if kinds is not None:  # only the kinds their roles clear, not every document in their programs
        query = query.where(Evidence.kind.in_(kinds))  # type: ignore[attr-defined]
    rows = session.connection().execute(query).all()
    clearing: dict[tuple[str, int], dict[str, Role]] = {}
    items, zone = [], _zone()
    for (evidence_id, enrollment_id, kind, version, content_type, filename, uploaded_at, pathway, pathway_version,
         program_id, organisation_id, program_name, candidate_name) in rows:
        roles = own.roles(enrollment_id, program_id, organisation_id)
        if (pathway, pathway_version) not in clearing:  # the immutable definitions, read once per pathway
            clearing[(pathway, pathway_version)] = dashboard.clearing_roles(
                Enrollment(pathway=pathway, pathway_version=pathway_version))
        clears = clearing[(pathway, pathway_version)].get(kind)
        # Nobody verifies a plan they may not read (the ILP).
        if not (policy.can_read_evidence(roles, kind) and policy.can_decide_evidence(roles, clears)):
            continue
        since = _day(uploaded_at, zone)
        due = since + timedelta(days=REVIEW_DAYS)
        items.append(Item("document", evidence_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), evidence_kind=kind, version=version,
                          content_type=content_type, filename=filename))
    return items
