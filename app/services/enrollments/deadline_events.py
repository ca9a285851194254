"""Time moves the machine: the daily sweep fires the automatic events whose date has come.

Each pathway declares the events a date fires on its own (`PathwayPlugin.time_events`: an
expiry, a missed window), which end an enrolment. Finding the enrolments is set-based: one query per pathway
reads only the columns the date rules need, for enrolments in a state such an event leaves and
whose anchor date is old enough (a superset, per the most lenient program setting); the pure rules
then decide exactly on a small snapshot. Each one found fires in its own transaction, exactly as a
person's step would (row lock, version check, audit, outbox), with actor None for the system; the
candidate and their team are told by email. A second sweep finds the enrolment closed: nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app import outbox
from app.models import AuditEvent, Enrollment, Organisation, Program, User, utcnow
from app.services import Blocked, Conflict
from app.services.enrollments import records
from app.services.enrollments.facts import build_facts, program_settings
from app.services.enrollments.pathways import load_for_update, transition_now
from app.services.team.members import program_directors, team_of
from workflows.deadlines import local_today
from workflows.facts import Facts, Flag, KeyDate
from workflows.pathway import TimeEvent
from workflows.registry import definition, plugin, plugins, versions
from workflows.settings import ProgramSettings

log = logging.getLogger(__name__)

NOTICE_JOB = "email.deadline_passed"


def _time_events() -> list[tuple[str, TimeEvent]]:
    """(pathway, time event) for every installed pathway's automatic, date-fired events."""
    return [(p.name, t) for p in plugins() for t in p.time_events]


def event_names() -> frozenset[str]:
    """The events only the sweep fires (never a person)."""
    return frozenset(t.event for _p, t in _time_events())


# Month arithmetic clamps to the month's end, so the search allows a few days' slack; the rules decide.
_SLACK = timedelta(days=3)


