"""The facts snapshots of many enrolments at once, in a fixed number of queries.

`facts.build_facts` asks the database about one enrolment about ten times; building a cohort's
facts that way costs ten statements per candidate. Here each table is read once for the whole
batch (`enrollment_id IN (...)`), and the snapshot is assembled exactly as `build_facts` does
(tests/app/test_scale.py checks that both agree on every enrolment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import (
    AuditEvent,
    Enrollment,
    Evidence,
    FactRecord,
    LogEntry,
    Membership,
    Organisation,
    Program,
    SelfAssessment,
    SignOff,
    utcnow,
)
from app.models.facts import CLAIMED
from app.services.enrollments.facts import _COUNT_COLUMNS, _DATE_COLUMNS, count_logs, program_settings
from workflows.deadlines import local_today
from workflows.facts import Count, EvidenceKind, Facts, Flag, KeyDate
from workflows.roles import Role
from workflows.settings import ProgramSettings

# The Early Completion Option is read from the latest move into either first year (evidence/logs.py).
_ECO_STATE, _TWO_YEAR_STATE = "eco_active", "year1_active"
_ASSIGNED = {Role.MENTOR.value: KeyDate.MENTOR_ASSIGNED_ON, Role.COACH.value: KeyDate.COACH_ASSIGNED_ON}


def build_many(session: Session, enrollments: Sequence[Enrollment], now: datetime | None = None) -> dict[int, Facts]:
    """Facts per enrolment id, as `build_facts` gives them, in nine queries whatever the number."""
    if not enrollments:
        return {}
    ids = [e.id for e in enrollments]
    places = {program.id: (program, organisation) for program, organisation in session.exec(
        select(Program, Organisation).join(Organisation, Program.organisation_id == Organisation.id, isouter=True)  # type: ignore[arg-type]
        .where(Program.id.in_({e.program_id for e in enrollments}))).all()}  # type: ignore[union-attr]
    assigned: dict[int, dict[str, datetime]] = defaultdict(dict)
    for enrollment_id, role, first in session.exec(
            select(Membership.enrollment_id, Membership.role, func.min(Membership.created_at))
            .where(Membership.enrollment_id.in_(ids), Membership.role.in_(list(_ASSIGNED)),  # type: ignore[union-attr, attr-defined]
                   Membership.revoked_at.is_(None))  # type: ignore[union-attr]
            .group_by(Membership.enrollment_id, Membership.role)).all():
        assigned[enrollment_id][role] = first
    first_ilp: dict[int, datetime] = {}
    live: dict[int, dict[str, str]] = defaultdict(dict)
    for enrollment_id, kind, status, uploaded_at, superseded_at in session.exec(
            select(Evidence.enrollment_id, Evidence.kind, Evidence.status, Evidence.uploaded_at, Evidence.superseded_at)
            .where(Evidence.enrollment_id.in_(ids)).order_by(Evidence.uploaded_at, Evidence.id)).all():  # type: ignore[attr-defined]
        if kind == EvidenceKind.ILP.value:
            first_ilp.setdefault(enrollment_id, uploaded_at)
        if superseded_at is None:
            live[enrollment_id][kind] = status
    assessments = dict(session.exec(select(SelfAssessment.enrollment_id, func.count(SelfAssessment.id))  # type: ignore[call-overload]
                                    .where(SelfAssessment.enrollment_id.in_(ids))  # type: ignore[attr-defined]
                                    .group_by(SelfAssessment.enrollment_id)).all())
    entries: dict[int, list] = defaultdict(list)  # type: ignore[type-arg]
    for row in session.exec(select(LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on, LogEntry.hours,
                                   LogEntry.attendee_roles)
                            .where(LogEntry.enrollment_id.in_(ids), LogEntry.signed_at.is_not(None))).all():  # type: ignore[attr-defined, union-attr]
        entries[row.enrollment_id].append(row)
    early = _early_completion(session, [e.id for e in enrollments if e.pathway == "induction"])  # type: ignore[misc]
    signoffs: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for enrollment_id, key, role in session.exec(select(SignOff.enrollment_id, SignOff.key, SignOff.role).where(
            SignOff.enrollment_id.in_(ids), SignOff.withdrawn_at.is_(None))).all():  # type: ignore[attr-defined, union-attr]
        signoffs[enrollment_id].add((key, role))
    claimed: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, name in session.exec(select(FactRecord.enrollment_id, FactRecord.name).where(
            FactRecord.enrollment_id.in_(ids), FactRecord.status == CLAIMED)).all():  # type: ignore[attr-defined]
        claimed[enrollment_id].add(name)

    found: dict[int, Facts] = {}
    for enrollment in enrollments:
        program, organisation = places.get(enrollment.program_id, (None, None))
        zone = organisation.timezone if organisation else "America/Los_Angeles"
        today = local_today(now or utcnow(), zone)
        tz = ZoneInfo(zone)

        def local(moment: datetime) -> date:
            return moment.astimezone(tz).date()

        eid: int = enrollment.id  # type: ignore[assignment]
        dates: dict[KeyDate, date] = {k: getattr(enrollment, k.value) for k in _DATE_COLUMNS
                                      if getattr(enrollment, k.value) is not None}
        if enrollment.pathway == "casc":
            dates[KeyDate.ADMITTED_ON] = enrollment.enrolled_on
        dates.update({_ASSIGNED[role]: local(first) for role, first in assigned.get(eid, {}).items()})
        if eid in first_ilp:
            dates[KeyDate.ILP_GOALS_SET_ON] = local(first_ilp[eid])
        settings = program_settings(program) if program else ProgramSettings()
        counts = count_logs(entries.get(eid, []), enrollment, today, settings, early.get(eid, False))
        counts[Count.SELF_ASSESSMENTS] = assessments.get(eid, 0)
        for count, column in _COUNT_COLUMNS.items():
            if getattr(enrollment, column) is not None:
                counts[count] = getattr(enrollment, column)
        found[eid] = Facts(pathway=enrollment.pathway, today=today, settings=settings, dates=dates,  # type: ignore[arg-type]
                           evidence=dict(live.get(eid, {})),  # type: ignore[arg-type]
                           signoffs=frozenset(signoffs.get(eid, set())), counts=counts,
                           flags=frozenset(Flag(flag) for flag in enrollment.flags),
                           claimed=frozenset(claimed.get(eid, set())))
    return found


def _early_completion(session: Session, induction_ids: list[int]) -> dict[int, bool]:
    """Per induction enrolment: whether its latest move into a first year was into the ECO year."""
    latest: dict[int, bool] = {}
    for enrollment_id, to_state in session.exec(select(AuditEvent.enrollment_id, AuditEvent.to_state).where(
            AuditEvent.enrollment_id.in_(induction_ids), AuditEvent.action == "enrollment.transition",  # type: ignore[union-attr]
            AuditEvent.to_state.in_([_ECO_STATE, _TWO_YEAR_STATE]))  # type: ignore[union-attr]
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())).all():  # type: ignore[attr-defined, union-attr]
        latest.setdefault(enrollment_id, to_state == _ECO_STATE)  # type: ignore[arg-type]
    return latest
