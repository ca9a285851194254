"""Time moves the machine: the daily sweep fires the automatic events whose date has come.

PIP expiry, a missed CASC enrolment window, and preliminary-credential (or preliminary ASC)
expiry end an enrolment on their own. Finding the enrolments is set-based: one query per pathway
reads only the columns the date rules need, for enrolments in a state such an event leaves and
whose anchor date is old enough (a superset, per the most lenient program setting); the pure rules
then decide exactly on a small snapshot. Each one found fires in its own transaction, exactly as a
person's step would (row lock, version check, audit, outbox), with actor None for the system; the
candidate and their team are told by email. A second sweep finds the enrolment closed: nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.models import Enrollment, Organisation, Program, User, utcnow
from app.services import Blocked, Conflict
from app.services.enrollments.facts import build_facts, program_settings
from app.services.enrollments.pathways import load_for_update, transition_now
from app.services.notifications import outbox
from app.services.team.members import program_directors, team_of
from workflows import dates as d
from workflows.deadlines import local_today
from workflows.facts import Facts, Flag, KeyDate, Pathway
from workflows.registry import CURRENT_VERSION, definition
from workflows.settings import ProgramSettings

log = logging.getLogger(__name__)

NOTICE_JOB = "email.deadline_passed"


@dataclass(frozen=True)
class TimeEvent:
    """An automatic event that a date ends the enrolment with."""

    pathway: Pathway
    event: str
    due: Callable[[Facts], date | None]  # the date that closes the enrolment (shown and audited)
    # The SQL superset: enrolments whose anchor is on or before `cutoff(today, lenient settings)`.
    prefilter: Callable[[date, ProgramSettings], sa.ColumnElement[bool]]


def _expired(explicit: Any, issued: Any, today: date, issued_by: date) -> sa.ColumnElement[bool]:
    """An expiry recorded on or before today, or none recorded and issued long enough ago."""
    # Month arithmetic clamps to the month's end, so allow a few days' slack; the rule decides.
    return sa.or_(explicit <= today, sa.and_(explicit.is_(None), issued <= issued_by + timedelta(days=3)))


TIME_EVENTS = (
    TimeEvent(Pathway.PIP, "expire_permit", d.pip_expires_on, lambda today, s: _expired(
        Enrollment.permit_expires_on, Enrollment.permit_issued_on, today, d.add_months(today, -s.pip_validity_months))),
    TimeEvent(Pathway.INDUCTION, "expire_preliminary", d.preliminary_expires_on, lambda today, s: _expired(
        Enrollment.preliminary_expires_on, Enrollment.preliminary_issued_on, today,
        d.add_years(today, -s.preliminary_validity_years))),
    TimeEvent(Pathway.CASC, "miss_enrolment_window", d.enrolment_window_closes_on, lambda today, s: (
        Enrollment.admin_position_started_on < today - timedelta(days=s.casc_enrolment_window_days))),  # type: ignore[operator]
    TimeEvent(Pathway.CASC, "expire_pasc", d.pasc_expires_on, lambda today, s: _expired(
        Enrollment.pasc_expires_on, Enrollment.pasc_issued_on, today, d.add_years(today, -s.pasc_validity_years))),
)
EVENT_NAMES = frozenset(t.event for t in TIME_EVENTS)

_DATES = (KeyDate.ENROLLED_ON, KeyDate.PERMIT_ISSUED_ON, KeyDate.PERMIT_EXPIRES_ON,
          KeyDate.PRELIMINARY_ISSUED_ON, KeyDate.PRELIMINARY_EXPIRES_ON,
          KeyDate.ADMIN_POSITION_STARTED_ON, KeyDate.PASC_ISSUED_ON, KeyDate.PASC_EXPIRES_ON)
_COLUMNS = (Enrollment.id, Enrollment.pathway_version, Enrollment.state, Enrollment.program_id,
            Enrollment.flags, *(getattr(Enrollment, k.value) for k in _DATES))


def _sources(time_event: TimeEvent) -> dict[int, set[str]]:
    """Per pathway version, the states `time_event` leaves (version 1 today; more when added)."""
    found: dict[int, set[str]] = {}
    for version in range(1, CURRENT_VERSION[time_event.pathway] + 1):
        machine = definition(time_event.pathway, version).machine
        found[version] = {str(s.value) for s in machine.states for t in s.transitions
                          if any(e.id == time_event.event for e in t.events)}
    return found


def _lenient(settings: list[ProgramSettings], pathway: Pathway) -> ProgramSettings:
    """Settings that make the prefilter a superset across every program of the pathway."""
    pick = {"pip_validity_months": min, "preliminary_validity_years": min, "pasc_validity_years": min,
            "casc_enrolment_window_days": min}
    values = {name: choose(getattr(s, name) for s in settings) for name, choose in pick.items()} if settings else {}
    return ProgramSettings.from_mapping(values)


def due_now(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """(enrolment id, event) for every automatic time event whose rules hold now, by id."""
    now = now or utcnow()
    programs = {p.id: p for p in session.exec(select(Program)).all()}
    zones = {o.id: o.timezone for o in session.exec(select(Organisation)).all()}
    settings = {pid: program_settings(p) for pid, p in programs.items()}
    # The latest local date anywhere (UTC+14) bounds every organisation's today from above.
    horizon = local_today(now, "Pacific/Kiritimati")
    found: list[tuple[int, str]] = []
    for time_event in TIME_EVENTS:
        rules = {v: definition(time_event.pathway, v).events[time_event.event].rules
                 for v in _sources(time_event)}
        lenient = _lenient([settings[pid] for pid, p in programs.items() if p.pathway == time_event.pathway],
                           time_event.pathway)
        states = _sources(time_event)
        scope = sa.or_(*(sa.and_(Enrollment.pathway_version == v, Enrollment.state.in_(sorted(s)))  # type: ignore[attr-defined]
                         for v, s in states.items() if s))
        rows = session.exec(select(*_COLUMNS).where(  # type: ignore[call-overload]
            Enrollment.pathway == time_event.pathway.value, scope,
            time_event.prefilter(horizon, lenient)).order_by(Enrollment.id)).all()
        for row in rows:
            program = programs.get(row.program_id)
            zone = zones.get(program.organisation_id) if program else None
            facts = Facts(pathway=time_event.pathway, today=local_today(now, zone or "America/Los_Angeles"),
                          settings=settings.get(row.program_id) or ProgramSettings(),
                          dates={k: getattr(row, k.value) for k in _DATES if getattr(row, k.value) is not None},
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
    time_event = next(t for t in TIME_EVENTS if t.event == event and t.pathway == enrollment.pathway)
    if enrollment.state not in _sources(time_event).get(enrollment.pathway_version, set()):
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
