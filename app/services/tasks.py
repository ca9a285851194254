"""Sign-off tasks: queued to the people holding a role, claimed, decided exactly once, undone or reopened.

One decision per task: every decision is a conditional `UPDATE ... WHERE status = 'open'` that
also bumps the task's optimistic-lock version. The database lets exactly one such UPDATE match;
the loser sees no row changed and is told the task was already decided. The enrolment is locked
first (FOR UPDATE on PostgreSQL), so two decisions on one enrolment also serialise, and the
second one sees the first one's sign-off when it checks whether the step is now complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app import policy
from app.models import (AuditEvent, Enrollment, Membership, Organisation, Program, SignOff, SignOffTask,
                        TaskComment, TaskStatus, User, UTCDateTime, utcnow)
from workflows import engine
from workflows.deadlines import days_left, deadlines, local_today
from workflows.facts import Facts
from workflows.registry import definition
from workflows.roles import Role
from workflows.rules import Rule
from workflows.signoff_order import earlier_roles, later_roles

from . import delegations, outbox, signoffs
from . import evidence as evidence_service
from .facts import build_facts
from .pathways import Blocked, Conflict, NotFound, NotPermitted, PathwayError, fire_ready, load_for_update

OPEN = TaskStatus.OPEN.value
DECIDED = (TaskStatus.APPROVED.value, TaskStatus.SENT_BACK.value)
BULK_LIMIT = 200


class AlreadyDecided(Conflict):
    """Someone (perhaps the same person, clicking twice) decided this task first."""


class TooLate(Conflict):
    """The undo window has passed, or the step has moved on."""


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


def title(task: SignOffTask) -> str:
    """A task as people say it: "Plan established sign-off (site administrator)"."""
    return f"{task.key.replace('_', ' ').capitalize()} sign-off ({Role(task.role).label.lower()})"


def events_needing(enrollment: Enrollment, key: str, role: str | None = None) -> list[str]:
    """Events of the enrolment's pathway guarded by sign-off `key` (from `role`), in order."""
    found = []
    for event, spec in definition(enrollment.pathway, enrollment.pathway_version).events.items():
        if any(r.signoff is not None and r.signoff[0].value == key and (role is None or r.signoff[1].value == role)
               for r in spec.rules):
            found.append(event)
    return found


def needed_now(enrollment: Enrollment, key: str, role: str, facts: Facts) -> str | None:
    """The step leaving the current state that waits on this sign-off (None if none does)."""
    options = engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts)
    wanted = set(events_needing(enrollment, key, role))
    return next((o.event for o in options if o.event in wanted and not o.automatic), None)


def covered_rules(enrollment: Enrollment, key: str) -> list[Rule]:
    """The document rules of the steps this sign-off guards: what the approver is vouching for."""
    defn = definition(enrollment.pathway, enrollment.pathway_version)
    rules: dict[str, Rule] = {}
    for event in events_needing(enrollment, key):
        for rule in defn.events[event].rules:
            if rule.evidence_kind is not None:
                rules.setdefault(rule.key, rule)
    return list(rules.values())


def _what(enrollment: Enrollment, key: str, role: str, event: str, facts: Facts) -> str:
    defn = definition(enrollment.pathway, enrollment.pathway_version)
    rule = next((r for r in defn.events[event].rules if r.signoff is not None
                 and (r.signoff[0].value, r.signoff[1].value) == (key, role)), None) if event in defn.events else None
    step = next((e.name for e in defn.machine.events if e.id == event), event.replace("_", " "))
    documents = [r.evidence_kind.label for r in covered_rules(enrollment, key)  # type: ignore[union-attr]
                 if r.is_applicable(facts)]
    text = f"Step: {step}. " + (rule.message if rule else "")
    if documents:
        text += " Check these documents: " + "; ".join(documents) + "."
    return text[:1000]


def _priority(enrollment: Enrollment, facts: Facts) -> int:
    """High when one of the candidate's deadlines is within 30 days or already passed."""
    return int(any(not d.met and days_left(d, facts.today) <= 30
                   for d in deadlines(facts, enrollment.pathway_version)))


