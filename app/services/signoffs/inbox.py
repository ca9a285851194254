"""Sign-off task lines for one approver: their claimed tasks, their roles' unclaimed ones, what they decided.

The inbox's queue (everything waiting, logs and documents too, with its counts) is worklist.py;
this module serves the "done" tab, delegations' tests and the roles of many enrolments at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app import policy
from app.models import Enrollment, Membership, Program, SignOffTask, User
from app.services.signoffs import delegations
from workflows.roles import Role

TABS = ("mine", "unclaimed", "done")
DONE_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    """GET filters: pathway, program, due on or before, overdue only."""

    pathway: str | None = None
    program_id: int | None = None
    due_before: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class TaskLine:
    """A task row in the inbox."""

    task: SignOffTask
    enrollment: Enrollment
    program: Program
    candidate: User
    on_behalf_of: User | None  # the approver a delegate acts for
    overdue: bool


def roles_on_many(session: Session, user: User, pairs: list[tuple[Enrollment, Program]]) -> dict[int, frozenset[Role]]:
    """`policy.roles_on` for many enrolments (each with its program) in one query: a list never asks per row."""
    held = session.exec(select(Membership).where(Membership.user_id == user.id,
                                                 Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    found: dict[int, frozenset[Role]] = {}
    for enrollment, program in pairs:
        if enrollment.candidate_id == user.id:
            found[enrollment.id] = frozenset({Role.CANDIDATE})  # type: ignore[index]
            continue
        found[enrollment.id] = frozenset(Role(m.role) for m in held if (  # type: ignore[index]
            m.enrollment_id == enrollment.id or m.program_id == enrollment.program_id
            or (m.organisation_id == program.organisation_id and m.program_id is None and m.enrollment_id is None)))
    return found


def _covers(membership: Membership, enrollment: Enrollment, program: Program) -> bool:
    """Whether a membership reaches this enrolment (the scopes of policy.roles_on)."""
    if membership.enrollment_id is not None:
        return membership.enrollment_id == enrollment.id
    if membership.program_id is not None:
        return membership.program_id == enrollment.program_id
    return membership.organisation_id is not None and membership.organisation_id == program.organisation_id


def _grants(session: Session, user: User, today: date) -> list[tuple[Membership, User | None]]:
    """The user's approver memberships, then those of whoever delegated to them today."""
    def approver(person: User) -> list[Membership]:
        return [m for m in session.exec(select(Membership).where(
            Membership.user_id == person.id, Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
            if Role(m.role) in policy.APPROVER_ROLES]

    grants: list[tuple[Membership, User | None]] = [(m, None) for m in approver(user)]
    for delegator in delegations.principals_for(session, user, today):
        grants += [(m, delegator) for m in approver(delegator)]
    return grants


def _open_lines(session: Session, user: User, today: date, filters: Filters) -> list[TaskLine]:
    """Every open task the user may work (as themselves first, else for a delegator)."""
    grants = _grants(session, user, today)
    roles = {m.role for m, _ in grants}
    if not roles:
        return []
    query = _joined().where(SignOffTask.status == "open", SignOffTask.role.in_(roles))  # type: ignore[attr-defined]
    lines = []
    for task, enrollment, program, candidate in session.exec(_filtered(query, filters, today)).all():
        if enrollment.candidate_id == user.id:
            continue  # nobody works a task on their own enrolment, even as a delegate
        match = next(((m, p) for m, p in grants if m.role == task.role and _covers(m, enrollment, program)), None)
        if match is None:
            continue
        lines.append(TaskLine(task, enrollment, program, candidate, match[1], _late(task, today)))
    return lines


def _joined():  # type: ignore[no-untyped-def]
    return (select(SignOffTask, Enrollment, Program, User)
            .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
            .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
            .join(User, Enrollment.candidate_id == User.id))  # type: ignore[arg-type]


def _filtered(query, filters: Filters, today: date):  # type: ignore[no-untyped-def]
    if filters.pathway:
        query = query.where(Enrollment.pathway == filters.pathway)
    if filters.program_id:
        query = query.where(Enrollment.program_id == filters.program_id)
    if filters.due_before:
        query = query.where(SignOffTask.due_on <= filters.due_before)  # type: ignore[operator]
    if filters.overdue:
        query = query.where(SignOffTask.due_on < today)  # type: ignore[operator]
    # Most urgent first: high priority, then the earliest due date.
    return query.order_by(SignOffTask.priority.desc(), SignOffTask.due_on, SignOffTask.id)  # type: ignore[attr-defined]


def _late(task: SignOffTask, today: date) -> bool:
    return task.status == "open" and task.due_on is not None and task.due_on < today


def listing(session: Session, user: User, tab: str, today: date, filters: Filters = Filters()) -> list[TaskLine]:
    """The tasks on one tab of the user's inbox."""
    if tab == "done":
        query = _joined().where(SignOffTask.decided_by_id == user.id, SignOffTask.status != "open")
        rows = session.exec(_filtered(query, Filters(filters.pathway, filters.program_id), today)
                            .limit(DONE_LIMIT)).all()
        principals = {u.id: u for u in session.exec(select(User).where(
            User.id.in_({t.on_behalf_of_id for t, *_ in rows} | {0}))).all()}  # type: ignore[union-attr]
        lines = [TaskLine(t, e, p, c, principals.get(t.on_behalf_of_id), False) for t, e, p, c in rows]  # type: ignore[arg-type]
        return sorted(lines, key=lambda line: line.task.decided_at, reverse=True)  # type: ignore[arg-type, return-value]
    lines = _open_lines(session, user, today, filters)
    if tab == "mine":
        return [line for line in lines if line.task.claimed_by_id == user.id]
    return [line for line in lines if line.task.claimed_by_id is None]
