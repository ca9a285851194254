"""The daily sweep: deadline reminders, weekly log nudges, escalations and digests, each queued once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from app import outbox
from app.models import (
    DigestItem,
    Enrollment,
    EnrollmentSummary,
    LogEntry,
    Membership,
    Organisation,
    OutboxMessage,
    Program,
    User,
    utcnow,
)
from app.services.enrollments.deadline_events import fire_due_events
from app.services.enrollments.facts import program_calendar, program_settings
from app.services.evidence.documents import sweep_orphan_files
from app.services.programs.recommendations import purge_expired
from app.services.progress import stuck
from app.services.signoffs.escalation import escalate_overdue
from app.services.team import sign_ins
from app.services.team.members import program_directors
from app.services.team.sign_on import check_accounts, forget_old_attempts
from app.services.team.staff_activity import flag_inactive_staff
from workflows.dates import last_week
from workflows.deadlines import Deadline, days_left, local_today
from workflows.registry import definition, plugin
from workflows.roles import Role
from workflows.school_calendar import SchoolCalendar


def reminder_threshold(deadline: Deadline | date, today: date, warning_days: Iterable[int]) -> int | None:
    """The tightest warning threshold already reached (None before the first one or once past due)."""
    left = days_left(deadline, today)
    if left < 0:
        return None
    crossed = [n for n in warning_days if left <= n]
    # Only the most urgent one: a sweep that missed days sends "30 days", not 90, 60 and 30 at once.
    return min(crossed) if crossed else None


# A deadline that passed is escalated to the program's directors by the sweep that first sees it
# passed; one that passed longer ago than this (data loaded from elsewhere, a long outage of the
# sweep) is left to the at-risk list rather than emailed, so no director gets thousands of
# emails at once about deadlines long gone.
ESCALATE_WITHIN_DAYS = 14


Messages = dict[str, tuple[str, dict[str, Any]]]  # dedupe key -> (job, payload)


@dataclass
class _Sweep:
    """What one sweep knows of every program (its day, its warning days, the window it acts on),
    and the messages it writes for one enrolment's summary row."""

    session: Session
    today_of: dict[int, date]
    warning_days: dict[int, tuple[int, ...]]
    horizons: dict[int, tuple[str, str]]  # ISO (soonest, latest) deadline the sweep acts on
    directors: dict[int, list[User]]
    calendars: dict[int, SchoolCalendar]  # each program's school calendar: no nudge for a week without school

    @classmethod
    def of(cls, session: Session, now: datetime) -> _Sweep:
        places = {program.id: (program, zone) for program, zone in session.exec(
            select(Program, Organisation.timezone).join(Organisation, Program.organisation_id == Organisation.id,  # type: ignore[arg-type]
                                                        isouter=True)).all()}
        warning_days = {pid: program_settings(program).deadline_warning_days for pid, (program, _) in places.items()}
        today_of = {pid: local_today(now, zone or "America/Los_Angeles") for pid, (_, zone) in places.items()}
        # The deadlines a sweep acts on: passed within ESCALATE_WITHIN_DAYS, or within the farthest warning.
        horizons = {pid: ((today - timedelta(days=ESCALATE_WITHIN_DAYS)).isoformat(),
                          (today + timedelta(days=max(warning_days[pid], default=0))).isoformat())
                    for pid, today in today_of.items()}
        calendars = {pid: program_calendar(program) for pid, (program, _) in places.items()}
        return cls(session, today_of, warning_days, horizons, {}, calendars)  # type: ignore[arg-type]

    def deadline_messages(self, summary: Any) -> Messages:
        """Reminders before each deadline, escalations once it passed, the steps after a recommendation."""
        wanted: Messages = {}
        eid, today = summary.enrollment_id, self.today_of[summary.program_id]
        # ISO dates compare as strings: most deadlines are far off (or long past), and are
        # passed over without being parsed (the sweep reads every deadline of every enrolment).
        soonest, latest = self.horizons[summary.program_id]
        for deadline in summary.deadlines:
            if deadline["met"] or deadline["due"] < soonest:
                continue
            if deadline["due"] > latest and deadline["key"] != "recommendation_window":
                continue
            due = date.fromisoformat(deadline["due"])
            if (due - today).days < 0:
                wanted.update(self._escalations(summary.program_id, eid, deadline["key"], due))
                continue
            threshold = reminder_threshold(due, today, self.warning_days[summary.program_id])
            if threshold is not None:
                wanted.update(self._reminders(summary, deadline, due, threshold))
            if deadline["key"] == "recommendation_window" and summary.recommended_on is not None:
                wanted[f"recommendation-steps-{eid}-{summary.recommended_on}"] = (
                    "email.recommendation_steps",
                    {"enrollment_id": eid, "recommended_on": summary.recommended_on.isoformat()})
        return wanted

    def _reminders(self, summary: Any, deadline: dict[str, Any], due: date, threshold: int) -> Messages:
        """A coming deadline, told to whoever meets it: the candidate, or the program's directors when
        the step is theirs (assigning a mentor or a coach within its window)."""
        eid, key = summary.enrollment_id, deadline["key"]
        payload = {"enrollment_id": eid, "deadline_key": key, "due": due.isoformat(), "threshold": threshold}
        if _clears(summary.pathway, summary.pathway_version, deadline["rule_key"]) is not Role.PROGRAM_DIRECTOR:
            return {f"deadline-{eid}-{key}-{due}-{threshold}": ("email.deadline_reminder", payload)}
        return {f"deadline-{eid}-{key}-{due}-{threshold}-{director.id}": (
                    "email.deadline_reminder", {**payload, "recipient_id": director.id})
                for director in self._directors(summary.program_id)}

    def _directors(self, program_id: int) -> list[User]:
        if program_id not in self.directors:
            # (program_directors reads only the program of what it is given)
            self.directors[program_id] = program_directors(self.session, SimpleNamespace(  # type: ignore[arg-type]
                program_id=program_id))
        return self.directors[program_id]

    def _escalations(self, program_id: int, eid: int, key: str, due: date) -> Messages:
        """A passed deadline, told to each of the program's directors."""
        return {f"deadline-overdue-{eid}-{key}-{due}-{director.id}": (
                    "email.deadline_escalation", {"enrollment_id": eid, "deadline_key": key,
                                                  "due": due.isoformat(), "director_id": director.id})
                for director in self._directors(program_id)}

    def log_nudge(self, summary: Any) -> Messages:
        """A nudge when last week was a school week and has no entry in the weekly log the enrolment keeps."""
        kind, week_start = logged_kind(summary), last_week(self.today_of[summary.program_id])
        if kind is None or summary.enrolled_on > week_start or logged_in_week(summary, week_start):
            return {}
        if not self.calendars[summary.program_id].is_school_week(week_start):
            return {}  # summer or a break: no meeting was owed
        year, week, _ = week_start.isocalendar()
        return {f"log-nudge-{summary.enrollment_id}-{kind}-{year}-W{week:02d}": (
            "email.log_nudge", {"enrollment_id": summary.enrollment_id, "kind": kind,
                                "week_start": week_start.isoformat()})}


