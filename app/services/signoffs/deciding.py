"""Sign-off tasks: queued to the people holding a role, claimed, decided exactly once, undone or reopened.

One decision per task: every decision is a conditional `UPDATE ... WHERE status = 'open'` that
also bumps the task's optimistic-lock version. The database lets exactly one such UPDATE match;
the loser sees no row changed and is told the task was already decided. The enrolment is locked
first (FOR UPDATE on PostgreSQL), so two decisions on one enrolment also serialise, and the
second one sees the first one's sign-off when it checks whether the step is now complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app import outbox, policy
from app.models import (
    AuditEvent,
    Enrollment,
    Organisation,
    Program,
    SignOff,
    SignOffTask,
    TaskComment,
    TaskStatus,
    User,
    UTCDateTime,
    utcnow,
)
from app.services import Blocked, Conflict, NotFound, NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import fire_ready, load_for_update
from app.services.signoffs import approver_words, delegations
from app.services.signoffs import giving as signoffs
from app.services.signoffs.queueing import OPEN, covered_rules, events_needing, needed_now, prerequisites, queue, title
from workflows.deadlines import local_today
from workflows.facts import Facts
from workflows.roles import Role
from workflows.signoff_order import later_roles

DECIDED = (TaskStatus.APPROVED.value, TaskStatus.SENT_BACK.value)
BULK_LIMIT = 200


class AlreadyDecided(Conflict):
    """Someone (perhaps the same person, clicking twice) decided this task first."""




@dataclass(frozen=True)
class Decision:
    """What a decision did: the task, the sign-off given, and the step it completed (if any)."""

    task: SignOffTask
    signoff: SignOff | None = None
    transition_to: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A task bulk approval left alone, and why."""

    task_id: int
    title: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class BulkResult:
    """Approved tasks and skipped ones with their reasons."""

    approved: list[Decision]
    skipped: list[Skipped]


# --- Reading the pathway definition ----------------------------------------------------------------
















# --- Queueing --------------------------------------------------------------------------------------
















# --- Who may work a task ---------------------------------------------------------------------------


def _today(session: Session, enrollment: Enrollment, now: datetime) -> date:
    program = session.get(Program, enrollment.program_id)
    organisation = session.get(Organisation, program.organisation_id) if program else None
    return local_today(now, organisation.timezone if organisation else "America/Los_Angeles")


def principal(session: Session, user: User, task: SignOffTask, enrollment: Enrollment,
              now: datetime | None = None) -> User | None:
    """Whom `user` acts for on this task: None for themselves, else the approver who delegated to them.

    Raises NotPermitted when they may not work it at all.
    """
    role = Role(task.role)
    if policy.can_work_task(user, enrollment, role, policy.roles_on(session, user, enrollment)):
        return None
    if policy.can_substitute(user, enrollment):
        for delegator in delegations.principals_for(session, user, _today(session, enrollment, now or utcnow())):
            if policy.can_work_task(delegator, enrollment, role, policy.roles_on(session, delegator, enrollment)):
                return delegator
    raise NotPermitted(f"You do not hold the {role.in_sentence} role for this candidate.")


def can_see(session: Session, user: User, task: SignOffTask, enrollment: Enrollment) -> bool:
    """Whether the task's page may be shown: it can be worked, was decided by them, or a director oversees it."""
    if user.id in (task.decided_by_id, task.claimed_by_id):
        return True
    if policy.can_reopen(policy.roles_on(session, user, enrollment)):
        return True
    try:
        principal(session, user, task, enrollment)
    except NotPermitted:
        return False
    return True


def approval_problems(session: Session, task: SignOffTask, enrollment: Enrollment, signer: User,
                      on_behalf_of: User | None, facts: Facts) -> list[str]:
    """Why this sign-off cannot be given now (empty when it can): the checks bulk approval runs too."""
    problems = []
    rules = covered_rules(enrollment, task.key)
    current = case_file.of(session, enrollment).current_documents
    uploaders = {current[r.evidence_kind.value].uploaded_by_id for r in rules  # type: ignore[union-attr]
                 if r.evidence_kind.value in current}  # type: ignore[union-attr]
    if policy.signs_own_evidence({signer.id, (on_behalf_of or signer).id}, uploaders):  # type: ignore[arg-type]
        problems.append("This sign-off covers a document you uploaded; nobody signs off their own evidence. "
                        f"Another {Role(task.role).in_sentence} must sign it.")
    earlier, documents = prerequisites(enrollment, task.key, task.role, facts)
    problems += [f"The {role.in_sentence} signs this off first." for role in earlier]
    problems += [f"{rule.title(facts)} is not verified yet: {approver_words.explain(rule, facts)}" for rule in documents]
    if needed_now(enrollment, task.key, task.role, facts) is None:
        problems.append("The enrolment has moved on: no step from where it stands needs this sign-off.")
    return problems


