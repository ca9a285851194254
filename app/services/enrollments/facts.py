"""Build the pathway engine's facts snapshot for one enrolment from the database."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from app.models import (
    Enrollment,
    Evidence,
    FactRecord,
    LogEntry,
    LogKind,
    Membership,
    Organisation,
    Program,
    SelfAssessment,
    SignOff,
    utcnow,
)
from app.models.facts import CLAIMED
from app.services.evidence import documents as evidence_service
from app.services.evidence import logs as logs_service
from workflows.deadlines import local_today
from workflows.facts import Count, EvidenceKind, Facts, Flag, KeyDate
from workflows.program_years import counts_on, review_missing
from workflows.roles import Role
from workflows.settings import ProgramSettings

# Enrolment columns that are key dates under the same name.
_DATE_COLUMNS = (KeyDate.ENROLLED_ON, KeyDate.PERMIT_ISSUED_ON, KeyDate.PERMIT_EXPIRES_ON,
                 KeyDate.PRELIMINARY_ISSUED_ON, KeyDate.PRELIMINARY_EXPIRES_ON,
                 KeyDate.ADMIN_POSITION_STARTED_ON, KeyDate.PASC_ISSUED_ON, KeyDate.PASC_EXPIRES_ON,
                 KeyDate.RECOMMENDED_ON)
# Declared numbers kept on the enrolment.
_COUNT_COLUMNS = {Count.PRIOR_EMERGENCY_PERMITS: "prior_emergency_permits",
                  Count.TEACHING_YEARS: "teaching_years",
                  Count.ADMIN_EXPERIENCE_YEARS: "admin_experience_years"}


def program_settings(program: Program) -> ProgramSettings:
    """The program's thresholds: the rule book's defaults with the program's overrides."""
    return ProgramSettings.from_mapping(program.settings or {})


def build_facts(session: Session, enrollment: Enrollment, now: datetime | None = None) -> Facts:
    """Everything the rules may look at for this enrolment, as of `now`."""
    program = session.get(Program, enrollment.program_id)
    organisation = session.get(Organisation, program.organisation_id) if program else None
    zone = organisation.timezone if organisation else "America/Los_Angeles"
    today = local_today(now or utcnow(), zone)

    def local(moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(zone)).date()

    dates: dict[KeyDate, date] = {k: getattr(enrollment, k.value) for k in _DATE_COLUMNS
                                  if getattr(enrollment, k.value) is not None}
    if enrollment.pathway == "casc":
        dates[KeyDate.ADMITTED_ON] = enrollment.enrolled_on
    dates.update(_assignment_dates(session, enrollment.id, local))  # type: ignore[arg-type]
    # The ILP's goals count as set when its first version was submitted.
    first_ilp = session.exec(select(Evidence.uploaded_at).where(
        Evidence.enrollment_id == enrollment.id, Evidence.kind == EvidenceKind.ILP.value)
        .order_by(Evidence.uploaded_at)).first()
    if first_ilp is not None:
        dates[KeyDate.ILP_GOALS_SET_ON] = local(first_ilp)

    settings = program_settings(program) if program else ProgramSettings()
    counts = _log_counts(session, enrollment, today, settings)
    counts[Count.SELF_ASSESSMENTS] = len(session.exec(select(SelfAssessment.id).where(
        SelfAssessment.enrollment_id == enrollment.id)).all())
    for count, column in _COUNT_COLUMNS.items():
        if getattr(enrollment, column) is not None:
            counts[count] = getattr(enrollment, column)

    signoffs = session.exec(select(SignOff.key, SignOff.role).where(
        SignOff.enrollment_id == enrollment.id, SignOff.withdrawn_at.is_(None))).all()  # type: ignore[union-attr]
    return Facts(
        pathway=enrollment.pathway,
        today=today,
        settings=settings,
        dates=dates,
        evidence={kind: row.status for kind, row in evidence_service.current(session, enrollment.id).items()},  # type: ignore[arg-type]
        signoffs=frozenset((key, role) for key, role in signoffs),
        counts=counts,
        flags=frozenset(Flag(flag) for flag in enrollment.flags),
        claimed=_claimed(session, enrollment.id),  # type: ignore[arg-type]
    )


def _claimed(session: Session, enrollment_id: int) -> frozenset[str]:
    """Facts the candidate entered that no owner has confirmed yet: no rule counts them."""
    return frozenset(session.exec(select(FactRecord.name).where(
        FactRecord.enrollment_id == enrollment_id, FactRecord.status == CLAIMED)).all())


def _assignment_dates(session: Session, enrollment_id: int, local) -> dict[KeyDate, date]:  # type: ignore[no-untyped-def]
    """When the first mentor and coach were assigned to this enrolment: the day the program
    confirmed a candidate's proposal, or the day it made the assignment itself."""
    found: dict[KeyDate, date] = {}
    assigned = sa.func.coalesce(Membership.confirmed_at, Membership.created_at)
    for role, key in ((Role.MENTOR, KeyDate.MENTOR_ASSIGNED_ON), (Role.COACH, KeyDate.COACH_ASSIGNED_ON)):
        first = session.exec(select(Membership.created_at, Membership.confirmed_at).where(
            Membership.enrollment_id == enrollment_id, Membership.role == role.value,
            Membership.revoked_at.is_(None)).order_by(assigned)).first()  # type: ignore[union-attr]
        if first is not None:
            found[key] = local(first[1] or first[0])
    return found


def _log_counts(session: Session, enrollment: Enrollment, today: date,
                settings: ProgramSettings) -> dict[Count, float]:
    """Totals from signed log entries, per program year from their dates.

    Only what a mentor or coach has signed counts, and only if dated inside the enrolment and
    not after today: a meeting from before enrolment, or one labelled for the wrong year, counts
    toward nothing or toward the year its date falls in (workflows.program_years). A PIP review
    counts only with the roles the program requires present.
    """
    entries = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id,
                                                  LogEntry.signed_at.is_not(None))).all()  # type: ignore[union-attr]
    return count_logs(entries, enrollment, today, settings, logs_service.early_completion(session, enrollment))


def count_logs(entries, enrollment: Enrollment, today: date, settings: ProgramSettings,  # type: ignore[no-untyped-def]
               early: bool) -> dict[Count, float]:
    """The totals `_log_counts` describes, from signed entries already loaded (shared with facts_batch)."""
    hours: dict[tuple[str, int], float] = defaultdict(float)
    coaching_weeks: dict[int, set[tuple[int, int]]] = defaultdict(set)
    reviews = 0
    for entry in entries:
        if not counts_on(entry.occurred_on, enrollment.enrolled_on, today):
            continue
        year = logs_service.year_of(entry, enrollment, early) or 1
        hours[(entry.kind, year)] += entry.hours
        if entry.kind == LogKind.COACHING:
            coaching_weeks[year].add(entry.occurred_on.isocalendar()[:2])
        elif entry.kind == LogKind.REVIEW_MEETING and not review_missing(entry.attendee_roles, settings):
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