@cache
def _clears(pathway: str, version: int, rule_key: str) -> Role | None:
    """The role that meets a deadline's rule (the definitions are fixed)."""
    rule = definition(pathway, version).rules.get(rule_key)
    return rule.clears if rule is not None else None


def schedule_reminders(session: Session, now: datetime | None = None, batch: int = 2_000) -> Counter[str]:
    """Scan every open enrolment and write the reminders, nudges and escalations now due; commits.

    Set-based: the deadlines and the weeks logged come from the enrolment summaries (kept current
    with every change, app/services/programs/summaries.py), read `batch` at a time with the
    messages already queued, so the statements grow with the batches, not the enrolments.
    """
    now = now or utcnow()
    counts: Counter[str] = Counter()
    sweep = _Sweep.of(session, now)
    last = 0
    while True:
        # Only the columns the sweep reads (the summary's other JSON documents cost more to decode than to fetch).
        rows = session.exec(select(*_SWEPT, Enrollment.recommended_on)
                            .join(Enrollment, Enrollment.id == EnrollmentSummary.enrollment_id)  # type: ignore[arg-type]
                            .where(EnrollmentSummary.enrollment_id > last, EnrollmentSummary.final.is_(False))  # type: ignore[attr-defined, operator]
                            .order_by(EnrollmentSummary.enrollment_id).limit(batch)).all()
        if not rows:
            break
        last = rows[-1].enrollment_id
        wanted: dict[str, tuple[str, dict[str, Any]]] = {}
        for summary in rows:  # a row of _SWEPT columns, read like the summary it comes from
            wanted.update(sweep.deadline_messages(summary))
            wanted.update(sweep.log_nudge(summary))
        known = set(session.exec(select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.in_(list(wanted)))).all()) if wanted else set()  # type: ignore[attr-defined]
        # A message queued by an earlier sweep stays as it is, uncounted.
        counts += outbox.add_many(session, [(job, key, payload) for key, (job, payload) in wanted.items()
                                            if key not in known])

    # Sign-offs: an open task past its due date is marked and escalated to the program
    # director(s), once (sign-off tasks carry their own due date; see signoffs/escalation.py).
    escalated = escalate_overdue(session, now)
    if escalated:
        counts["email.task_overdue"] += escalated
    outbox.commit(session)
    return counts


