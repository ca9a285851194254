"""Queueing sign-off tasks: asking the people who hold a role for the sign-offs a step still lacks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app import outbox, policy
from app.models import AuditEvent, Enrollment, SignOff, SignOffTask, TaskStatus, User, UTCDateTime, utcnow
from app.services import Blocked, Conflict
from app.services.enrollments import pathways
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import Transition, load_for_update
from app.services.team.members import holders
from workflows import engine
from workflows.deadlines import days_left, deadlines
from workflows.facts import Facts, signoff_label
from workflows.registry import definition
from workflows.roles import Role
from workflows.rules import Rule, role_name
from workflows.signoff_order import earlier_roles
from workflows.vocabulary import in_sentence

OPEN = TaskStatus.OPEN.value


def title(task: SignOffTask) -> str:
    """A task as people say it: "Plan established sign-off (site administrator)"."""
    return f"{signoff_label(task.key)} sign-off ({Role(task.role).in_sentence})"


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
                   for d in deadlines(facts, enrollment.pathway_version, enrollment.state)))


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
    values = {"enrollment_id": enrollment.id, "key": key, "role": role, "event": event,
              "what": _what(enrollment, key, role, event, facts),
              "due_on": facts.today + timedelta(days=facts.settings.signoff_due_days),
              "priority": _priority(enrollment, facts), "status": OPEN, "created_at": now, "version_id": 1,
              "replaces_id": replaces.id if replaces else None,
              "claimed_by_id": claimed_by.id if claimed_by else None, "claimed_at": now if claimed_by else None}
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


def prerequisites(enrollment: Enrollment, key: str, role: str, facts: Facts) -> tuple[list[Role], list[Rule]]:
    """What must happen before this sign-off can be given: the earlier roles' sign-offs (in a
    sequential sign-off) and the documents it vouches for, verified."""
    earlier = [r for r in earlier_roles(enrollment.pathway, key, role) if not facts.signed(key, r)]  # type: ignore[arg-type]
    documents = [rule for rule in covered_rules(enrollment, key) if not rule.check(facts)]
    return earlier, documents


def waiting_for(enrollment: Enrollment, key: str, role: str, facts: Facts) -> list[str]:
    """The prerequisites of a sign-off as words ("the site administrator's sign-off", a document's name)."""
    earlier, documents = prerequisites(enrollment, key, role, facts)
    return ([f"the {role_name(r)}'s sign-off" for r in earlier]
            + [f"the {in_sentence(rule.title(facts))} to be verified" for rule in documents])


def queue_missing(session: Session, enrollment: Enrollment, event: str, facts: Facts, actor: User | None, *,
                  now: datetime) -> list[SignOffTask]:
    """Queue a task for each sign-off `event` still lacks that can be given now (the caller commits).

    A sign-off whose documents are not verified yet, or whose earlier role has not signed, is
    held back: a task nobody can act on would only go overdue. `queue_ready` queues it later.
    """
    queued = []
    for rule in definition(enrollment.pathway, enrollment.pathway_version).events[event].rules:
        if rule.signoff is None or rule.check(facts):
            continue
        key, role = rule.signoff
        if any(prerequisites(enrollment, key.value, role.value, facts)):
            continue
        queued.append(queue(session, enrollment, key.value, role.value, event, facts, actor, now=now,
                            replaces=_withdrawn(session, enrollment.id, key.value, role.value)))  # type: ignore[arg-type]
    return queued


def _withdrawn(session: Session, enrollment_id: int, key: str, role: str) -> SignOffTask | None:
    """The task a new one takes over from: the latest for this sign-off, if it was withdrawn."""
    latest = session.exec(select(SignOffTask).where(SignOffTask.enrollment_id == enrollment_id, SignOffTask.key == key,
                                                    SignOffTask.role == role).order_by(SignOffTask.id.desc())).first()  # type: ignore[union-attr]
    return latest if latest is not None and latest.status == TaskStatus.WITHDRAWN.value else None


def queue_ready(session: Session, enrollment: Enrollment, actor: User | None, *,
                now: datetime | None = None) -> list[SignOffTask]:
    """After a document is verified: queue the held-back sign-offs of steps already asked for (no commit)."""
    now = now or utcnow()
    facts = build_facts(session, enrollment, now)
    queued: list[SignOffTask] = []
    for option in engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts):
        if not option.automatic and any(rule.signoff for rule in option.unmet) and _asked(session, enrollment, option.event):
            queued += queue_missing(session, enrollment, option.event, facts, actor, now=now)
    return queued


def _asked(session: Session, enrollment: Enrollment, event: str) -> bool:
    """Whether someone asked for this step (or a task for it existed) since the enrolment reached its state."""
    since = enrollment.state_changed_at or enrollment.created_at
    task = session.exec(select(SignOffTask.id).where(SignOffTask.enrollment_id == enrollment.id,
                                                     SignOffTask.event == event, SignOffTask.created_at >= since)).first()
    return task is not None or session.exec(select(AuditEvent.id).where(
        AuditEvent.enrollment_id == enrollment.id, AuditEvent.action == "step.asked", AuditEvent.event == event,
        AuditEvent.occurred_at >= since)).first() is not None


def askable(session: Session, enrollment: Enrollment, viewer: User, facts: Facts | None = None) -> list[tuple[str, str, list[str]]]:
    """Steps `viewer` may ask for that wait on sign-offs nobody has been asked for yet and that
    can be given now (their documents verified): (event, step label, the sign-offs as words)."""
    facts = facts or build_facts(session, enrollment)
    roles = policy.roles_on(session, viewer, enrollment)
    found = []
    for option in engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts):
        if option.automatic or not policy.can_request_event(roles, option.by):
            continue
        missing = [rule.signoff for rule in option.unmet if rule.signoff is not None
                   and not any(prerequisites(enrollment, rule.signoff[0].value, rule.signoff[1].value, facts))
                   and open_task(session, enrollment.id, rule.signoff[0].value, rule.signoff[1].value) is None]  # type: ignore[arg-type]
        if missing:
            found.append((option.event, option.label,
                          [f"{k.label} ({r.in_sentence})" for k, r in missing]))  # type: ignore[misc]
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
    if any(prerequisites(enrollment, signoff.key, signoff.role, facts)):  # type: ignore[arg-type]
        return None  # the new version is not verified yet: queued once it is (queue_ready)
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


def ask_for_step(session: Session, enrollment_id: int, event: str, actor: User | None, **kwargs: Any) -> Transition:
    """A person asks for a step: it fires when every rule holds; when it waits on sign-offs, the
    role holders are asked for them (committed) before Blocked is raised."""
    now = kwargs.pop("now", None) or utcnow()
    try:
        return pathways.apply_event(session, enrollment_id, event, actor, now=now, **kwargs)
    except Blocked as blocked:
        if blocked.awaits_signoffs:
            enrollment = session.get(Enrollment, enrollment_id)
            session.add(AuditEvent(actor_id=actor.id if actor else None, enrollment_id=enrollment_id,
                                   action="step.asked", event=event, occurred_at=now))
            queue_missing(session, enrollment, event, blocked.facts, actor, now=now)  # type: ignore[arg-type]
            outbox.commit(session)
        raise