def _date(value: Any) -> date | None:
    """A key date as read from `records.column_of` (its column's date, or the document's ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _prefilter(time_event: TimeEvent, today: date, settings: list[ProgramSettings]) -> sa.ColumnElement[bool]:
    """The SQL superset: an expiry recorded on or before today, or (none recorded) an anchor date
    old enough under the most lenient program of the pathway."""
    latest = max(time_event.latest_anchor(today, s) for s in settings or [ProgramSettings()]) + _SLACK
    counted = records.column_of(time_event.anchor) <= records.as_stored(time_event.anchor, latest)
    if time_event.expiry is None:
        return counted
    expiry = records.column_of(time_event.expiry)
    return sa.or_(expiry <= records.as_stored(time_event.expiry, today), sa.and_(expiry.is_(None), counted))


def _sources(pathway: str, time_event: TimeEvent) -> dict[int, set[str]]:
    """Per pathway version, the states `time_event` leaves."""
    found: dict[int, set[str]] = {}
    for version in versions(pathway):
        machine = definition(pathway, version).machine
        found[version] = {str(s.value) for s in machine.states for t in s.transitions
                          if any(e.id == time_event.event for e in t.events)}
    return found


def _dates() -> list[KeyDate]:
    """The key dates the time events read: the enrolment date and every anchor and expiry."""
    named = {t.anchor for _p, t in _time_events()} | {t.expiry for _p, t in _time_events() if t.expiry}
    return [KeyDate.ENROLLED_ON, *sorted(KeyDate(k) for k in named)]


def due_now(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """(enrolment id, event) for every automatic time event whose rules hold now, by id."""
    now = now or utcnow()
    programs = {p.id: p for p in session.exec(select(Program)).all()}
    zones = {o.id: o.timezone for o in session.exec(select(Organisation)).all()}
    settings = {pid: program_settings(p) for pid, p in programs.items()}
    # The latest local date anywhere (UTC+14) bounds every organisation's today from above.
    horizon = local_today(now, "Pacific/Kiritimati")
    found: list[tuple[int, str]] = []
    dates = _dates()
    columns = (Enrollment.id, Enrollment.pathway_version, Enrollment.state, Enrollment.program_id,
               Enrollment.flags, *(records.column_of(k.value).label(k.value) for k in dates))
    for pathway, time_event in _time_events():
        states = _sources(pathway, time_event)
        rules = {v: definition(pathway, v).events[time_event.event].rules for v in states}
        scope = sa.or_(*(sa.and_(Enrollment.pathway_version == v, Enrollment.state.in_(sorted(s)))  # type: ignore[attr-defined]
                         for v, s in states.items() if s))
        of_pathway = [settings[pid] for pid, p in programs.items() if p.pathway == pathway]
        rows = session.exec(select(*columns).where(  # type: ignore[call-overload]
            Enrollment.pathway == pathway, scope,
            _prefilter(time_event, horizon, of_pathway)).order_by(Enrollment.id)).all()
        for row in rows:
            program = programs.get(row.program_id)
            zone = zones.get(program.organisation_id) if program else None
            facts = Facts(pathway=pathway, today=local_today(now, zone or "America/Los_Angeles"),
                          settings=settings.get(row.program_id) or ProgramSettings(),
                          dates={k: _date(getattr(row, k.value)) for k in dates if getattr(row, k.value) is not None},
                          flags=frozenset(Flag(f) for f in row.flags))
            if all(rule.check(facts) for rule in rules[row.pathway_version]):
                found.append((row.id, time_event.event))
    return sorted(found)


def fire_due_events(session: Session, now: datetime | None = None) -> Counter[str]:
    """Fire every automatic time event due now, one transaction each; returns counts by event."""
    now = now or utcnow()
    fired: Counter[str] = Counter()
    for enrollment_id, event in due_now(session, now):
        try:
            if _fire(session, enrollment_id, event, now):
                fired[event] += 1
        except (Blocked, Conflict, StaleDataError) as error:
            # Moved on meanwhile, a claimed date not yet confirmed, or a concurrent sweep: skip.
            session.rollback()
            log.info("time event %s on enrolment %s not fired: %s", event, enrollment_id, error)
    return fired


def _fire(session: Session, enrollment_id: int, event: str, now: datetime) -> bool:
    """Fire one time event on a locked, freshly read enrolment, tell its people; commits."""
    enrollment = load_for_update(session, enrollment_id)
    facts = build_facts(session, enrollment, now)
    time_event = next(t for t in plugin(enrollment.pathway).time_events if t.event == event)
    if enrollment.state not in _sources(enrollment.pathway, time_event).get(enrollment.pathway_version, set()):
        session.rollback()
        return False
    due = time_event.due(facts)
    label = next(e.name for e in definition(enrollment.pathway, enrollment.pathway_version).machine.events
                 if e.id == event)
    transition = transition_now(
        session, enrollment, event, None, facts, now=now, label=label,
        reason=f"{label}: the date was {due:%B} {due.day}, {due.year}; recorded by the daily sweep." if due else None, details={"deadline_passed": event, "due": due.isoformat() if due else None})
    for user in recipients(session, enrollment):
        outbox.add(session, NOTICE_JOB, f"deadline-passed-{transition.audit_event_id}-{user.id}",
                   audit_event_id=transition.audit_event_id, recipient_id=user.id)
    outbox.commit(session)
    return True


def recipients(session: Session, enrollment: Enrollment) -> list[User]:
    """The candidate, the people on their enrolment's team, and the program's directors (active)."""
    people: dict[int, User] = {}
    candidate = session.get(User, enrollment.candidate_id)
    if candidate is not None and candidate.active:
        people[candidate.id] = candidate  # type: ignore[index]
    for member in team_of(session, enrollment).members:
        if not member.through_program and member.user.active:
            people.setdefault(member.user.id, member.user)  # type: ignore[arg-type]
    for director in program_directors(session, enrollment):
        people.setdefault(director.id, director)  # type: ignore[arg-type]
    return list(people.values())


REOPENED = "enrollment.reopened"


def reopen_if_lifted(session: Session, enrollment: Enrollment, actor: User, reason: str | None,
                     now: datetime | None = None) -> str | None:
    """Reopen an enrolment the daily sweep closed, when what was just recorded lifts the reason it
    closed (the director's exception to the window, a corrected date): back to the state the sweep
    took it from, audited with the actor and reason. Returns the state it is back in, or None (no
    commit; the caller records the fact in the same transaction)."""
    now = now or utcnow()
    closing = session.exec(select(AuditEvent).where(
        AuditEvent.enrollment_id == enrollment.id, AuditEvent.action == "enrollment.transition")
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())).first()  # type: ignore[attr-defined, union-attr]
    event = (closing.details or {}).get("deadline_passed") if closing is not None else None
    if closing is None or event not in event_names() or closing.to_state != enrollment.state or not closing.from_state:
        return None
    session.flush()  # the fact just recorded is in the facts read now
    facts = build_facts(session, enrollment, now)
    rules = definition(enrollment.pathway, enrollment.pathway_version).events[event].rules
    if all(rule.check(facts) for rule in rules):
        return None  # the date still closes it
    label = next(e.name for e in definition(enrollment.pathway, enrollment.pathway_version).machine.events
                 if e.id == event)
    closed, enrollment.state = enrollment.state, closing.from_state
    enrollment.state_changed_at = now
    session.add(enrollment)
    audit = AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action=REOPENED, event=event,
                       from_state=closed, to_state=closing.from_state, occurred_at=now,
                       reason=(reason or "").strip() or f"{label}: what was recorded lifts it.",
                       details={"pathway_version": enrollment.pathway_version, "reopens": closing.id})
    session.add(audit)
    session.flush()
    # The candidate hears their enrolment is open again at that step (the closing news is then stale).
    outbox.add(session, "email.step_advanced", f"reopened-{audit.id}", audit_event_id=audit.id)
    return closing.from_state
