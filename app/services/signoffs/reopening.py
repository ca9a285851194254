"""Taking a decision back: the approver's undo within the window, the director's reopening with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app import policy
from app.models import AuditEvent, Enrollment, SignOff, SignOffTask, TaskStatus, User, utcnow
from app.services import Conflict, NotPermitted, PathwayError
from app.services.enrollments.facts import build_facts
from app.services.signoffs.deciding import DECIDED, commit_decision, locked
from app.services.signoffs.queueing import needed_now, open_task, queue
from workflows.signoff_order import later_roles


class TooLate(Conflict):
    """The undo window has passed, or the step has moved on."""


def undo(session: Session, task_id: int, user: User, *, now: datetime | None = None) -> SignOffTask:
    """The approver takes back their own decision, within the undo window, if the step has not moved on."""
    now = now or utcnow()
    task, enrollment = locked(session, task_id)
    if task.status not in DECIDED:
        raise Conflict("There is no decision on this task to undo.")
    if task.decided_by_id != user.id:
        raise NotPermitted("Only the person who decided can undo it.")
    minutes = build_facts(session, enrollment, now).settings.undo_minutes
    moved_on = enrollment.state_changed_at is not None and enrollment.state_changed_at >= task.decided_at  # type: ignore[operator]
    if not policy.can_undo(user.id, task.decided_by_id, (now - task.decided_at).total_seconds(), minutes, moved_on):  # type: ignore[arg-type, operator]
        if moved_on:
            raise TooLate("The step has moved on since this decision; a program director can reopen it, with a reason.")
        raise TooLate(f"Decisions can be undone for {minutes} minutes; a program director can reopen it, with a reason.")
    replacement = _reopen(session, task, enrollment, user, now, "Undone by the approver.", "task.undone", claim_for=user)
    commit_decision(session, task.id)  # type: ignore[arg-type]
    return replacement  # type: ignore[return-value]


def reopen(session: Session, task_id: int, director: User, reason: str, *, now: datetime | None = None) -> SignOffTask | None:
    """A program director reopens a decision after the undo window, saying why."""
    now = now or utcnow()
    reason = (reason or "").strip()
    task, enrollment = locked(session, task_id)
    if not policy.can_reopen(policy.roles_on(session, director, enrollment)):
        raise NotPermitted("Only the program director can reopen a decision.")
    if not reason:
        raise PathwayError("Say why the decision is reopened; it goes on the record.")
    if task.status not in DECIDED:
        raise Conflict("There is no decision on this task to reopen.")
    replacement = _reopen(session, task, enrollment, director, now, reason[:2000], "task.reopened")
    commit_decision(session, task.id)  # type: ignore[arg-type]
    return replacement


def _reopen(session: Session, task: SignOffTask, enrollment: Enrollment, actor: User, now: datetime, reason: str,
            action: str, claim_for: User | None = None) -> SignOffTask | None:
    """Withdraw the decision (never delete it) and queue a replacement task if the step still needs it."""
    signoff = session.get(SignOff, task.signoff_id) if task.signoff_id else None
    if signoff is not None and signoff.withdrawn_at is None:
        signoff.withdrawn_at, signoff.withdrawn_reason = now, reason
        session.add(signoff)
        session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="signoff.withdrawn",
                               reason=reason, occurred_at=now,
                               details={"signoff": signoff.key, "role": signoff.role, "task": task.id}))
        # A later role in a sequence waited on this approval: its open task goes too.
        for later in later_roles(enrollment.pathway, task.key, task.role):
            waiting = open_task(session, enrollment.id, task.key, later.value)  # type: ignore[arg-type]
            if waiting is not None:
                waiting.status = TaskStatus.WITHDRAWN.value
                session.add(waiting)
    task.status = TaskStatus.WITHDRAWN.value
    session.add(task)
    session.flush()
    facts = build_facts(session, enrollment, now)
    event = needed_now(enrollment, task.key, task.role, facts)
    replacement = None if event is None else queue(session, enrollment, task.key, task.role, event, facts, actor,
                                                   now=now, replaces=task, claimed_by=claim_for)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action=action, reason=reason,
                           occurred_at=now, details={"task": task.id, "signoff": task.key, "role": task.role,
                                                     "replacement": replacement.id if replacement else None}))
    return replacement