# --- Commands: each one transaction --------------------------------------------------------------------


def locked(session: Session, task_id: int) -> tuple[SignOffTask, Enrollment]:
    """The task and its enrolment, the enrolment locked first (one lock order for every command)."""
    task = session.get(SignOffTask, task_id)
    if task is None:
        raise NotFound("There is no such task.")
    enrollment = load_for_update(session, task.enrollment_id)
    task = session.exec(select(SignOffTask).where(SignOffTask.id == task_id)
                        .execution_options(populate_existing=True)).one()
    return task, enrollment


def _already(session: Session, task: SignOffTask) -> AlreadyDecided:
    decider = session.get(User, task.decided_by_id) if task.decided_by_id else None
    how = {"approved": "approved", "sent_back": "sent back", "withdrawn": "withdrawn"}.get(task.status, task.status)
    by = f" by {decider.name}" if decider else ""
    return AlreadyDecided(f"Already decided: this task was {how}{by}. Nothing was changed.")


def _require_open(session: Session, task: SignOffTask, user: User) -> None:
    if task.status != OPEN:
        raise _already(session, task)
    if task.claimed_by_id not in (None, user.id):
        claimer = session.get(User, task.claimed_by_id)
        raise Conflict(f"{claimer.name if claimer else 'Someone else'} has claimed this task.")


