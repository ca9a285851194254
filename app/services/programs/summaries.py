"""Keep every enrolment's summary (app/models/summaries.py) equal to what its facts say.

One choke point: every change to an enrolment is a flush of an ORM row that names it (the
enrolment itself, a log entry, a document, a sign-off or its task, a support-team membership, a
recorded fact, a self-assessment, a recommendation; a program's thresholds name all its
enrolments). `after_flush` notes which enrolments those rows name, and `before_commit` rewrites
their summaries in the same transaction, from the facts as committed. So no service has to
remember to update the summary, and a commit that changes an enrolment cannot leave it stale: a
new way to change an enrolment needs no code here unless it writes a table not listed in WATCHED
(tests/app/test_summaries.py changes enrolments through each kind of service and compares).

What this does not see: bulk SQL not audited on its enrolment (the bench's loader) and an
organisation's time zone changing; `rebuild` (`flask summaries rebuild`) recomputes everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from app import reads
from app.models import (
    AuditEvent,
    Enrollment,
    EnrollmentRisk,
    EnrollmentSummary,
    EnrollmentTurn,
    Evidence,
    FactRecord,
    LogEntry,
    Membership,
    Program,
    Recommendation,
    SelfAssessment,
    SignOff,
    SignOffTask,
    TaskStatus,
    User,
    utcnow,
)
from app.services.enrollments import case_file
from app.services.enrollments.facts import snapshot
from app.services.programs import accreditation, pacing, tallies
from app.services.programs.cohort import WINDOWS, states_by_value
from app.services.programs.recommendations import states_of
from app.services.progress import turns
from workflows.dates import add_years
from workflows.deadlines import deadlines
from workflows.facts import Facts, KeyDate, signoff_label
from workflows.registry import plugins
from workflows.roles import Role
from workflows.school_calendar import EVERY_WEEK, SchoolCalendar

# Rows whose change changes their enrolment's summary (each has an `enrollment_id`). A sign-off
# decision changes its task's status by a bulk UPDATE, past the ORM, but is always audited on its
# enrolment: the audit event names it.
WATCHED = (LogEntry, Evidence, SignOff, SignOffTask, Membership, FactRecord, SelfAssessment, Recommendation,
           AuditEvent)
STALE, STALE_PROGRAMS, STALE_PEOPLE = "summaries.stale", "summaries.stale_programs", "summaries.stale_people"
STALE_STAFF = "summaries.stale_staff"
BATCH = 500
# The weekly log each pathway keeps (mentoring, coaching), if any.
WEEKLY_KIND = {p.name: p.weekly_log for p in plugins() if p.weekly_log}


def refresh(session: Session, enrollment_ids: Iterable[int], now: datetime | None = None, *,
            announce: bool = True) -> None:
    """Rewrite these enrolments' summaries, risk windows and turns (no commit); each holder of a new
    turn is told of it unless `announce` is off (a rebuild tells nobody of what was already there)."""
    ids = sorted({i for i in enrollment_ids if i is not None})
    # What this transaction remembers may predate another's commit (or, on PostgreSQL, the lock
    # below): the summary is written from the rows as they are now.
    reads.forget(session)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        were = select(EnrollmentSummary.program_id).where(  # type: ignore[call-overload]
            EnrollmentSummary.enrollment_id.in_(chunk)).order_by(EnrollmentSummary.enrollment_id)  # type: ignore[attr-defined]
        if session.get_bind().dialect.name == "postgresql":
            # Two transactions changing one enrolment at once must not each write a summary that
            # misses the other's change: the second waits here for the first to commit, then
            # reads the facts afresh (READ COMMITTED: each statement sees what is committed).
            were = were.with_for_update()
        programs = set(session.exec(were).all())
        enrollments = session.exec(select(Enrollment).where(Enrollment.id.in_(chunk))).all()  # type: ignore[union-attr]
        had = turns.before(session, chunk)
        summaries, risks, (turn_rows, staffing) = compute(session, enrollments, now)
        programs |= {e.program_id for e in enrollments}
        session.execute(delete(EnrollmentRisk.__table__).where(EnrollmentRisk.enrollment_id.in_(chunk)))  # type: ignore[attr-defined]
        session.execute(delete(EnrollmentTurn.__table__).where(EnrollmentTurn.enrollment_id.in_(chunk)))  # type: ignore[attr-defined]
        session.execute(delete(EnrollmentSummary.__table__).where(EnrollmentSummary.enrollment_id.in_(chunk)))  # type: ignore[attr-defined]
        if summaries:
            session.execute(insert(EnrollmentSummary.__table__), summaries)  # type: ignore[arg-type]
        if risks:
            session.execute(insert(EnrollmentRisk.__table__), risks)  # type: ignore[arg-type]
        if turn_rows:
            session.execute(insert(EnrollmentTurn.__table__), turn_rows)  # type: ignore[arg-type]
            if announce:
                turns.announce(session, enrollments, had, turn_rows, staffing, now or utcnow())
        # The programs' remembered figures are out of date from this commit on.
        tallies.bump(session, programs)


def rebuild(session: Session, now: datetime | None = None) -> int:
    """Recompute every enrolment's summary, a batch per transaction; how many there are."""
    done, last = 0, 0
    while True:
        ids = list(session.exec(select(Enrollment.id).where(Enrollment.id > last)  # type: ignore[operator]
                                .order_by(Enrollment.id).limit(BATCH)).all())
        if not ids:
            return done
        refresh(session, ids, now, announce=False)  # type: ignore[arg-type]
        session.commit()
        session.expunge_all()  # a rebuild of 50,000 enrolments keeps one batch in memory
        done, last = done + len(ids), ids[-1]


