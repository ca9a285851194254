"""What no one can act on: turns on enrolments whose role nobody active holds where they are.

Kept current with every change (progress/turns.py marks each turn `nobody` as it is written, and
a role given or taken away, or an account switched off, rewrites the turns it touches), so the
director's cohort page lists it the moment it happens; the daily sweep also emails each program's
directors while the list is not empty, once a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import func
from sqlmodel import Session, select

from app import outbox
from app.models import Enrollment, EnrollmentTurn, Organisation, Program, User, utcnow
from app.services.team.director_notices import program_directors
from app.zones import DEFAULT_ZONE, local_day
from workflows.deadlines import local_today
from workflows.roles import Role


@dataclass(frozen=True)
class Stuck:
    """A turn on the "no one can act" list."""

    enrollment_id: int
    candidate_name: str
    role: Role
    what: str
    since: date | None  # the day it began to wait, on the organisation's calendar


def nobody_can_act(session: Session, program_ids: Sequence[int], limit: int = 50) -> list[Stuck]:
    """Turns on these programs' enrolments that no active person holds the role for, oldest first,
    at most `limit` (the page says when there are more): the director's "no one can act" list."""
    if not program_ids:
        return []
    rows = session.connection().execute(
        select(EnrollmentTurn.enrollment_id, User.name, EnrollmentTurn.role, EnrollmentTurn.what,  # type: ignore[call-overload]
               EnrollmentTurn.since, Organisation.timezone)
        .join(Enrollment, Enrollment.id == EnrollmentTurn.enrollment_id)
        .join(User, User.id == Enrollment.candidate_id)
        .join(Program, Program.id == Enrollment.program_id)
        .join(Organisation, Organisation.id == Program.organisation_id)
        .where(EnrollmentTurn.program_id.in_(list(program_ids)), EnrollmentTurn.nobody.is_(True))  # type: ignore[attr-defined]
        .order_by(EnrollmentTurn.since, EnrollmentTurn.id).limit(limit)).all()
    return [Stuck(eid, name, Role(role), what, local_day(since, zone or DEFAULT_ZONE))
            for eid, name, role, what, since, zone in rows]


def tell_directors(session: Session, now: datetime | None = None) -> int:
    """Email each director of a program with something no one can act on, once a day (commits); how
    many emails were written."""
    now = now or utcnow()
    written = 0
    for program_id, timezone, count in session.exec(
            select(EnrollmentTurn.program_id, Organisation.timezone, func.count(func.distinct(EnrollmentTurn.enrollment_id)))
            .join(Program, Program.id == EnrollmentTurn.program_id)  # type: ignore[arg-type]
            .join(Organisation, Organisation.id == Program.organisation_id)  # type: ignore[arg-type]
            .where(EnrollmentTurn.nobody.is_(True))  # type: ignore[attr-defined]
            .group_by(EnrollmentTurn.program_id, Organisation.timezone)).all():
        day = local_today(now, timezone or DEFAULT_ZONE)
        for director in program_directors(session, SimpleNamespace(program_id=program_id)):  # type: ignore[arg-type]
            outbox.add(session, "email.no_one_can_act", f"no-one-can-act-{program_id}-{day}-{director.id}",
                       program_id=program_id, recipient_id=director.id, candidates=count)
            written += 1
    outbox.commit(session)
    return written
