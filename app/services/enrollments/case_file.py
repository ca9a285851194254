"""Everything on file for one enrolment, each part read once until the session writes its table.

The facts, the enrolment page, its home and its API document all need the enrolment's documents,
its team, its moves and its sign-off requests. Each part is read when first asked, in one
statement, and remembered until the session writes the table it comes from (app/reads.py): an
approval that asks for the facts before and after its sign-off reads the documents once, and the
enrolment page reads each table once however many of its parts look at it. (The summary rewritten
at commit reads the file afresh: it must see what is committed.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import func, literal, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.models import (
    AuditEvent,
    Enrollment,
    Evidence,
    FactRecord,
    LogEntry,
    Membership,
    Organisation,
    Program,
    SelfAssessment,
    SignOff,
    SignOffTask,
    User,
)
from app.models.facts import CLAIMED, CONFIRMED
from app.reads import remembered
from workflows.registry import plugin
from workflows.roles import Role

# The moves an enrolment's history is read from: its creation and every transition.
MOVES = ("enrollment.created", "enrollment.transition")
# The roles whose first assignment is a key date.
ASSIGNED_ROLES = (Role.MENTOR, Role.COACH)
PLACE = ("program", "organisation")  # the tables an enrolment's place is read from
# What counts of a signed log entry: for the facts and the accreditation figures.
_SIGNED_LOG_COLUMNS = (LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on, LogEntry.program_year,
                       LogEntry.hours, LogEntry.attendee_roles, LogEntry.attendance)
T = TypeVar("T")


@dataclass(frozen=True)
class Marks:
    """The enrolment's small sets: standing sign-offs, facts claimed but not confirmed, self-assessments."""

    signoffs: frozenset[tuple[str, str]]
    claimed: frozenset[str]
    self_assessments: int
    confirmed: frozenset[str] = frozenset()  # facts an owner recorded (a yes/no fact's "no" among them)


_NO_MARKS = Marks(frozenset(), frozenset(), 0)


@dataclass(frozen=True)
class Request:
    """A sign-off task with the names of whoever claimed and decided it."""

    task: SignOffTask
    claimed_by: str | None
    decided_by: str | None


def read_enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    """The enrolment, read with its program and organisation in one statement; its case file keeps
    them, so the access checks and the facts ask nothing more about them this transaction."""
    row = session.exec(select(Enrollment, Program, Organisation)
                       .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                       .join(Organisation, Program.organisation_id == Organisation.id, isouter=True)  # type: ignore[arg-type]
                       .where(Enrollment.id == enrollment_id)).first()
    if row is None:
        return None
    found, program, organisation = row
    remembered(session, ("place", found.program_id), lambda: (program, organisation), PLACE)
    return found  # type: ignore[no-any-return]


def of(session: Session, enrollment: Enrollment) -> CaseFile:
    """The enrolment's case file (its parts are remembered in the session, not in the file)."""
    return CaseFile(session, enrollment)


def _marks_query(ids: list[Any]) -> Any:
    """A row (enrollment_id, what, a, b) per standing sign-off, recorded fact (its status) and self-assessment."""
    return union_all(
        select(SignOff.enrollment_id, literal("signoff").label("what"), SignOff.key.label("a"),  # type: ignore[attr-defined]
               SignOff.role.label("b")).where(SignOff.enrollment_id.in_(ids), SignOff.withdrawn_at.is_(None)),  # type: ignore[attr-defined, union-attr]
        select(FactRecord.enrollment_id, literal("fact"), FactRecord.name, FactRecord.status).where(
            FactRecord.enrollment_id.in_(ids)),  # type: ignore[attr-defined]
        select(SelfAssessment.enrollment_id, literal("assessment"), literal(""), literal("")).where(
            SelfAssessment.enrollment_id.in_(ids)))  # type: ignore[attr-defined]


def _marks(rows: Sequence[Any]) -> Marks:
    return Marks(signoffs=frozenset((r.a, r.b) for r in rows if r.what == "signoff"),
                 claimed=frozenset(r.a for r in rows if r.what == "fact" and r.b == CLAIMED),
                 self_assessments=sum(1 for r in rows if r.what == "assessment"),
                 confirmed=frozenset(r.a for r in rows if r.what == "fact" and r.b == CONFIRMED))


def early_completion(pathway: str, moves: Sequence[Any]) -> bool:
    """Whether the latest move into a first year (moves oldest first) was onto the pathway's shorter
    track (an Early Completion year)."""
    track = plugin(pathway).one_year_track
    if track is None:
        return False
    for move in reversed(moves):
        if move.action == "enrollment.transition" and move.to_state in track:
            return move.to_state == track[0]  # type: ignore[no-any-return]
    return False


def assigned_on(membership: Membership) -> datetime:
    """When a support role counts as assigned: the day the program confirmed a candidate's proposal,
    or the day it made the assignment itself."""
    return membership.confirmed_at or membership.created_at