def compute(session: Session, enrollments: Sequence[Enrollment],
            now: datetime | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], tuple[list[dict[str, Any]], Any]]:
    """(summary rows, risk-window rows, staff turn rows) for these enrolments, from their facts, in a
    fixed number of queries."""
    now = now or utcnow()
    files = case_file.files(session, enrollments)  # one enrolment's own file, or a cabinet of many
    facts_of = {eid: snapshot(file, now) for eid, file in files.items()}
    zone_of = {eid: ZoneInfo((file.organisation.timezone if file.organisation else None) or "America/Los_Angeles")
               for eid, file in files.items()}
    recommendations = list(session.exec(select(Recommendation).where(
        Recommendation.enrollment_id.in_(list(files))).order_by(Recommendation.id)).all())  # type: ignore[attr-defined]
    figures = accreditation.figures(list(enrollments), files, facts_of, zone_of, recommendations)  # type: ignore[arg-type]
    tasks: dict[int, list[dict[str, str]]] = {}
    for task in session.exec(select(SignOffTask).where(
            SignOffTask.enrollment_id.in_([e.id for e in enrollments]),  # type: ignore[attr-defined]
            SignOffTask.status == TaskStatus.OPEN.value, SignOffTask.due_on.is_not(None))  # type: ignore[union-attr]
            .order_by(SignOffTask.due_on, SignOffTask.id)).all():
        what = task.what or f"{signoff_label(task.key)} sign-off"
        tasks.setdefault(task.enrollment_id, []).append(
            {"what": f"{what} (waiting on the {task.role.replace('_', ' ')})", "due_on": task.due_on.isoformat()})  # type: ignore[union-attr]
    weeks = _weekly_log_weeks(session, enrollments)
    names = dict(session.exec(select(User.id, User.name).where(
        User.id.in_({e.candidate_id for e in enrollments}))).all())  # type: ignore[union-attr]
    summaries, risks = [], []
    for e in enrollments:
        facts = facts_of[e.id]  # type: ignore[index]
        state = states_by_value(e.pathway, e.pathway_version).get(e.state)
        final = bool(state and state.final)
        dated = deadlines(facts, e.pathway_version, e.state)
        plans = [] if final else pacing.plans(e, facts)
        unmet = [d.due for d in dated if not d.met]
        summaries.append({
            "enrollment_id": e.id, "program_id": e.program_id, "candidate_id": e.candidate_id,
            "candidate_name": names.get(e.candidate_id, ""), "pathway": e.pathway,
            "pathway_version": e.pathway_version, "state": e.state, "state_label": state.label if state else e.state,
            "final": final, "ready": _ready(e), "enrolled_on": e.enrolled_on, "enrolment_year": e.enrolled_on.year,
            "year_two_on": add_years(e.enrolled_on, 1), "next_due_on": min(unmet, default=None),
            "deadlines": [{"key": d.key, "label": d.label, "due": d.due.isoformat(), "rule_key": d.rule_key,
                           "source": d.source, "met": d.met} for d in dated],
            "paces": plans, "open_tasks": tasks.get(e.id, []), "accreditation": figures[e.id],  # type: ignore[index]
            "mentor_assigned": _assigned(facts, Role.MENTOR), "coach_assigned": _assigned(facts, Role.COACH),
            "weekly_log_weeks": weeks.get(e.id, []), "computed_at": now,
        })
        if not final:
            risks += [{"enrollment_id": e.id, "program_id": e.program_id, "kind": kind, "starts_on": starts,
                       "ends_on": ends} for kind, starts, ends in windows(unmet, tasks.get(e.id, []), plans, facts.calendar)]
    since = {eid: (file.moves[-1].occurred_at if file.moves else None) for eid, file in files.items()}
    return summaries, risks, turns.compute(session, enrollments, facts_of, since)  # type: ignore[arg-type]


