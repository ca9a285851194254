"""A director's "Remind" on an at-risk candidate: the reminder email the daily sweep would send, now.

Two reminders exist (app/services/notifications/reminders.py): a coming deadline, and a week with no
mentoring or coaching log. A candidate is offered the one that fits their most pressing risk, and only
when its handler would really send it (a passed deadline or a week already logged sends nothing), so
"Reminder sent" is never a promise the outbox breaks. At most one a day per deadline or week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app import outbox
from app.models import (
    AuditEvent,
    Enrollment,
    EnrollmentSummary,
    LogEntry,
    Membership,
    OutboxMessage,
    Program,
    User,
)
from app.services import PathwayError
from app.services.enrollments import words
from app.services.enrollments.facts import program_calendar
from app.services.programs.cohort import CandidateLine, line_of, today_of
from workflows.dates import last_week
from workflows.deadlines import days_left
from workflows.registry import plugins
from workflows.school_calendar import SchoolCalendar


@dataclass(frozen=True)
class Reminder:
    """What a reminder is about (in words), and the outbox message that sends it."""

    about: str
    job: str
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)


# The weekly log each pathway keeps and who must be assigned before it is nudged: the daily sweep's own
# test (reminders._logged_kind), asked here for a whole page of candidates at once.
# The weekly log each pathway keeps and the role that signs it.
_WEEKLY = {p.name: (p.weekly_log, p.log_kinds[p.weekly_log].value) for p in plugins() if p.weekly_log}


def reminder_for(session: Session, line: CandidateLine) -> Reminder | None:
    """The reminder that fits this candidate now, or None when no existing reminder would say anything."""
    return reminders_for(session, [line])[line.enrollment.id]  # type: ignore[index]


def reminders_for(session: Session, lines: list[CandidateLine]) -> dict[int, Reminder | None]:
    """`reminder_for` for every line, by enrolment id, in one query whatever their number (none without a pace behind)."""
    found: dict[int, Reminder | None] = {}
    behind: list[CandidateLine] = []
    for line in lines:
        enrollment, today = line.enrollment, line.today or line.facts.today  # type: ignore[union-attr]
        coming = [d for d in line.deadlines if not d.met and 0 <= days_left(d, today) <= 90]
        if coming:
            deadline = min(coming, key=lambda d: d.due)
            found[enrollment.id] = Reminder(  # type: ignore[index]
                f"{deadline.label}, due {words.day_in_words(deadline.due)}", "email.deadline_reminder",
                f"director-reminder-{enrollment.id}-{deadline.key}-{deadline.due}-{today}",
                {"enrollment_id": enrollment.id, "deadline_key": deadline.key, "due": deadline.due.isoformat(),
                 "threshold": days_left(deadline, today)})
        else:
            found[enrollment.id] = None  # type: ignore[index]
            if enrollment.pathway in _WEEKLY and any(pace.behind for pace in line.paces):
                behind.append(line)
    # Who is due a log nudge: the weekly log's giver assigned, and nothing logged last week. A page of one
    # program shares its pathway and its day, so this is one query (one per distinct week and kind at most).
    groups: dict[tuple[str, str, date], list[CandidateLine]] = {}
    for line in behind:
        kind, role = _WEEKLY[line.enrollment.pathway]
        groups.setdefault((kind, role, last_week(line.today or line.facts.today)), []).append(line)  # type: ignore[union-attr]
    for (kind, role, week), group in groups.items():
        # A week without school owed no meeting: nothing to remind of (the sweep's own test, reminders.log_nudge).
        group = [line for line in group if _calendar(session, line.enrollment.program_id).is_school_week(week)]
        if not group:
            continue
        logged = (select(LogEntry.id).where(LogEntry.enrollment_id == Membership.enrollment_id, LogEntry.kind == kind,
                                            LogEntry.occurred_on >= week,
                                            LogEntry.occurred_on <= week + timedelta(days=6)).exists())
        due = set(session.exec(select(Membership.enrollment_id).where(
            Membership.enrollment_id.in_([line.enrollment.id for line in group]),  # type: ignore[union-attr]
            Membership.role == role, Membership.revoked_at.is_(None), ~logged)).all())  # type: ignore[union-attr]
        year, number, _ = week.isocalendar()
        for line in group:
            enrollment = line.enrollment
            if enrollment.id in due:
                found[enrollment.id] = Reminder(  # type: ignore[index]
                    f"no {kind} logged for the week of {week.day} {week:%B}", "email.log_nudge",
                    f"log-nudge-{enrollment.id}-{kind}-{year}-W{number:02d}",  # the sweep's key: never sent twice
                    {"enrollment_id": enrollment.id, "kind": kind, "week_start": week.isoformat()})
    return found


def _calendar(session: Session, program_id: int) -> SchoolCalendar:
    """The program's school calendar (the page has its program loaded already: no statement)."""
    return program_calendar(session.get(Program, program_id))


def remind(session: Session, program: Program, line: CandidateLine | None, actor: User) -> tuple[Reminder, bool]:
    """Queue the candidate's reminder and audit who asked (the caller commits); PathwayError when none fits.

    Also whether it is new: False when the same reminder was already queued (today, or by the sweep)."""
    if line is None or line.enrollment.program_id != program.id:
        raise PathwayError("That candidate is not in this program.")
    reminder = reminder_for(session, line)
    if reminder is None:
        raise PathwayError(f"There is no reminder to send {line.candidate.name} right now: no deadline in the "
                           "next 90 days and no week without a log.")
    known = session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == reminder.dedupe_key)).first()
    if known is not None:
        return reminder, False
    outbox.add(session, reminder.job, reminder.dedupe_key, **reminder.payload)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=line.enrollment.id, action="reminder.sent_by_director",
                           details={"program_id": program.id, "job": reminder.job, "about": reminder.about}))
    return reminder, True


def enrollment_line(session: Session, program: Program, enrollment_id: int) -> CandidateLine | None:
    """One candidate's cohort line, if the enrolment is in this program."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.program_id != program.id:
        return None
    candidate = session.get(User, enrollment.candidate_id)
    summary = session.get(EnrollmentSummary, enrollment_id)
    if candidate is None or summary is None:
        return None
    return line_of(enrollment, candidate, summary, today_of(session, program), program_calendar(program))