class CaseFile:
    """One enrolment's rows, each part read on first use and remembered until its table is written."""

    def __init__(self, session: Session, enrollment: Enrollment) -> None:
        self.session, self.enrollment = session, enrollment

    def _part(self, name: str, read: Callable[[], T], *tables: str) -> T:
        return remembered(self.session, (name, self.enrollment.id), read, tables)

    @property
    def place(self) -> tuple[Program | None, Organisation | None]:
        """The enrolment's program and its organisation."""
        def read() -> tuple[Program | None, Organisation | None]:
            program = self.session.get(Program, self.enrollment.program_id)
            return program, self.session.get(Organisation, program.organisation_id) if program else None
        # (Keyed by program: every enrolment of it shares the answer.)
        return remembered(self.session, ("place", self.enrollment.program_id), read, PLACE)

    @property
    def program(self) -> Program | None:
        return self.place[0]

    @property
    def organisation(self) -> Organisation | None:
        return self.place[1]

    @property
    def documents(self) -> list[Evidence]:
        """Every version of every document, oldest first."""
        return self._part("documents", lambda: list(self.session.exec(
            select(Evidence).where(Evidence.enrollment_id == self.enrollment.id)
            .order_by(Evidence.uploaded_at, Evidence.id)).all()), "evidence")  # type: ignore[arg-type]

    @property
    def current_documents(self) -> dict[str, Evidence]:
        """The live (not superseded) version of each kind."""
        return {row.kind: row for row in self.documents if row.superseded_at is None}

    @property
    def team(self) -> list[tuple[Membership, str]]:
        """Live roles held on the enrolment, on its program or in its organisation, with the holder's
        name, by name."""
        program = self.program
        return self._part("team", lambda: [(m, name) for m, name in self.session.exec(
            select(Membership, User.name).join(User, Membership.user_id == User.id)  # type: ignore[arg-type]
            .where(Membership.revoked_at.is_(None), User.active.is_(True), or_(  # type: ignore[union-attr, attr-defined]
                Membership.enrollment_id == self.enrollment.id,
                (Membership.program_id == self.enrollment.program_id) & Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
                (Membership.organisation_id == (program.organisation_id if program else 0))
                & Membership.program_id.is_(None) & Membership.enrollment_id.is_(None)))  # type: ignore[union-attr]
            .order_by(User.name, Membership.id)).all()], "membership", "user")

    def first_assigned(self) -> dict[Role, datetime]:
        """When each support role was first assigned on this enrolment."""
        found: dict[Role, datetime] = {}
        for membership, _ in self.team:
            if membership.enrollment_id == self.enrollment.id and membership.role in ASSIGNED_ROLES:
                role, when = Role(membership.role), assigned_on(membership)
                found[role] = min(found.get(role, when), when)
        return found

    @property
    def signed_logs(self) -> list[Any]:
        """The signed log entries' counted columns (kind, date, program year, hours, who attended)."""
        return self._part("signed_logs", lambda: list(self.session.exec(select(*_SIGNED_LOG_COLUMNS).where(
            LogEntry.enrollment_id == self.enrollment.id, LogEntry.signed_at.is_not(None))).all()),  # type: ignore[union-attr]
            "log_entry")

    @property
    def moves(self) -> list[Any]:
        """The enrolment's creation and transitions (action, to_state, occurred_at), oldest first."""
        return self._part("moves", lambda: list(self.session.exec(
            select(AuditEvent.action, AuditEvent.to_state, AuditEvent.occurred_at).where(
                AuditEvent.enrollment_id == self.enrollment.id, AuditEvent.action.in_(MOVES))  # type: ignore[attr-defined]
            .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()), "audit_event")  # type: ignore[arg-type]

    @property
    def early_completion(self) -> bool:
        return early_completion(self.enrollment.pathway, self.moves)

    @property
    def marks(self) -> Marks:
        """Three small sets in one statement (a row per sign-off, claimed fact and self-assessment)."""
        return self._part("marks", lambda: _marks(self.session.exec(_marks_query([self.enrollment.id])).all()),
                          "sign_off", "fact_record", "self_assessment")

    @property
    def requests(self) -> list[Request]:
        """Every sign-off task on the enrolment, newest first."""
        def read() -> list[Request]:
            claimer, decider = aliased(User), aliased(User)
            rows = self.session.exec(
                select(SignOffTask, claimer.name, decider.name)
                .join(claimer, SignOffTask.claimed_by_id == claimer.id, isouter=True)  # type: ignore[arg-type]
                .join(decider, SignOffTask.decided_by_id == decider.id, isouter=True)  # type: ignore[arg-type]
                .where(SignOffTask.enrollment_id == self.enrollment.id).order_by(SignOffTask.id.desc())).all()  # type: ignore[union-attr]
            return [Request(task, claimed, decided) for task, claimed, decided in rows]
        return self._part("requests", read, "sign_off_task", "user")


def files(session: Session, enrollments: Sequence[Enrollment]) -> dict[int, Filed]:
    """The case files of these enrolments by id: one enrolment's own (its parts remembered), or many
    read together from a cabinet, each part in one statement for all of them."""
    if len(enrollments) == 1:
        return {enrollments[0].id: of(session, enrollments[0])}  # type: ignore[dict-item]
    cabinet = Cabinet(session, enrollments)
    return {e.id: Drawer(cabinet, e) for e in enrollments}  # type: ignore[misc]


class Cabinet:
    """Many enrolments' case files (a cohort's summaries, a rebuild's batch): each part is read for
    all of them at once, `enrollment_id IN (...)`, columns rather than rows where that is enough."""

    def __init__(self, session: Session, enrollments: Sequence[Enrollment]) -> None:
        self.session, self.ids = session, [e.id for e in enrollments]
        self.program_ids = {e.program_id for e in enrollments}

    def _by_enrollment(self, query: Any) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = defaultdict(list)
        for row in self.session.exec(query).all():
            found[row.enrollment_id].append(row)
        return found

    @cached_property
    def places(self) -> dict[int, tuple[Program, Organisation | None]]:
        return {program.id: (program, organisation) for program, organisation in self.session.exec(
            select(Program, Organisation).join(Organisation, Program.organisation_id == Organisation.id, isouter=True)  # type: ignore[arg-type]
            .where(Program.id.in_(self.program_ids))).all()}  # type: ignore[union-attr]

    @cached_property
    def first_assigned(self) -> dict[int, dict[Role, datetime]]:
        found: dict[int, dict[Role, datetime]] = defaultdict(dict)
        for enrollment_id, role, first in self.session.exec(
                select(Membership.enrollment_id, Membership.role,
                       func.min(func.coalesce(Membership.confirmed_at, Membership.created_at)))
                .where(Membership.enrollment_id.in_(self.ids), Membership.role.in_(list(ASSIGNED_ROLES)),  # type: ignore[union-attr, attr-defined]
                       Membership.revoked_at.is_(None))  # type: ignore[union-attr]
                .group_by(Membership.enrollment_id, Membership.role)).all():
            found[enrollment_id][Role(role)] = first
        return found

    @cached_property
    def documents(self) -> dict[int, list[Any]]:
        return self._by_enrollment(select(Evidence.enrollment_id, Evidence.kind, Evidence.status, Evidence.uploaded_at,
                                          Evidence.superseded_at).where(Evidence.enrollment_id.in_(self.ids))  # type: ignore[attr-defined]
                                   .order_by(Evidence.uploaded_at, Evidence.id))

    @cached_property
    def signed_logs(self) -> dict[int, list[Any]]:
        # Columns, not entities: a program's signed entries run to the hundred thousand.
        return self._by_enrollment(select(*_SIGNED_LOG_COLUMNS).where(
            LogEntry.enrollment_id.in_(self.ids), LogEntry.signed_at.is_not(None)))  # type: ignore[attr-defined, union-attr]

    @cached_property
    def moves(self) -> dict[int, list[Any]]:
        return self._by_enrollment(select(AuditEvent.enrollment_id, AuditEvent.action, AuditEvent.to_state,
                                          AuditEvent.occurred_at).where(
            AuditEvent.enrollment_id.in_(self.ids), AuditEvent.action.in_(MOVES))  # type: ignore[union-attr, attr-defined]
            .order_by(AuditEvent.occurred_at, AuditEvent.id))  # type: ignore[arg-type]

    @cached_property
    def marks(self) -> dict[int, Marks]:
        rows = self._by_enrollment(_marks_query(self.ids))
        return {eid: _marks(found) for eid, found in rows.items()}


class Drawer:
    """One enrolment's case file in a cabinet: the same parts as a CaseFile."""

    def __init__(self, cabinet: Cabinet, enrollment: Enrollment) -> None:
        self.cabinet, self.enrollment = cabinet, enrollment

    @property
    def program(self) -> Program | None:
        return self.cabinet.places.get(self.enrollment.program_id, (None, None))[0]

    @property
    def organisation(self) -> Organisation | None:
        return self.cabinet.places.get(self.enrollment.program_id, (None, None))[1]

    def first_assigned(self) -> dict[Role, datetime]:
        return self.cabinet.first_assigned.get(self.enrollment.id, {})  # type: ignore[arg-type]

    @property
    def documents(self) -> list[Any]:
        return self.cabinet.documents.get(self.enrollment.id, [])  # type: ignore[arg-type]

    @property
    def signed_logs(self) -> list[Any]:
        return self.cabinet.signed_logs.get(self.enrollment.id, [])  # type: ignore[arg-type]

    @property
    def moves(self) -> list[Any]:
        return self.cabinet.moves.get(self.enrollment.id, [])  # type: ignore[arg-type]

    @property
    def early_completion(self) -> bool:
        return early_completion(self.enrollment.pathway, self.moves)

    @property
    def marks(self) -> Marks:
        return self.cabinet.marks.get(self.enrollment.id, _NO_MARKS)  # type: ignore[arg-type]


Filed = CaseFile | Drawer  # an enrolment's case file, its own or a cabinet's