def windows(unmet: list[date], tasks: list[dict[str, str]], plans: list[dict[str, Any]],
            calendar: SchoolCalendar = EVERY_WEEK) -> list[tuple[str, date, date | None]]:
    """(kind, first day, last day or None) of every risk, so that a kind holds on a day exactly
    when app/services/programs/cohort.py `risks` finds it on that day."""
    found: list[tuple[str, date, date | None]] = []
    for due in unmet:
        found.append(("deadline_passed", due + timedelta(days=1), None))
        closer = 0
        for window in WINDOWS:  # deadline_30: 0-30 days left, deadline_60: 31-60, deadline_90: 61-90
            found.append((f"deadline_{window}", due - timedelta(days=window), due - timedelta(days=closer)))
            closer = window + 1
    found += [("signoff_overdue", date.fromisoformat(t["due_on"]) + timedelta(days=1), None) for t in tasks]
    for plan in plans:
        behind = pacing.behind_from(plan, calendar)
        if behind is None:
            continue
        if plan["applies_from"]:
            behind = max(behind, date.fromisoformat(plan["applies_from"]))
        until = date.fromisoformat(plan["applies_until"]) - timedelta(days=1) if plan["applies_until"] else None
        if until is None or behind <= until:
            found.append(("behind_pace", behind, until))
    return found


def _weekly_log_weeks(session: Session, enrollments: Sequence[Enrollment]) -> dict[int, list[str]]:
    """Per enrolment, the Mondays of its three latest weeks with a weekly log of its pathway's kind."""
    kind_of = {e.id: WEEKLY_KIND[e.pathway] for e in enrollments if e.pathway in WEEKLY_KIND}
    if not kind_of:
        return {}
    mondays: dict[int, set[date]] = {}
    for enrollment_id, kind, occurred_on in session.exec(
            select(LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on).distinct().where(
                LogEntry.enrollment_id.in_(list(kind_of)), LogEntry.kind.in_(set(WEEKLY_KIND.values())))).all():  # type: ignore[attr-defined]
        if kind == kind_of[enrollment_id]:
            mondays.setdefault(enrollment_id, set()).add(occurred_on - timedelta(days=occurred_on.weekday()))
    return {eid: [d.isoformat() for d in sorted(found, reverse=True)[:3]] for eid, found in mondays.items()}


def _ready(enrollment: Enrollment) -> bool:
    return enrollment.state == states_of(enrollment.pathway, enrollment.pathway_version)[0]


def _assigned(facts: Facts, role: Role) -> bool:
    return facts.date_of(KeyDate.MENTOR_ASSIGNED_ON if role is Role.MENTOR else KeyDate.COACH_ASSIGNED_ON) is not None


# --- The choke point ------------------------------------------------------------------------------


def _noted(session: OrmSession, _context: Any) -> None:
    """after_flush: remember the enrolments this flush changed (written at commit, see the module doc)."""
    stale, programs = session.info.setdefault(STALE, set()), session.info.setdefault(STALE_PROGRAMS, set())
    people, staff = session.info.setdefault(STALE_PEOPLE, set()), session.info.setdefault(STALE_STAFF, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, Enrollment):
            stale.add(row.id)
        elif isinstance(row, Membership) and row.enrollment_id is None:
            # A role held program- or organisation-wide: who can act there (the row may be deleted).
            staff.add(("program", row.program_id) if row.program_id is not None else ("organisation", row.organisation_id))
        elif isinstance(row, WATCHED):
            stale.add(row.enrollment_id)
        elif isinstance(row, Program) and row in session.dirty and inspect(row).attrs.settings.history.has_changes():
            programs.add(row.id)  # its thresholds: every enrolment's paces and deadlines
        elif isinstance(row, User) and row in session.dirty:
            if inspect(row).attrs.name.history.has_changes():
                people.add(row.id)  # a renamed candidate moves in the candidate list
            if inspect(row).attrs.active.history.has_changes():
                staff.add(("user", row.id))  # a deactivated holder can no longer act anywhere


def _before_commit(session: OrmSession) -> None:
    """before_commit: rewrite the summaries of what this transaction changed, inside it."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    stale, programs = session.info.pop(STALE, set()), session.info.pop(STALE_PROGRAMS, set())
    people, staff = session.info.pop(STALE_PEOPLE, set()), session.info.pop(STALE_STAFF, set())
    stale.discard(None)
    if staff:
        stale |= turns.changed_with_staff(session, staff)
    if programs:
        stale |= set(session.exec(select(Enrollment.id).where(Enrollment.program_id.in_(programs))).all())  # type: ignore[attr-defined, union-attr]
    if people:
        stale |= set(session.exec(select(Enrollment.id).where(Enrollment.candidate_id.in_(people))).all())  # type: ignore[attr-defined, union-attr]
    if stale:
        refresh(session, stale)  # type: ignore[arg-type]


def _forget(session: OrmSession, *_: Any) -> None:
    """after_rollback: what was noted is rolled back with it."""
    for key in (STALE, STALE_PROGRAMS, STALE_PEOPLE, STALE_STAFF):
        session.info.pop(key, None)
    tallies.forget_revisions(session)  # type: ignore[arg-type]


def _new_transaction(session: OrmSession, *_: Any) -> None:
    """after_commit: the next transaction reads the programs' marks afresh."""
    tallies.forget_revisions(session)  # type: ignore[arg-type]


def watch() -> None:
    """Keep summaries current for every session (idempotent; create_app calls it)."""
    for name, listener in (("after_flush", _noted), ("before_commit", _before_commit), ("after_rollback", _forget),
                           ("after_commit", _new_transaction)):
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)
