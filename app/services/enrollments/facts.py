"""Build the pathway engine's facts snapshot from an enrolment's case file: one enrolment, or many at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.models import Enrollment, LogKind, Program, utcnow
from app.services.enrollments import case_file, records
from workflows.deadlines import local_today
from workflows.facts import Count, EvidenceKind, Facts, Flag, KeyDate
from workflows.program_years import counts_on, program_year
from workflows.registry import names, plugin, plugins
from workflows.school_calendar import EVERY_WEEK, SchoolCalendar
from workflows.settings import ProgramSettings

# Enrolment columns that are key dates under the same name.
_DATE_COLUMNS = tuple(KeyDate(name) for name in records.DATE_FIELDS)
# Declared numbers kept on the enrolment.
_COUNT_COLUMNS = {Count(name): name for name in records.NUMBER_FIELDS}
# Yes/no facts people record.
_FLAG_NAMES = frozenset(flag.value for flag in Flag)
# The day a supporter joined the team, as the key date a pathway's rules read (a mentor's, a coach's).
_ASSIGNED_ON = {role: KeyDate(key) for p in plugins() for role, key in p.assigned_on.items()}


# The program's school calendar is kept in its settings JSON under its own key (no other setting has it).
CALENDAR_KEY = "school_calendar"


def program_settings(program: Program) -> ProgramSettings:
    """The program's thresholds: the rule book's defaults with the program's overrides."""
    return ProgramSettings.from_mapping({k: v for k, v in (program.settings or {}).items() if k != CALENDAR_KEY})


def program_calendar(program: Program | None) -> SchoolCalendar:
    """The program's school calendar: California's school years unless the program edited them; every
    week on a pathway whose candidates work all year (CASC: administrators coach through the summer)."""
    stored = (program.settings or {}).get(CALENDAR_KEY) if program else None
    if stored is None and program is not None and program.pathway in names() and plugin(program.pathway).year_round:
        return EVERY_WEEK
    return SchoolCalendar.from_mapping(stored)


def build_facts(session: Session, enrollment: Enrollment, now: datetime | None = None) -> Facts:
    """Everything the rules may look at for this enrolment, as of `now`: from its case file, each
    table read once however often the facts are asked for in a transaction."""
    return snapshot(case_file.of(session, enrollment), now)


def build_many(session: Session, enrollments: Sequence[Enrollment], now: datetime | None = None) -> dict[int, Facts]:
    """Facts per enrolment id, as `build_facts` gives them, in a fixed number of statements whatever
    the number of enrolments (their case files read together)."""
    return {eid: snapshot(file, now) for eid, file in case_file.files(session, enrollments).items()}


def snapshot(file: case_file.Filed, now: datetime | None) -> Facts:
    """The facts from an enrolment's case file, however it was read (its own, or a cabinet's drawer)."""
    enrollment, organisation, program, marks = file.enrollment, file.organisation, file.program, file.marks
    zone = organisation.timezone if organisation else "America/Los_Angeles"
    today = local_today(now or utcnow(), zone)
    tz = ZoneInfo(zone)

    def local(moment: datetime) -> date:
        return moment.astimezone(tz).date()

    recorded = {k: records.value_of(enrollment, k.value) for k in _DATE_COLUMNS}
    dates: dict[KeyDate, date] = {k: day for k, day in recorded.items() if day is not None}
    for key in plugin(enrollment.pathway).enrolment_is:
        dates[KeyDate(key)] = enrollment.enrolled_on
    dates.update({_ASSIGNED_ON[role]: local(when) for role, when in file.first_assigned().items()})
    evidence: dict[EvidenceKind, str] = {}
    for document in file.documents:
        # The ILP's goals count as set when its first version was submitted.
        if document.kind == EvidenceKind.ILP and KeyDate.ILP_GOALS_SET_ON not in dates:
            dates[KeyDate.ILP_GOALS_SET_ON] = local(document.uploaded_at)
        if document.superseded_at is None:
            evidence[document.kind] = document.status

    settings = program_settings(program) if program else ProgramSettings()
    counts = count_logs(file.signed_logs, enrollment, today, settings, file.early_completion)
    counts[Count.SELF_ASSESSMENTS] = marks.self_assessments
    for count, column in _COUNT_COLUMNS.items():
        if (declared := records.value_of(enrollment, column)) is not None:
            counts[count] = declared
    flags = frozenset(Flag(flag) for flag in enrollment.flags)
    # A yes/no fact its owner recorded as "no" is an answer; one nobody recorded is not.
    answered_no = frozenset(Flag(name) for name in marks.confirmed if name in _FLAG_NAMES) - flags
    return Facts(pathway=enrollment.pathway, today=today, settings=settings, calendar=program_calendar(program),
                 dates=dates,  # type: ignore[arg-type]
                 evidence=evidence, signoffs=marks.signoffs, counts=counts,  # type: ignore[arg-type]
                 flags=flags, claimed=marks.claimed, answered_no=answered_no)


