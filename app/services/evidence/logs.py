"""Logging mentoring, coaching, learning hours, support notes and reviews; signing them.

Only signed entries count toward the rules' totals (see facts.py), so a candidate cannot log
their way past a guard: the mentor or coach the entry names must sign it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, LogEntry, LogKind, User, utcnow
from app.services import NotPermitted, PathwayError
from workflows.roles import Role

# Which logs each pathway keeps, and the role that signs them.
KINDS: dict[str, dict[LogKind, Role]] = {
    "pip": {LogKind.SUPPORT_NOTE: Role.MENTOR, LogKind.REVIEW_MEETING: Role.MENTOR,
            LogKind.PRESERVICE: Role.PREP_PROGRAM_SUPPORT_PROVIDER},
    "induction": {LogKind.MENTORING: Role.MENTOR, LogKind.PROFESSIONAL_LEARNING: Role.MENTOR},
    "casc": {LogKind.COACHING: Role.COACH, LogKind.PROFESSIONAL_LEARNING: Role.COACH},
}
# Meetings that happen at most once a week; a second entry for the same week is a mistake.
WEEKLY = {LogKind.COACHING}
MAX_HOURS = 12.0  # one sitting; anything longer is a typing error
OLDEST_DAYS = 3 * 366


class LogError(PathwayError):
    """A log entry that cannot be accepted, with a message for the person."""


class AlreadyLogged(LogError):
    """That week already has an entry."""

    status = 409


def add(session: Session, enrollment: Enrollment, author: User, *, kind: str, occurred_on: date,
        hours: float, notes: str, signer: User, program_year: int = 1, today: date,
        participants: list[str] | None = None) -> LogEntry:
    """Record a log entry to be signed by `signer` (the caller commits)."""
    if not policy.can_keep_log(author, enrollment):
        raise NotPermitted("Only the candidate keeps their own logs.")
    kinds = KINDS[enrollment.pathway]
    try:
        kind_ = LogKind(kind)
    except ValueError:
        kind_ = None
    if kind_ not in kinds:
        raise LogError(f"This pathway keeps these logs: {', '.join(k.value.replace('_', ' ') for k in kinds)}.")
    if occurred_on > today:
        raise LogError("The date is in the future. Log a meeting once it has happened.")
    if occurred_on < today - timedelta(days=OLDEST_DAYS):
        raise LogError("That date is more than three years ago. Check the year.")
    if program_year not in (1, 2):
        raise LogError("The program year is 1 or 2.")
    if hours != hours or hours < 0 or hours > MAX_HOURS:  # NaN is not a number of hours
        raise LogError(f"Hours must be between 0 and {MAX_HOURS:g} for one entry.")
    if kind_ not in {LogKind.SUPPORT_NOTE, LogKind.REVIEW_MEETING} and hours == 0:
        raise LogError("Enter how many hours this took.")
    names = clean_participants(participants or [])
    if kind_ is LogKind.REVIEW_MEETING:
        names = _check_review_meeting(session, enrollment, author, occurred_on, names)
    role = kinds[kind_]
    if role not in policy.roles_on(session, signer, enrollment) or signer.id == author.id:
        raise LogError(f"{signer.name} is not your {role.label.lower()} on this pathway.")
    if kind_ in WEEKLY and _week_logged(session, enrollment.id, kind_, occurred_on):  # type: ignore[arg-type]
        year, week, _ = occurred_on.isocalendar()
        raise AlreadyLogged(f"You already logged a {kind_.value} meeting in the week of "
                            f"{date.fromisocalendar(year, week, 1):%B} {date.fromisocalendar(year, week, 1).day}.")
    entry = LogEntry(enrollment_id=enrollment.id, kind=kind_.value, occurred_on=occurred_on, hours=float(hours),
                     notes=notes.strip()[:10000], author_id=author.id, signer_id=signer.id, program_year=program_year,
                     participants=names)
    session.add(entry)
    session.flush()
    session.add(AuditEvent(actor_id=author.id, enrollment_id=enrollment.id, action="log.added",
                           details={"log": entry.id, "kind": kind_.value, "hours": entry.hours,
                                    "occurred_on": occurred_on.isoformat(), "participants": names}))
    return entry


MAX_PARTICIPANTS = 20
MAX_NAME = 120


def clean_participants(names: list[str]) -> list[str]:
    """Names as typed, trimmed, blanks and repeats (ignoring case) dropped, in order."""
    seen: set[str] = set()
    clean = []
    for name in names:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            clean.append(name)
    return clean


def _check_review_meeting(session: Session, enrollment: Enrollment, author: User, occurred_on: date,
                          names: list[str]) -> list[str]:
    """A PIP tracker review: during the enrolment, one a day, the candidate and their team present."""
    if occurred_on < enrollment.enrolled_on:
        raise LogError("A review meeting is held during the PIP assignment; that date is before it began.")
    if len(names) > MAX_PARTICIPANTS or any(len(name) > MAX_NAME for name in names):
        raise LogError(f"List at most {MAX_PARTICIPANTS} participants, each name under {MAX_NAME} characters.")
    # The candidate always takes part in their own review; name them when the form did not.
    if author.name.casefold() not in {name.casefold() for name in names}:
        names = [author.name, *names]
    if len(names) < 2:
        raise LogError("Name who took part besides you: a review is held with your support team "
                       "(district, supervisor, mentor, support provider).")
    held = session.exec(select(LogEntry.id).where(LogEntry.enrollment_id == enrollment.id,
                                                  LogEntry.kind == LogKind.REVIEW_MEETING.value,
                                                  LogEntry.occurred_on == occurred_on)).first()
    if held is not None:
        raise AlreadyLogged(f"A review meeting on {occurred_on:%B} {occurred_on.day}, {occurred_on.year} "
                            "is already logged.")
    return names


def sign(session: Session, entry: LogEntry, signer: User) -> LogEntry:
    """The named mentor or coach confirms the entry; only then does it count."""
    if not policy.can_sign_log(signer, entry.signer_id):
        raise NotPermitted("Only the person this entry names can sign it.")
    if entry.signed_at is not None:
        raise LogError("This entry is already signed.")
    entry.signed_at = utcnow()
    session.add(entry)
    session.add(AuditEvent(actor_id=signer.id, enrollment_id=entry.enrollment_id, action="log.signed",
                           details={"log": entry.id, "kind": entry.kind, "hours": entry.hours}))
    return entry


def visible_notes(entry: LogEntry, roles: frozenset[Role]) -> str | None:
    """The entry's notes, or None for viewers who must not read them (evaluators)."""
    if LogKind(entry.kind).confidential and not policy.can_read_confidential_notes(roles):
        return None
    return entry.notes


def _week_logged(session: Session, enrollment_id: int, kind: LogKind, day: date) -> bool:
    monday = day - timedelta(days=day.weekday())
    return session.exec(select(LogEntry.id).where(
        LogEntry.enrollment_id == enrollment_id, LogEntry.kind == kind.value,
        LogEntry.occurred_on >= monday, LogEntry.occurred_on < monday + timedelta(days=7))).first() is not None
