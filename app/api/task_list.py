"""The API's inbox tabs as one SQL query each: who may work a task (role and scope), the tab, the filters, a
stable order, then one page of it, so a busy approver's page costs the same however much waits.

The scopes are those of policy.roles_on (an enrolment, its program, or its organisation), for the caller's
approver memberships and those of whoever delegated to them today; nobody works a task on their own enrolment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import Session, func, select

from app import policy
from app.api import schemas
from app.models import Enrollment, Membership, Program, SignOffTask, User
from app.services.signoffs import delegations
from workflows.roles import Role


def _workable(session: Session, user: User, today: date) -> Any:
    """A WHERE clause: tasks whose role the caller (or a delegator of today) holds where the task is."""
    people = [user.id, *(p.id for p in delegations.principals_for(session, user, today))]
    grants = session.exec(select(Membership).where(Membership.user_id.in_(people),  # type: ignore[attr-defined]
                                                   Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    clauses = set()
    for m in grants:
        if Role(m.role) not in policy.APPROVER_ROLES:
            continue
        if m.enrollment_id is not None:
            clauses.add((m.role, "e", m.enrollment_id))
        elif m.program_id is not None:
            clauses.add((m.role, "p", m.program_id))
        elif m.organisation_id is not None:
            clauses.add((m.role, "o", m.organisation_id))
    column = {"e": Enrollment.id, "p": Enrollment.program_id, "o": Program.organisation_id}
    if not clauses:
        return false()
    return or_(*[(SignOffTask.role == role) & (column[kind] == value) for role, kind, value in sorted(clauses)])


def page(session: Session, user: User, query: schemas.TaskQuery,
         today: date) -> tuple[list[tuple[SignOffTask, Enrollment, Program, User]], int]:
    """One page of a tab (mine, unclaimed, done) and how many the tab holds with these filters."""
    statement = (select(SignOffTask, Enrollment, Program, User)
                 .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                 .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                 .join(User, Enrollment.candidate_id == User.id))  # type: ignore[arg-type]
    if query.tab == "done":
        statement = statement.where(SignOffTask.decided_by_id == user.id, SignOffTask.status != "open")
        order = (SignOffTask.decided_at.desc(), SignOffTask.id.desc())  # type: ignore[union-attr]
    else:
        claimed = (SignOffTask.claimed_by_id == user.id if query.tab == "mine"
                   else SignOffTask.claimed_by_id.is_(None))  # type: ignore[union-attr]
        statement = statement.where(SignOffTask.status == "open", claimed, Enrollment.candidate_id != user.id,
                                    _workable(session, user, today))
        # Most urgent first, as in the inbox: high priority, then the earliest due date; the id keeps it stable.
        order = (SignOffTask.priority.desc(), SignOffTask.due_on.asc().nulls_last(), SignOffTask.id)  # type: ignore[attr-defined,union-attr]
    if query.pathway is not None:
        statement = statement.where(Enrollment.pathway == query.pathway)
    if query.program_id is not None:
        statement = statement.where(Enrollment.program_id == query.program_id)
    if query.enrollment_id is not None:
        statement = statement.where(SignOffTask.enrollment_id == query.enrollment_id)
    if query.due_before is not None:
        statement = statement.where(SignOffTask.due_on <= query.due_before)  # type: ignore[operator]
    if query.overdue:
        statement = statement.where(SignOffTask.status == "open", SignOffTask.due_on < today)  # type: ignore[operator]
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(*order).offset((query.page - 1) * query.limit).limit(query.limit)).all()
    return list(rows), total  # type: ignore[arg-type]
