"""One sign-off task as its page shows it, read in named steps: who acts, what the step still
lacks, the documents to check, the comments and the task's own history.

The route renders what `read` returns; it asks nothing of the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Evidence, Program, SignOff, SignOffTask, TaskComment, User
from app.services import NotPermitted
from app.services.enrollments.facts import build_facts
from app.services.signoffs import approver_words, deciding, queueing
from workflows import engine
from workflows.engine import EventOption
from workflows.facts import Facts
from workflows.roles import Role


@dataclass(frozen=True)
class TaskPage:
    """Everything the task page shows, for one viewer."""

    task: SignOffTask
    enrollment: Enrollment
    program: Program | None
    people: dict[int, User]  # the claimer, the decider, the principal, the candidate
    title: str
    role_label: str
    step: EventOption | None
    also_missing: list[str]  # what else the step lacks besides sign-offs
    versions: list[Evidence]  # every version of the documents this sign-off covers
    decidable: set[int]  # the versions this viewer can verify right here
    can_read_evidence: bool
    can_work: bool
    acting_for: User | None
    checks: list[str]  # why an approval would be refused now
    signoff: SignOff | None
    comments: list[tuple[TaskComment, User]]
    can_undo: bool
    undo_minutes: int
    can_reopen: bool
    history: list[tuple[AuditEvent, User | None]]


def read(session: Session, task: SignOffTask, enrollment: Enrollment, viewer: User, now: datetime) -> TaskPage:
    """The task page for `viewer`."""
    facts = build_facts(session, enrollment, now)
    roles = policy.roles_on(session, viewer, enrollment)
    acting_for, can_work = _acting_for(session, viewer, task, enrollment, now)
    checks = (deciding.approval_problems(session, task, enrollment, viewer, acting_for, facts)
              if can_work and task.status == "open" else [])
    step = _step(enrollment, task, facts)
    versions = _versions(session, enrollment, task)
    minutes = facts.settings.undo_minutes
    return TaskPage(
        task=task, enrollment=enrollment, program=session.get(Program, enrollment.program_id),
        people=_people(session, task, enrollment), title=queueing.title(task), role_label=Role(task.role).label,
        step=step, also_missing=_also_missing(step, facts), versions=versions,
        decidable=_decidable(enrollment, task, versions, viewer, roles),
        can_read_evidence=policy.can_read_evidence(roles), can_work=can_work, acting_for=acting_for,
        checks=checks, signoff=session.get(SignOff, task.signoff_id) if task.signoff_id else None,
        comments=_comments(session, task), can_undo=_can_undo(task, enrollment, viewer, now, minutes),
        undo_minutes=minutes, can_reopen=policy.can_reopen(roles) and task.status in deciding.DECIDED,
        history=_history(session, enrollment, task))


def _acting_for(session: Session, viewer: User, task: SignOffTask, enrollment: Enrollment,
                now: datetime) -> tuple[User | None, bool]:
    """Whom the viewer would decide for (themselves or the person they stand in for), and whether
    they may work on the task at all."""
    try:
        return deciding.principal(session, viewer, task, enrollment, now), True
    except NotPermitted:
        return None, False


def _people(session: Session, task: SignOffTask, enrollment: Enrollment) -> dict[int, User]:
    wanted = {task.claimed_by_id, task.decided_by_id, task.on_behalf_of_id, enrollment.candidate_id} - {None}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(wanted))).all()}  # type: ignore[union-attr,misc]


def _step(enrollment: Enrollment, task: SignOffTask, facts: Facts) -> EventOption | None:
    options = engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts)
    return next((o for o in options if o.event == task.event), None)


def _also_missing(step: EventOption | None, facts: Facts) -> list[str]:
    """What the step lacks besides its sign-offs, as the approver reads it."""
    if step is None:
        return []
    return [_sentence(approver_words.explain(rule, facts)) for rule in step.unmet if rule.signoff is None]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _versions(session: Session, enrollment: Enrollment, task: SignOffTask) -> list[Evidence]:
    """Every version of the documents the sign-off covers, newest first per kind."""
    kinds = [r.evidence_kind.value for r in queueing.covered_rules(enrollment, task.key)]  # type: ignore[union-attr]
    if not kinds:
        return []
    return list(session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment.id,
                                                    Evidence.kind.in_(kinds))  # type: ignore[attr-defined]
                             .order_by(Evidence.kind, Evidence.version.desc())).all())  # type: ignore[attr-defined]


def _decidable(enrollment: Enrollment, task: SignOffTask, versions: list[Evidence], viewer: User,
               roles: frozenset[Role]) -> set[int]:
    """The documents this person can verify right here (the analyst no longer hears it "awaits
    verification")."""
    clears = {r.evidence_kind.value: r.clears for r in queueing.covered_rules(enrollment, task.key)}  # type: ignore[union-attr]
    return {row.id for row in versions if row.superseded_at is None and row.status == "submitted"  # type: ignore[misc]
            and policy.can_decide_own_upload(viewer, row.uploaded_by_id)
            and policy.can_verify_evidence(roles, row.kind, clears.get(row.kind))}


def _comments(session: Session, task: SignOffTask) -> list[tuple[TaskComment, User]]:
    return list(session.exec(select(TaskComment, User).join(User, TaskComment.author_id == User.id)  # type: ignore[arg-type]
                             .where(TaskComment.task_id == task.id).order_by(TaskComment.id)).all())


def _can_undo(task: SignOffTask, enrollment: Enrollment, viewer: User, now: datetime, minutes: int) -> bool:
    """The decider may take their decision back within the window, while the step has not moved on."""
    if task.status not in deciding.DECIDED or task.decided_at is None:
        return False
    moved_on = enrollment.state_changed_at is not None and enrollment.state_changed_at >= task.decided_at
    return policy.can_undo(viewer.id, task.decided_by_id, (now - task.decided_at).total_seconds(),  # type: ignore[arg-type]
                           minutes, moved_on)


def _history(session: Session, enrollment: Enrollment, task: SignOffTask) -> list[tuple[AuditEvent, User | None]]:
    """The task's own audit events (it, or the task it replaced or was replaced by), oldest first."""
    details: Any = AuditEvent.details
    about_task = sa.or_(*(details[key].as_integer() == task.id for key in ("task", "replacement", "old_task")))
    return list(session.exec(select(AuditEvent, User).join(User, AuditEvent.actor_id == User.id, isouter=True)  # type: ignore[arg-type]
                             .where(AuditEvent.enrollment_id == enrollment.id,
                                    AuditEvent.action.like("task.%"), about_task)  # type: ignore[attr-defined]
                             .order_by(AuditEvent.id)).all())