def count_logs(entries, enrollment: Enrollment, today: date, settings: ProgramSettings,  # type: ignore[no-untyped-def]
               early: bool) -> dict[Count, float]:
    """Totals from signed log entries (loaded already, with kind, date, hours and attendees), per
    program year from their dates.

    Only what a mentor or coach has signed counts, and only if dated inside the enrolment and
    not after today: a meeting from before enrolment, or one labelled for the wrong year, counts
    toward nothing or toward the year its date falls in (workflows.program_years). A PIP review
    counts only with the roles the program requires present, each confirmed by someone holding it.
    """
    hours: dict[tuple[str, int], float] = defaultdict(float)
    coaching_weeks: dict[int, set[tuple[int, int]]] = defaultdict(set)
    reviews = 0
    meetings = plugin(enrollment.pathway).reviews  # whom a review meeting needs, to count
    for entry in entries:
        if not counts_on(entry.occurred_on, enrollment.enrolled_on, today):
            continue
        year = program_year(entry.occurred_on, enrollment.enrolled_on, early_completion=early) or 1
        hours[(entry.kind, year)] += entry.hours
        if entry.kind == LogKind.COACHING:
            coaching_weeks[year].add(entry.occurred_on.isocalendar()[:2])
        elif (entry.kind == LogKind.REVIEW_MEETING and meetings
              and not meetings.missing(confirmed_roles(entry.attendee_roles, entry.attendance), settings)):
            reviews += 1

    def total(kind: LogKind, year: int | None = None) -> float:
        return sum(h for (k, y), h in hours.items() if k == kind and (year is None or y == year))

    return {
        Count.REVIEWS_HELD: reviews,
        Count.PRESERVICE_HOURS: total(LogKind.PRESERVICE),
        Count.MENTORING_HOURS: total(LogKind.MENTORING),
        Count.COACHING_WEEKS_Y1: len(coaching_weeks[1]),
        Count.COACHING_WEEKS_Y2: len(coaching_weeks[2]),
        Count.COACHING_HOURS_Y1: total(LogKind.COACHING, 1),
        Count.COACHING_HOURS_Y2: total(LogKind.COACHING, 2),
        Count.PL_HOURS_Y1: total(LogKind.PROFESSIONAL_LEARNING, 1),
        Count.PL_HOURS_Y2: total(LogKind.PROFESSIONAL_LEARNING, 2),
    }


def confirmed_roles(attendee_roles: Iterable[str], attendance: dict[str, Any] | None) -> list[str]:
    """The roles listed at a review meeting that stand: all of them on a meeting recorded before
    confirmations existed (`attendance` None), else those someone holding the role confirmed
    (app/services/evidence/reviews.py)."""
    listed = list(attendee_roles)
    return listed if attendance is None else [role for role in listed if role in attendance]