def holders(session: Session, enrollment: Enrollment, role: Role) -> list[User]:
    """Active people holding `role` for this candidate (on the enrolment, program or organisation)."""
    program = session.get(Program, enrollment.program_id)
    scopes = [Membership.enrollment_id == enrollment.id, Membership.program_id == enrollment.program_id]
    if program is not None:
        scopes.append((Membership.organisation_id == program.organisation_id) & Membership.program_id.is_(None)  # type: ignore[union-attr]
                      & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    return list(session.exec(select(User).join(Membership, Membership.user_id == User.id).where(  # type: ignore[arg-type]
        Membership.role == role.value, Membership.revoked_at.is_(None), User.active.is_(True),  # type: ignore[union-attr, attr-defined]
        User.id != enrollment.candidate_id, sa.or_(*scopes)).distinct().order_by(User.id)).all())


# --- Queueing --------------------------------------------------------------------------------------


def open_task(session: Session, enrollment_id: int, key: str, role: str) -> SignOffTask | None:
    """The open task for this sign-off and role, if there is one."""
    return session.exec(select(SignOffTask).where(
        SignOffTask.enrollment_id == enrollment_id, SignOffTask.key == key, SignOffTask.role == role,
        SignOffTask.status == OPEN).execution_options(populate_existing=True)).first()


def queue(session: Session, enrollment: Enrollment, key: str, role: str, event: str, facts: Facts, actor: User | None,
          *, now: datetime, replaces: SignOffTask | None = None, claimed_by: User | None = None) -> SignOffTask:
    """Queue an open task for (key, role), or return the one already open (the caller commits).

    Idempotent under races: the insert is `ON CONFLICT DO NOTHING` against the partial unique
    index, so two requests at once queue one task (a savepoint would not do on SQLite, whose
    driver commits a savepoint opened before the first write).
    """
    existing = open_task(session, enrollment.id, key, role)  # type: ignore[arg-type]
    if existing is not None:
        return existing
    values = dict(enrollment_id=enrollment.id, key=key, role=role, event=event,
                  what=_what(enrollment, key, role, event, facts),
                  due_on=facts.today + timedelta(days=facts.settings.signoff_due_days),
                  priority=_priority(enrollment, facts), status=OPEN, created_at=now, version_id=1,
                  replaces_id=replaces.id if replaces else None,
                  claimed_by_id=claimed_by.id if claimed_by else None, claimed_at=now if claimed_by else None)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(SignOffTask).values(**values)
                 .on_conflict_do_nothing(index_elements=["enrollment_id", "key", "role"],
                                         index_where=sa.text("status = 'open'"))
                 .returning(SignOffTask.id))
    new_id = session.execute(statement).scalar()
    task = open_task(session, enrollment.id, key, role)  # type: ignore[arg-type]
    assert task is not None  # inserted now, or by whoever won the race
    if new_id is None:
        return task
    session.add(AuditEvent(actor_id=actor.id if actor else None, enrollment_id=enrollment.id, action="task.queued",
                           occurred_at=now, details={"task": task.id, "signoff": key, "role": role, "event": event,
                                                     "replaces": task.replaces_id}))
    for person in holders(session, enrollment, Role(role)):
        outbox.add(session, "email.task_queued", f"task-queued-{task.id}-{person.id}", task_id=task.id,
                   assignee_id=person.id)
    return task


def queue_missing(session: Session, enrollment: Enrollment, event: str, facts: Facts, actor: User | None, *,
                  now: datetime) -> list[SignOffTask]:
    """Queue a task for each sign-off `event` still lacks whose turn it is (the caller commits)."""
    queued = []
    for rule in definition(enrollment.pathway, enrollment.pathway_version).events[event].rules:
        if rule.signoff is None or rule.check(facts):
            continue
        key, role = rule.signoff
        if any(not facts.signed(key, earlier) for earlier in earlier_roles(enrollment.pathway, key, role)):
            continue  # a sequential sign-off: the later role's task waits for the earlier one
        queued.append(queue(session, enrollment, key.value, role.value, event, facts, actor, now=now))
    return queued