_SWEPT = (EnrollmentSummary.enrollment_id, EnrollmentSummary.program_id, EnrollmentSummary.pathway,
          EnrollmentSummary.pathway_version, EnrollmentSummary.deadlines, EnrollmentSummary.enrolled_on, EnrollmentSummary.mentor_assigned,
          EnrollmentSummary.coach_assigned, EnrollmentSummary.weekly_log_weeks)


def logged_kind(summary: EnrollmentSummary) -> str | None:
    """The weekly log an enrolment keeps, once a mentor or coach is assigned (else None), from its summary."""
    pathway = plugin(summary.pathway)
    assigned = {Role.MENTOR: summary.mentor_assigned, Role.COACH: summary.coach_assigned}
    return pathway.weekly_log if pathway.weekly_log and assigned.get(pathway.log_kinds[pathway.weekly_log]) else None


def logged_in_week(summary: EnrollmentSummary, week_start: date) -> bool:
    """Whether the enrolment's weekly log (mentoring, coaching) has an entry in the week starting
    `week_start` (a Monday within the last three logged weeks), from its summary: `has_log` without a query."""
    return week_start.isoformat() in summary.weekly_log_weeks


def _logged_kind(session: Session, enrollment: Enrollment) -> str | None:
    """The weekly log this enrolment keeps, once a mentor or coach is assigned (else None)."""
    kind = plugin(enrollment.pathway).weekly_log
    if kind is None:
        return None
    role = plugin(enrollment.pathway).log_kinds[kind]
    assigned = session.exec(select(Membership.id).where(
        Membership.enrollment_id == enrollment.id, Membership.role == role.value,  # type: ignore[union-attr]
        Membership.revoked_at.is_(None))).first()  # type: ignore[union-attr]
    return kind if assigned is not None else None


def has_log(session: Session, enrollment_id: int, kind: str, week_start: date) -> bool:
    """Whether a log of `kind` exists in the week starting `week_start`."""
    return session.exec(select(LogEntry.id).where(
        LogEntry.enrollment_id == enrollment_id, LogEntry.kind == kind,
        LogEntry.occurred_on >= week_start, LogEntry.occurred_on <= week_start + timedelta(days=6))).first() is not None


def queue_digests(session: Session, now: datetime | None = None) -> int:
    """Write one digest message per person with held items (once per local day); commits."""
    now = now or utcnow()
    today = local_today(now, current_app.config["TIMEZONE"])
    users = session.exec(select(DigestItem.user_id).where(DigestItem.digested_at.is_(None))  # type: ignore[union-attr]
                         .distinct().order_by(DigestItem.user_id)).all()
    for user_id in users:
        outbox.add(session, "email.digest", f"digest-{user_id}-{today}", user_id=user_id, until=now.isoformat())
    outbox.commit(session)
    return len(users)


def daily_sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Fire the automatic events whose date has come (expiries, a missed window), purge lapsed
    recommendations, queue the reminders, nudges and escalations due (each once), delete
    upload files left by killed uploads and sign-ins long over, flag inactive staff to their directors,
    and tell directors of what no one in their program can act on."""
    # Time first: a permit that expired today closes its enrolment before any reminder is
    # written for it; a purged recommendation gets no more "pay by" reminders.
    fired = {f"fired.{event}": n for event, n in fire_due_events(session, now).items()}
    purged = purge_expired(session, now)
    counts = {**dict(schedule_reminders(session, now)), **fired}
    extra = {"recommendation.purged": purged, "uploads.orphans_deleted": sweep_orphan_files(session, now),
             "staff.flagged_inactive": flag_inactive_staff(session, now),
             "staff.flagged_disabled": check_accounts(session, now),
             "sign_on.attempts_forgotten": forget_old_attempts(session, now),
             "sign_ins.forgotten": sign_ins.forget_old(session, now),
             "directors.told_no_one_can_act": stuck.tell_directors(session, now)}
    return {**counts, **{name: n for name, n in extra.items() if n}}