def _decide(session: Session, task: SignOffTask, status: TaskStatus, user: User, on_behalf_of: User | None,
            now: datetime, reason: str | None = None) -> None:
    """Record the decision if, and only if, the task is still open (exactly one wins)."""
    result = session.execute(sa.update(SignOffTask).where(SignOffTask.id == task.id, SignOffTask.status == OPEN).values(
        status=status.value, decided_by_id=user.id, on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
        decided_at=sa.literal(now, UTCDateTime), reason=reason,
        claimed_by_id=sa.func.coalesce(SignOffTask.claimed_by_id, user.id),
        claimed_at=sa.func.coalesce(SignOffTask.claimed_at, sa.literal(now, UTCDateTime)),
        version_id=SignOffTask.version_id + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise _already(session, session.get(SignOffTask, task.id, populate_existing=True))  # type: ignore[arg-type]
    session.refresh(task)


def commit_decision(session: Session, task_id: int) -> None:
    try:
        outbox.commit(session)
    except StaleDataError:
        session.rollback()
        raise _already(session, session.get(SignOffTask, task_id, populate_existing=True)) from None  # type: ignore[arg-type]


def approve(session: Session, task_id: int, user: User, *, comment: str | None = None,
            now: datetime | None = None) -> Decision:
    """Give the sign-off the task asks for; if it was the last one the step needs, the step fires."""
    now = now or utcnow()
    task, enrollment = locked(session, task_id)
    _require_open(session, task, user)
    on_behalf_of = principal(session, user, task, enrollment, now)
    facts = build_facts(session, enrollment, now)
    problems = approval_problems(session, task, enrollment, user, on_behalf_of, facts)
    if problems:
        raise Blocked("This sign-off cannot be given yet.", problems)
    _decide(session, task, TaskStatus.APPROVED, user, on_behalf_of, now)
    try:
        signoff = signoffs.give(session, enrollment, task.key, task.role, user, comment,
                                on_behalf_of=on_behalf_of, via_task=True)
    except signoffs.AlreadySigned:
        session.rollback()
        raise Conflict("This sign-off was given meanwhile outside the inbox; nothing was changed.") from None
    task.signoff_id = signoff.id
    session.add(task)
    session.add(AuditEvent(actor_id=user.id, on_behalf_of_id=task.on_behalf_of_id, enrollment_id=enrollment.id,
                           action="task.approved", occurred_at=now,
                           details={"task": task.id, "signoff": task.key, "role": task.role,
                                    "evidence": signoff.evidence_hashes}))
    session.flush()
    facts = build_facts(session, enrollment, now)  # with the sign-off just given (queueing more changes no fact)
    for later in later_roles(enrollment.pathway, task.key, task.role):
        queue(session, enrollment, task.key, later.value, task.event or events_needing(enrollment, task.key)[0],
              facts, user, now=now)
    transition = fire_ready(session, enrollment, user, now=now,
                            events=[task.event] + events_needing(enrollment, task.key) if task.event
                            else events_needing(enrollment, task.key),
                            reason="The last sign-off it needed was given.",
                            details={"completed_by": "sign-off", "task": task.id}, facts=facts)
    outbox.add(session, "email.task_decided", f"task-decided-{task.id}-{task.version_id}", task_id=task.id)
    commit_decision(session, task.id)  # type: ignore[arg-type]
    return Decision(task, signoff, transition.to_state if transition else None)


def send_back(session: Session, task_id: int, user: User, reason: str, *, now: datetime | None = None) -> Decision:
    """Refuse the sign-off for now, with a reason the candidate sees and can act on."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise PathwayError("Say why you are sending it back, so the candidate knows what to fix.")
    if len(reason) > 2000:
        raise PathwayError("Keep the reason under 2,000 characters.")
    task, enrollment = locked(session, task_id)
    _require_open(session, task, user)
    on_behalf_of = principal(session, user, task, enrollment, now)
    _decide(session, task, TaskStatus.SENT_BACK, user, on_behalf_of, now, reason)
    session.add(AuditEvent(actor_id=user.id, on_behalf_of_id=task.on_behalf_of_id, enrollment_id=enrollment.id,
                           action="task.sent_back", reason=reason, occurred_at=now,
                           details={"task": task.id, "signoff": task.key, "role": task.role}))
    outbox.add(session, "email.task_sent_back", f"task-sent-back-{task.id}-{task.version_id}", task_id=task.id)
    commit_decision(session, task.id)  # type: ignore[arg-type]
    return Decision(task)


def claim(session: Session, task_id: int, user: User, *, now: datetime | None = None) -> SignOffTask:
    """Take a task, so the others holding the role see someone is on it."""
    now = now or utcnow()
    task = session.get(SignOffTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("There is no such task.")
    principal(session, user, task, session.get(Enrollment, task.enrollment_id), now)  # type: ignore[arg-type]
    result = session.execute(sa.update(SignOffTask).where(
        SignOffTask.id == task_id, SignOffTask.status == OPEN, SignOffTask.claimed_by_id.is_(None)).values(  # type: ignore[union-attr]
        claimed_by_id=user.id, claimed_at=sa.literal(now, UTCDateTime), version_id=SignOffTask.version_id + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    task = session.get(SignOffTask, task_id, populate_existing=True)  # type: ignore[assignment]
    if result.rowcount != 1 and task.claimed_by_id != user.id:  # type: ignore[attr-defined, union-attr]
        _require_open(session, task, user)  # type: ignore[arg-type]
    return task  # type: ignore[return-value]


def unclaim(session: Session, task_id: int, user: User) -> SignOffTask:
    """Hand a claimed task back to everyone holding the role."""
    result = session.execute(sa.update(SignOffTask).where(
        SignOffTask.id == task_id, SignOffTask.status == OPEN, SignOffTask.claimed_by_id == user.id).values(
        claimed_by_id=None, claimed_at=None, version_id=SignOffTask.version_id + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    task = session.get(SignOffTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound("There is no such task.")
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if task.status != OPEN:
            raise _already(session, task)
        raise Conflict("You have not claimed this task.")
    return task


def comment(session: Session, task_id: int, user: User, body: str) -> TaskComment:
    """Add a comment the candidate and everyone working the task can read."""
    body = (body or "").strip()
    if not body:
        raise PathwayError("Write a comment first.")
    if len(body) > 4000:
        raise PathwayError("Keep a comment under 4,000 characters.")
    task = session.get(SignOffTask, task_id)
    enrollment = session.get(Enrollment, task.enrollment_id) if task else None
    if task is None or enrollment is None or not can_see(session, user, task, enrollment):
        raise NotFound("There is no such task.")
    row = TaskComment(task_id=task.id, author_id=user.id, body=body)  # type: ignore[arg-type]
    session.add(row)
    session.commit()
    return row








def bulk_approve(session: Session, task_ids: list[int], user: User, *, now: datetime | None = None) -> BulkResult:
    """Approve each task whose checks pass, one transaction each; list the others with the reason."""
    approved, skipped = [], []
    for task_id in list(dict.fromkeys(task_ids))[:BULK_LIMIT]:
        try:
            approved.append(approve(session, task_id, user, now=now))
        except PathwayError as error:
            session.rollback()
            task = session.get(SignOffTask, task_id)
            name = title(task) if task is not None else f"Task {task_id}"
            if isinstance(error, NotFound | NotPermitted):
                name, reasons = f"Task {task_id}", ("You cannot work this task.",)
            else:
                reasons = tuple(error.reasons) or (error.message,)
            skipped.append(Skipped(task_id, name, reasons))
    return BulkResult(approved, skipped)




# --- What the candidate sees ----------------------------------------------------------------------------