def askable(session: Session, enrollment: Enrollment, viewer: User, facts: Facts | None = None) -> list[tuple[str, str, list[str]]]:
    """Steps `viewer` may ask for that wait on sign-offs nobody has been asked for yet:
    (event, step label, the sign-offs as words)."""
    facts = facts or build_facts(session, enrollment)
    roles = policy.roles_on(session, viewer, enrollment)
    found = []
    for option in engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts):
        if option.automatic or not policy.can_request_event(roles, option.by):
            continue
        missing = [rule.signoff for rule in option.unmet if rule.signoff is not None
                   and all(facts.signed(rule.signoff[0], r) for r in earlier_roles(enrollment.pathway, *rule.signoff))
                   and open_task(session, enrollment.id, rule.signoff[0].value, rule.signoff[1].value) is None]  # type: ignore[arg-type]
        if missing:
            found.append((option.event, option.label,
                          [f"{k.value.replace('_', ' ')} ({r.label.lower()})" for k, r in missing]))  # type: ignore[misc]
    return found


def ask_for_signoffs(session: Session, enrollment_id: int, event: str, actor: User, *,
                     now: datetime | None = None) -> list[SignOffTask]:
    """Ask the role holders for the sign-offs a step still lacks, without trying the step (commits)."""
    now = now or utcnow()
    enrollment = load_for_update(session, enrollment_id)
    facts = build_facts(session, enrollment, now)
    if event not in {e for e, _, _ in askable(session, enrollment, actor, facts)}:
        raise Conflict("There is no sign-off to ask for on that step now. Reload the page to see where it stands.")
    queued = queue_missing(session, enrollment, event, facts, actor, now=now)
    outbox.commit(session)
    return queued


def requeue_after_withdrawal(session: Session, signoff: SignOff, actor: User, *, now: datetime | None = None) -> SignOffTask | None:
    """A sign-off was withdrawn (its evidence changed): retire its task and queue a fresh one."""
    now = now or utcnow()
    old = session.exec(select(SignOffTask).where(SignOffTask.signoff_id == signoff.id)).first()
    if old is not None and old.status == TaskStatus.APPROVED.value:
        old.status = TaskStatus.WITHDRAWN.value
        session.add(old)
    enrollment = session.get(Enrollment, signoff.enrollment_id)
    session.flush()
    facts = build_facts(session, enrollment, now)  # type: ignore[arg-type]
    event = needed_now(enrollment, signoff.key, signoff.role, facts)  # type: ignore[arg-type]
    if event is None:
        return None  # the step it guarded is behind the candidate: nothing waits on it now
    task = queue(session, enrollment, signoff.key, signoff.role, event, facts, actor, now=now, replaces=old)  # type: ignore[arg-type]
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=signoff.enrollment_id, action="task.requeued", occurred_at=now,
                           reason=signoff.withdrawn_reason,
                           details={"signoff": signoff.key, "role": signoff.role, "withdrawn_signoff": signoff.id,
                                    "old_task": old.id if old else None, "task": task.id}))
    return task


