"""Escalating overdue sign-off tasks to the program director, once each."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app import outbox
from app.models import Enrollment, Organisation, Program, SignOffTask, UTCDateTime, utcnow
from app.services.enrollments.facts import build_many
from app.services.signoffs.queueing import OPEN, prerequisites
from app.services.team.members import program_directors
from workflows.deadlines import local_today
from workflows.facts import Facts


def escalate_overdue(session: Session, now: datetime | None = None) -> int:
    """Mark open tasks past their due date and email each program director once; returns the emails queued (no commit).

    A task waiting on something else first (its document replaced and not verified yet, an earlier
    role's sign-off reopened) is not the approver's delay, so it never escalates.
    """
    now = now or utcnow()
    rows = session.exec(select(SignOffTask, Enrollment, Organisation)
                        .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                        .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                        .join(Organisation, Program.organisation_id == Organisation.id)  # type: ignore[arg-type]
                        .where(SignOffTask.status == OPEN, SignOffTask.due_on.is_not(None),  # type: ignore[union-attr]
                               SignOffTask.escalated_at.is_(None))  # type: ignore[union-attr]
                        .order_by(SignOffTask.id)).all()
    rows = [(task, enrollment) for task, enrollment, organisation in rows
            if task.due_on < local_today(now, organisation.timezone)]  # type: ignore[operator]
    # Facts once per enrolment with an overdue task, all in one batch; directors once per program.
    waiting = list({e.id: e for _, e in rows}.values())
    facts: dict[int, Facts] = {}
    for start in range(0, len(waiting), 500):
        facts.update(build_many(session, waiting[start:start + 500], now))
    late = [(task, enrollment) for task, enrollment in rows
            # Nobody can act on it yet (a document it covers was replaced): not overdue.
            if not any(prerequisites(enrollment, task.key, task.role, facts[enrollment.id]))]  # type: ignore[index]
    # Marked in one statement; only the tasks this sweep marked (not a concurrent one) are emailed.
    marked = set(session.execute(sa.update(SignOffTask).where(
        SignOffTask.id.in_([task.id for task, _ in late]), SignOffTask.status == OPEN,  # type: ignore[union-attr]
        SignOffTask.escalated_at.is_(None))  # type: ignore[union-attr]
        .values(escalated_at=sa.literal(now, UTCDateTime)).returning(SignOffTask.id)
        .execution_options(synchronize_session=False)).scalars().all()) if late else set()
    directors: dict[int, list] = {}  # type: ignore[type-arg]
    messages = []
    for task, enrollment in late:
        if task.id not in marked:
            continue
        if enrollment.program_id not in directors:
            directors[enrollment.program_id] = program_directors(session, enrollment)
        messages += [("email.task_overdue", f"task-overdue-{task.id}-{director.id}",
                      {"task_id": task.id, "director_id": director.id}) for director in directors[enrollment.program_id]]
    return sum(outbox.add_many(session, messages).values())
