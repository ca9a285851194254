"""The approver's one queue: every sign-off, log and document waiting on them, most urgent first.

Set-based, so a busy approver's inbox costs the same few statements however much waits: the
person's memberships and delegations, then one light query per kind of work (waiting_on.py: columns
only, no objects, exactly the rows the person may work). The page shows a slice of the ordered
list; the heading and the tabs count it; the badge on other pages counts the same rows in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context
from sqlalchemy import literal, union_all
from sqlmodel import Session

from app import clock, policy
from app.models import LogKind, User
from app.services.enrollments import words
from app.services.signoffs import waiting_on
from workflows.facts import EvidenceKind, signoff_label
from workflows.roles import Role

KINDS = ("signoff", "log", "document", "turn")
URGENCY = ("overdue", "soon", "later")
SOON_DAYS = 7  # "due soon": within a week
# A log or document has no due date of its own: it is treated as due a week after it began to
# wait (the default time an approver has for a sign-off), only to place it in the queue.
REVIEW_DAYS = 7
PAGE_SIZE = 50


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
    # A step to take, a fact to enter or a document to file (progress/turns.py)
    turn_kind: str = ""
    what: str = ""
    dated: bool = False  # a turn with a deadline of its own (else "due" only places it in the queue)

    @property
    def title(self) -> str:
        """The item in words, for the person who acts on it."""
        if self.kind == "turn":
            return self.what
        if self.kind == "signoff":
            return f"{signoff_label(self.key)} sign-off ({Role(self.role).in_sentence})"
        if self.kind == "log":
            return f"Sign a {LogKind(self.log_kind).in_sentence} log"
        return f"Verify the {EvidenceKind(self.evidence_kind).label}"

    @property
    def label(self) -> str:
        """What the log or document is, in words ("mentoring", "preliminary credential")."""
        if self.kind == "document":
            return EvidenceKind(self.evidence_kind).label
        return LogKind(self.log_kind).in_sentence

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
    scope: waiting_on.Scope = field(default_factory=lambda: waiting_on.Scope({}, {}, {}))
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
    """The organisation's time zone's offset from UTC today (the viewer's, else the service's)."""
    zone = ZoneInfo(words.current_zone() if has_app_context() else clock.DEFAULT_TIMEZONE)
    return clock.now().astimezone(zone).utcoffset() or timedelta(0)


def build(session: Session, user: User, today: date) -> Queue:
    """The approver's whole queue, in a fixed number of statements."""
    grants = waiting_on.grants_of(session, user, today)
    if not grants.approver:
        return Queue([], grants.own, False)  # a candidate or a viewer: nothing more to ask
    items = _signoffs(session, user, today, grants) + _logs(session, user, today, grants.own)
    items += _documents(session, user, today, grants.own) + _turns(session, user, today, grants.own)
    return Queue(sorted(items, key=_order), grants.own, True)


def _signoffs(session: Session, user: User, today: date, grants: waiting_on.Grants) -> list[Item]:
    """Open tasks for the roles the user holds (or holds for a delegator today), not claimed by others."""
    query = waiting_on.signoff_query(user, grants)
    if query is None:
        return []
    items, zone = [], _zone()
    for (task_id, enrollment_id, key, role, due_on, created_at, priority, claimed_by_id, escalated_at,
         pathway, program_id, candidate_id, organisation_id, program_name, candidate_name) in (
            session.connection().execute(query).all()):
        # As themselves first, else for the first delegator who holds the role there (the query
        # kept only tasks someone of these holds).
        on_behalf_of = next((who for who, s in [(None, grants.own), *grants.stand_ins]
                             if Role(role) in s.roles(enrollment_id, program_id, organisation_id)
                             and (who is None or who.id != candidate_id)), None)
        since = _day(created_at, zone)
        due = due_on or since + timedelta(days=REVIEW_DAYS)
        items.append(Item("signoff", task_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), key=key, role=role,
                          claimed_by_me=claimed_by_id == user.id, high_priority=bool(priority),
                          escalated=escalated_at is not None,
                          on_behalf_of=on_behalf_of.name if on_behalf_of else None))
    return items


def _logs(session: Session, user: User, today: date, own: waiting_on.Scope) -> list[Item]:
    """Unsigned entries naming the user, on enrolments they still support."""
    items, zone = [], _zone()
    for (log_id, enrollment_id, kind, occurred_on, hours, created_at, pathway, program_id, organisation_id,
         program_name, candidate_name) in session.connection().execute(waiting_on.log_query(user, own)).all():
        since = _day(created_at, zone)
        due = since + timedelta(days=REVIEW_DAYS)
        items.append(Item("log", log_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), log_kind=kind, occurred_on=occurred_on, hours=hours))
    return items


def _documents(session: Session, user: User, today: date, own: waiting_on.Scope) -> list[Item]:
    """Live documents awaiting verification that the user may read and decide: those their roles
    clear, and those that fell to them because nobody else could verify them."""
    # One statement: the usual ones, then those that fell to them, each marked.
    parts = [query.add_columns(literal(fell).label("fell")) for query, fell in (
        (waiting_on.document_query(user, own), False), (waiting_on.fallback_document_query(user, own), True))
        if query is not None]
    if not parts:
        return []
    items, zone, seen = [], _zone(), set()
    for (evidence_id, enrollment_id, kind, version, content_type, filename, uploaded_at, pathway, pathway_version,
         program_id, organisation_id, program_name, candidate_name, fell) in session.connection().execute(
            parts[0] if len(parts) == 1 else union_all(*parts)).all():
        roles = own.roles(enrollment_id, program_id, organisation_id)
        if evidence_id in seen or not (policy.can_read_evidence(roles, kind) if fell else policy.can_verify_evidence(
                roles, kind, waiting_on.clearing(pathway, pathway_version).get(kind))):
            continue
        seen.add(evidence_id)
        since = _day(uploaded_at, zone)
        due = since + timedelta(days=REVIEW_DAYS)
        items.append(Item("document", evidence_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), evidence_kind=kind, version=version,
                          content_type=content_type, filename=filename))
    return items


def _turns(session: Session, user: User, today: date, own: waiting_on.Scope) -> list[Item]:
    """Steps to take, facts to enter, documents to file and panels to convene that are a role's of
    theirs now, and the panels they sit on and have not voted in."""
    query = waiting_on.turn_query(user, own)
    items, zone, seen = [], _zone(), set()
    for (turn_id, enrollment_id, kind, key, what, _role, since_at, due_on, pathway, program_id, program_name,
         candidate_name) in session.connection().execute(query).all():
        if (enrollment_id, kind, key) in seen:  # two roles of theirs with the same turn: once
            continue
        seen.add((enrollment_id, kind, key))
        since = _day(since_at, zone) if since_at is not None else today
        due = due_on or since + timedelta(days=REVIEW_DAYS)
        items.append(Item("turn", turn_id, enrollment_id, pathway, program_id, program_name, candidate_name,
                          since, due, _urgency(due, today), key=key, turn_kind=kind, what=what,
                          dated=due_on is not None))
    return items