def close_open_task(session: Session, signoff: SignOff) -> None:
    """A sign-off given outside the inbox settles the open task asking for it."""
    session.execute(sa.update(SignOffTask).where(
        SignOffTask.enrollment_id == signoff.enrollment_id, SignOffTask.key == signoff.key,
        SignOffTask.role == signoff.role, SignOffTask.status == OPEN).values(
        status=TaskStatus.APPROVED.value, decided_by_id=signoff.signer_id, on_behalf_of_id=signoff.on_behalf_of_id,
        decided_at=sa.literal(signoff.signed_at, UTCDateTime), signoff_id=signoff.id,
        version_id=SignOffTask.version_id + 1).execution_options(synchronize_session=False))


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
    raise NotPermitted(f"You do not hold the {role.label.lower()} role for this candidate.")


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
    current = evidence_service.current(session, enrollment.id)  # type: ignore[arg-type]
    uploaders = {current[r.evidence_kind.value].uploaded_by_id for r in rules  # type: ignore[union-attr]
                 if r.evidence_kind.value in current}  # type: ignore[union-attr]
    if policy.signs_own_evidence({signer.id, (on_behalf_of or signer).id}, uploaders):  # type: ignore[arg-type]
        problems.append("This sign-off covers a document you uploaded; nobody signs off their own evidence. "
                        f"Another {Role(task.role).label.lower()} must sign it.")
    for earlier in earlier_roles(enrollment.pathway, task.key, task.role):
        if not facts.signed(task.key, earlier):  # type: ignore[arg-type]
            problems.append(f"The {earlier.label.lower()} signs this off first.")
    for rule in rules:
        if not rule.check(facts):
            problems.append(f"{rule.title(facts)} is not verified yet: {rule.explain(facts)}")
    if needed_now(enrollment, task.key, task.role, facts) is None:
        problems.append("The enrolment has moved on: no step from where it stands needs this sign-off.")
    return problems


# --- Commands: each one transaction --------------------------------------------------------------------


def _locked(session: Session, task_id: int) -> tuple[SignOffTask, Enrollment]:
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


def _commit(session: Session, task_id: int) -> None:
    try:
        outbox.commit(session)
    except StaleDataError:
        session.rollback()
        raise _already(session, session.get(SignOffTask, task_id, populate_existing=True)) from None  # type: ignore[arg-type]


def approve(session: Session, task_id: int, user: User, *, comment: str | None = None,
            now: datetime | None = None) -> Decision:
    """Give the sign-off the task asks for; if it was the last one the step needs, the step fires."""
    now = now or utcnow()
    task, enrollment = _locked(session, task_id)
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
    facts = build_facts(session, enrollment, now)
    for later in later_roles(enrollment.pathway, task.key, task.role):
        queue(session, enrollment, task.key, later.value, task.event or events_needing(enrollment, task.key)[0],
              facts, user, now=now)
    transition = fire_ready(session, enrollment, user, now=now,
                            events=[task.event] + events_needing(enrollment, task.key) if task.event
                            else events_needing(enrollment, task.key),
                            reason="The last sign-off it needed was given.",
                            details={"completed_by": "sign-off", "task": task.id})
    outbox.add(session, "email.task_decided", f"task-decided-{task.id}-{task.version_id}", task_id=task.id)
    _commit(session, task.id)  # type: ignore[arg-type]
    return Decision(task, signoff, transition.to_state if transition else None)


