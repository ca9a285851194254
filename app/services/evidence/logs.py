"""Logging mentoring, coaching, learning hours, support notes and reviews; signing them.

Only signed entries count toward the rules' totals (see facts.py), so a candidate cannot log
their way past a guard: the mentor or coach the entry names must sign it. Every entry is dated
inside the enrolment and not in the future (on the app's clock), and its program year follows
from that date (workflows.program_years), never from a label someone picks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, LogEntry, LogKind, User, utcnow
from app.services import NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.evidence import approver_notices, reviews
from workflows.program_years import program_year
from workflows.registry import plugin
from workflows.roles import Role


def kinds(pathway: str) -> dict[LogKind, Role]:
    """The logs a pathway keeps and the role that signs each (its package's `log_kinds`)."""
    return {LogKind(kind): role for kind, role in plugin(pathway).log_kinds.items()}

# Meetings that happen at most once a week; a second entry for the same week is a mistake.
WEEKLY = {LogKind.COACHING}
# The rule book caps no single entry (pre-service is 120 clock hours in all, coaching a weekly
# meeting), and an entry is one dated day: a day's hours are the only bound. Longer training is
# logged a day a row (log_batches.py), which is how the hours happened.
MAX_HOURS = 24.0


class LogError(PathwayError):
    """A log entry that cannot be accepted, with a message for the person."""


class AlreadyLogged(LogError):
    """That week already has an entry."""

    status = 409


class NotAllSignable(LogError):
    """Of entries to sign together, one or more may not be signed (now): none is."""

    status = 409


def early_completion(session: Session, enrollment: Enrollment) -> bool:
    """Whether the candidate is on the Early Completion Option (admitted as Year 2, rule book §2.3):
    the latest move into the ECO year or onto the two-year track's Year 1 was into the ECO year."""
    return case_file.of(session, enrollment).early_completion


def check_date(enrollment: Enrollment, occurred_on: date, today: date) -> None:
    """Refuse a date before the enrolment began or after today (the app's today)."""
    if occurred_on > today:
        raise LogError("The date is in the future. Log a meeting once it has happened.")
    if occurred_on < enrollment.enrolled_on:
        began = enrollment.enrolled_on
        raise LogError(f"That date is before your enrolment began on {began:%B} {began.day}, {began.year}. "
                       "Log only what happened during the program.")


def check_author(session: Session, enrollment: Enrollment, author: User, kind: str) -> LogKind | None:
    """Refuse whoever may not write this kind of entry here (asked before anything they typed is read);
    the kind, when it is one at all."""
    try:
        kind_ = LogKind(kind)
    except ValueError:
        kind_ = None
    if not policy.can_keep_log(author, enrollment) and not (
            kind_ is LogKind.SUPPORT_NOTE and kind_ in kinds(enrollment.pathway)
            and policy.can_record_support_note(policy.roles_on(session, author, enrollment))):
        raise NotPermitted("Only the candidate keeps their own logs; their mentor, supervisor and district "
                           "staff may add support notes.")
    return kind_


def add(session: Session, enrollment: Enrollment, author: User, *, kind: str, occurred_on: date,
        hours: float, notes: str, signer: User | None, today: date,
        participants: list[str] | None = None, attendee_roles: Iterable[str] = ()) -> LogEntry:
    """Record a log entry to be signed by `signer` (the caller commits).

    The candidate logs everything and names who signs it. The people around a PIP candidate
    (seed 000: "logs of support from mentor teacher, direct supervisor, and other district staff")
    record support notes too: such a note is their own account, so it stands signed by its author.
    """
    kinds_ = kinds(enrollment.pathway)
    kind_ = check_author(session, enrollment, author, kind)
    supporter = not policy.can_keep_log(author, enrollment)
    if kind_ is None or kind_ not in kinds_:
        raise LogError(f"This pathway keeps these logs: {', '.join(k.in_sentence for k in kinds_)}.")
    check_date(enrollment, occurred_on, today)
    if math.isnan(hours) or hours < 0 or hours > MAX_HOURS:  # NaN is not a number of hours
        raise LogError(f"Hours must be between 0 and {MAX_HOURS:g} for one entry: an entry is one day. "
                       "Log training over several days a day at a time.")
    if kind_ not in {LogKind.SUPPORT_NOTE, LogKind.REVIEW_MEETING} and hours == 0:
        raise LogError("Enter how many hours this took.")
    names = clean_participants(participants or [])
    roles_present: list[str] = []
    if kind_ is LogKind.REVIEW_MEETING:
        names = _check_review_meeting(session, enrollment, author, occurred_on, names)
        roles_present = clean_attendee_roles(enrollment.pathway, attendee_roles)
    if supporter:
        signer = author
    elif signer is None:
        raise LogError("Choose who will sign this entry.")
    else:
        role = kinds_[kind_]
        if role not in policy.roles_on(session, signer, enrollment) or signer.id == author.id:
            raise LogError(f"{signer.name} is not your {role.in_sentence} on this pathway.")
    if kind_ in WEEKLY and _week_logged(session, enrollment.id, kind_, occurred_on):  # type: ignore[arg-type]
        year, week, _ = occurred_on.isocalendar()
        raise AlreadyLogged(f"You already logged a {kind_.value} meeting in the week of "
                            f"{date.fromisocalendar(year, week, 1):%B} {date.fromisocalendar(year, week, 1).day}.")
    year = program_year(occurred_on, enrollment.enrolled_on, early_completion=early_completion(session, enrollment))
    entry = LogEntry(enrollment_id=enrollment.id, kind=kind_.value, occurred_on=occurred_on, hours=float(hours),
                     notes=notes.strip()[:10000], author_id=author.id, signer_id=signer.id,
                     program_year=year or 1, participants=names, attendee_roles=roles_present,
                     attendance={} if kind_ is LogKind.REVIEW_MEETING else None,  # confirmed by who was there
                     signed_at=utcnow() if supporter else None)
    session.add(entry)
    session.flush()
    session.add(AuditEvent(actor_id=author.id, enrollment_id=enrollment.id, action="log.added",
                           details={"log": entry.id, "kind": kind_.value, "hours": entry.hours,
                                    "occurred_on": occurred_on.isoformat(), "program_year": entry.program_year,
                                    "participants": names, "attendee_roles": roles_present,
                                    "signed_by_author": supporter}))
    approver_notices.log_to_sign(session, entry)  # the named signer hears of it (once)
    return entry


def clean_attendee_roles(pathway: str, roles: Iterable[str]) -> list[str]:
    """The roles present at a review, in a fixed order; refuse one a review cannot list."""
    reviews = plugin(pathway).reviews
    listed = reviews.roles if reviews else ()
    allowed = {role.value: role for role in listed}
    chosen = set()
    for value in roles:
        if value not in allowed:
            raise LogError("Choose who attended from the roles listed.")
        chosen.add(value)
    return [role.value for role in listed if role.value in chosen]


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
    """A PIP tracker review: one a day, the candidate and their team present."""
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
    if entry.kind == LogKind.REVIEW_MEETING.value:  # signing a review they were listed at confirms being there
        enrollment = session.get(Enrollment, entry.enrollment_id)
        reviews.confirm_signer(entry, signer, policy.roles_on(session, signer, enrollment))  # type: ignore[arg-type]
    session.add(entry)
    session.add(AuditEvent(actor_id=signer.id, enrollment_id=entry.enrollment_id, action="log.signed",
                           details={"log": entry.id, "kind": entry.kind, "hours": entry.hours}))
    return entry


MAX_AT_ONCE = 500  # more than a year of weekly entries; a longer list is not a page anyone read


def may_sign_here(session: Session, signer: User, enrollment: Enrollment) -> bool:
    """Whether the person holds, on this enrolment, a role that signs some kind of its logs."""
    return policy.can_sign_logs_on(signer, enrollment, policy.roles_on(session, signer, enrollment),
                                   frozenset(kinds(enrollment.pathway).values()))


def sign_many(session: Session, enrollment: Enrollment, signer: User, log_ids: Iterable[int]) -> list[LogEntry]:
    """Sign several of one candidate's entries at once, all or none (the caller commits).

    Each entry passes exactly the checks of `sign` (the entry names the signer, it is not signed
    yet) and gets its own "log.signed" audit event. If any one fails, nothing is signed and the
    error lists every entry that could not be, with the reason: the signer signs what they saw,
    or nothing, and reloads to see what changed.
    """
    if not may_sign_here(session, signer, enrollment):  # who asks first, then what they sent
        raise NotPermitted("Only the candidate's mentor or coach signs their logs.")
    ids = list(dict.fromkeys(int(i) for i in log_ids))
    if not ids:
        raise LogError("Choose the entries to sign.")
    if len(ids) > MAX_AT_ONCE:
        raise LogError(f"Sign at most {MAX_AT_ONCE} entries at once.")
    found = {e.id: e for e in session.exec(select(LogEntry).where(
        LogEntry.enrollment_id == enrollment.id, LogEntry.id.in_(ids))).all()}  # type: ignore[union-attr]
    problems: list[str] = []
    signed: list[LogEntry] = []
    for log_id in ids:
        entry = found.get(log_id)
        if entry is None:
            problems.append(f"entry {log_id} is not one of this candidate's logs")
            continue
        try:
            signed.append(sign(session, entry, signer))
        except PathwayError as error:
            problems.append(f"the {LogKind(entry.kind).in_sentence} entry of {_day(entry.occurred_on)}: "
                            f"{error.message[0].lower()}{error.message[1:].rstrip('.')}")
    if problems:  # the caller rolls back: nothing half-done
        raise NotAllSignable("Nothing was signed, because " + "; ".join(problems)
                       + ". Reload the page to see the entries as they are now.", reasons=problems)
    return sorted(signed, key=lambda e: (e.occurred_on, e.id or 0))


def signed_words(signed: list[LogEntry]) -> str:
    """What a page says after signing several: how many, and their dates."""
    if not signed:
        return "Nothing was signed."
    first, last = signed[0].occurred_on, signed[-1].occurred_on
    when = f"of {_day(first)}" if first == last else f"from {_day(first)} to {_day(last)}"
    return f"Signed {len(signed)} entr{'y' if len(signed) == 1 else 'ies'} {when}. They now count toward the totals."


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class SigningGroup:
    """Entries waiting on one signer that can be signed together: all of them, a month's, a week's."""

    label: str
    log_ids: tuple[int, ...]
    first: date
    last: date


def signing_groups(entries: Iterable[LogEntry], signer_id: int) -> list[SigningGroup]:
    """The groups a signer may sign at once: everything waiting on them (when more than one), then
    each month and each week that has more than one entry, newest first."""
    waiting = sorted((e for e in entries if e.signed_at is None and e.signer_id == signer_id and e.id is not None),
                     key=lambda e: (e.occurred_on, e.id or 0))
    if len(waiting) < 2:
        return []

    def group(label: str, rows: list[LogEntry]) -> SigningGroup:
        return SigningGroup(label, tuple(e.id for e in rows if e.id is not None), rows[0].occurred_on,
                            rows[-1].occurred_on)

    months: dict[tuple[int, int], list[LogEntry]] = {}
    weeks: dict[date, list[LogEntry]] = {}
    for entry in waiting:
        months.setdefault((entry.occurred_on.year, entry.occurred_on.month), []).append(entry)
        weeks.setdefault(entry.occurred_on - timedelta(days=entry.occurred_on.weekday()), []).append(entry)
    out = [group(f"Sign all {len(waiting)} entries waiting for you", waiting)]
    if len(months) > 1:
        out += [group(f"Sign the {len(rows)} entries of {rows[0].occurred_on:%B %Y}", rows)
                for _, rows in sorted(months.items(), reverse=True) if len(rows) > 1]
    if len(weeks) > 1:
        out += [group(f"Sign the {len(rows)} entries of the week of {monday.day} {monday:%B}", rows)
                for monday, rows in sorted(weeks.items(), reverse=True) if len(rows) > 1]
    return out


def visible_notes(entry: LogEntry, roles: frozenset[Role], viewer: User | None = None) -> str | None:
    """The entry's notes, or None for viewers who must not read them (evaluators); whoever wrote
    a note (a supervisor's support note) still reads their own words."""
    if viewer is not None and policy.can_read_own_log_notes(viewer, entry.author_id):
        return entry.notes
    if LogKind(entry.kind).confidential and not policy.can_read_confidential_notes(roles, entry.kind):
        return None
    return entry.notes


def year_of(entry: LogEntry, enrollment: Enrollment, early: bool) -> int | None:
    """The program year the entry's date falls in (None before the enrolment: it counts nowhere)."""
    return program_year(entry.occurred_on, enrollment.enrolled_on, early_completion=early)


def _week_logged(session: Session, enrollment_id: int, kind: LogKind, day: date) -> bool:
    monday = day - timedelta(days=day.weekday())
    return session.exec(select(LogEntry.id).where(
        LogEntry.enrollment_id == enrollment_id, LogEntry.kind == kind.value,
        LogEntry.occurred_on >= monday, LogEntry.occurred_on < monday + timedelta(days=7))).first() is not None