def send_back(session: Session, task_id: int, user: User, reason: str, *, now: datetime | None = None) -> Decision:
    """Refuse the sign-off for now, with a reason the candidate sees and can act on."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise PathwayError("Say why you are sending it back, so the candidate knows what to fix.")
    if len(reason) > 2000:
        raise PathwayError("Keep the reason under 2,000 characters.")
    task, enrollment = _locked(session, task_id)
    _require_open(session, task, user)
    on_behalf_of = principal(session, user, task, enrollment, now)
    _decide(session, task, TaskStatus.SENT_BACK, user, on_behalf_of, now, reason)
    session.add(AuditEvent(actor_id=user.id, on_behalf_of_id=task.on_behalf_of_id, enrollment_id=enrollment.id,
                           action="task.sent_back", reason=reason, occurred_at=now,
                           details={"task": task.id, "signoff": task.key, "role": task.role}))
    outbox.add(session, "email.task_sent_back", f"task-sent-back-{task.id}-{task.version_id}", task_id=task.id)
    _commit(session, task.id)  # type: ignore[arg-type]
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


def undo(session: Session, task_id: int, user: User, *, now: datetime | None = None) -> SignOffTask:
    """The approver takes back their own decision, within the undo window, if the step has not moved on."""
    now = now or utcnow()
    task, enrollment = _locked(session, task_id)
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
    _commit(session, task.id)  # type: ignore[arg-type]
    return replacement  # type: ignore[return-value]


def reopen(session: Session, task_id: int, director: User, reason: str, *, now: datetime | None = None) -> SignOffTask | None:
    """A program director reopens a decision after the undo window, saying why."""
    now = now or utcnow()
    reason = (reason or "").strip()
    task, enrollment = _locked(session, task_id)
    if not policy.can_reopen(policy.roles_on(session, director, enrollment)):
        raise NotPermitted("Only the program director can reopen a decision.")
    if not reason:
        raise PathwayError("Say why the decision is reopened; it goes on the record.")
    if task.status not in DECIDED:
        raise Conflict("There is no decision on this task to reopen.")
    replacement = _reopen(session, task, enrollment, director, now, reason[:2000], "task.reopened")
    _commit(session, task.id)  # type: ignore[arg-type]
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


def escalate_overdue(session: Session, now: datetime | None = None) -> int:
    """Mark open tasks past their due date and email each program director once; returns the emails queued (no commit)."""
    from .notifications import program_directors

    now = now or utcnow()
    count = 0
    rows = session.exec(select(SignOffTask, Enrollment, Organisation)
                        .join(Enrollment, SignOffTask.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                        .join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                        .join(Organisation, Program.organisation_id == Organisation.id)  # type: ignore[arg-type]
                        .where(SignOffTask.status == OPEN, SignOffTask.due_on.is_not(None),  # type: ignore[union-attr]
                               SignOffTask.escalated_at.is_(None))  # type: ignore[union-attr]
                        .order_by(SignOffTask.id)).all()
    for task, enrollment, organisation in rows:
        if task.due_on >= local_today(now, organisation.timezone):  # type: ignore[operator]
            continue
        marked = session.execute(sa.update(SignOffTask).where(
            SignOffTask.id == task.id, SignOffTask.status == OPEN, SignOffTask.escalated_at.is_(None))  # type: ignore[union-attr]
            .values(escalated_at=sa.literal(now, UTCDateTime)).execution_options(synchronize_session=False))
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            continue
        for director in program_directors(session, enrollment):
            outbox.add(session, "email.task_overdue", f"task-overdue-{task.id}-{director.id}", task_id=task.id,
                       director_id=director.id)
            count += 1
    return count


# --- What the candidate sees ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateView:
    """Pending sign-offs and the latest sent-back reasons, for the enrolment page."""

    pending: list[SignOffTask]
    sent_back: list[tuple[SignOffTask, str]]  # with the decider's name
    comments: dict[int, list[tuple[TaskComment, str]]]  # task id -> (comment, author name)

    def __bool__(self) -> bool:
        return bool(self.pending or self.sent_back)


def for_enrollment(session: Session, enrollment_id: int) -> CandidateView:
    """The sign-offs the candidate waits on, and what was sent back (unless asked for again since)."""
    tasks = session.exec(select(SignOffTask).where(SignOffTask.enrollment_id == enrollment_id)
                         .order_by(SignOffTask.id.desc())).all()  # type: ignore[union-attr]
    latest: dict[tuple[str, str], SignOffTask] = {}
    for task in tasks:
        latest.setdefault((task.key, task.role), task)
    pending = [t for t in latest.values() if t.status == OPEN]
    returned = [t for t in latest.values() if t.status == TaskStatus.SENT_BACK.value]
    ids = [t.id for t in pending + returned]
    names = {u.id: u.name for u in session.exec(select(User).where(
        User.id.in_({t.decided_by_id for t in returned} | {0}))).all()}  # type: ignore[union-attr]
    comments: dict[int, list[tuple[TaskComment, str]]] = {}
    for row, author in session.exec(select(TaskComment, User).join(User, TaskComment.author_id == User.id)  # type: ignore[arg-type]
                                    .where(TaskComment.task_id.in_(ids or [0]))  # type: ignore[attr-defined]
                                    .order_by(TaskComment.id)).all():
        comments.setdefault(row.task_id, []).append((row, author.name))
    return CandidateView(sorted(pending, key=lambda t: t.id),  # type: ignore[arg-type, return-value]
                         [(t, names.get(t.decided_by_id, "")) for t in returned], comments)  # type: ignore[arg-type]
