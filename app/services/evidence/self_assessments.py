"""Self-assessments on the six standards, taken again over the program to show growth.

Induction candidates rate themselves on the CSTP, CASC candidates on the CPSEL (three times at
Butte: rule book §3.3); PIP teachers keep none. Ratings use one program scale, 1 to 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, SelfAssessment, User
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from workflows.rating_scales import SELF_ASSESSMENT
from workflows.registry import plugin
from workflows.standards import StandardSet

# The rating scale, lowest first (workflows/rating_scales.py says why it is not the panel's rubric).
SCALE = SELF_ASSESSMENT
LEVELS = SCALE.levels
NUMBERS = (1, 2, 3, 4, 5, 6)
# An initial self-assessment may predate enrolment a little (taken at admission), not by years.
EARLIEST_BEFORE_ENROLMENT = timedelta(days=366)


class SelfAssessmentError(PathwayError):
    """A self-assessment that cannot be accepted; `reasons` lists every problem."""


def standards_for(enrollment: Enrollment) -> StandardSet:
    """Which standards this enrolment's candidate rates themselves on (NotFound for PIP)."""
    standards = plugin(enrollment.pathway).standards
    if standards is None:
        raise NotFound("This pathway keeps no self-assessments.")
    return standards


def history(session: Session, enrollment: Enrollment) -> list[SelfAssessment]:
    """Every self-assessment on the enrolment, oldest first."""
    return list(session.exec(select(SelfAssessment).where(SelfAssessment.enrollment_id == enrollment.id)
                             .order_by(SelfAssessment.taken_on, SelfAssessment.id)).all())  # type: ignore[arg-type]


def record(session: Session, enrollment: Enrollment, actor: User, *, taken_on: date,
           ratings: Mapping[str, Any], today: date) -> SelfAssessment:
    """Store a self-assessment rating all six standards (the caller commits)."""
    standards = standards_for(enrollment)
    if not policy.can_record_self_assessment(actor, enrollment):
        raise NotPermitted("A self-assessment is the candidate's own.")
    problems = []
    if taken_on > today:
        problems.append("The date is in the future. Record a self-assessment once you have taken it.")
    elif taken_on < enrollment.enrolled_on - EARLIEST_BEFORE_ENROLMENT:
        problems.append("That date is more than a year before you enrolled. Check the year.")
    clean = clean_ratings(ratings, standards, problems)
    if problems:
        raise SelfAssessmentError("The self-assessment was not saved.", problems)
    taken = session.exec(select(SelfAssessment.id).where(SelfAssessment.enrollment_id == enrollment.id,
                                                         SelfAssessment.taken_on == taken_on)).first()
    if taken is not None:
        raise Conflict(f"You already recorded a self-assessment on {taken_on:%B} {taken_on.day}, {taken_on.year}.")
    row = SelfAssessment(enrollment_id=enrollment.id, standards=standards.value, taken_on=taken_on, ratings=clean)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="self_assessment.recorded",
                           details={"self_assessment": row.id, "standards": standards.value,
                                    "taken_on": taken_on.isoformat(), "ratings": clean}))
    return row


def clean_ratings(ratings: Mapping[str, Any], standards: StandardSet, problems: list[str]) -> dict[str, int]:
    """A rating on the scale for each of the six standards ("1".."6" -> level); every problem is added to
    `problems` (a self-assessment, or a mentor's or program's assessment on the standards)."""
    clean: dict[str, int] = {}
    for number in NUMBERS:
        raw = str(ratings.get(str(number)) or "").strip()
        if not raw.isdigit() or int(raw) not in LEVELS:
            problems.append(f"Rate {standards.label} {number} from {min(LEVELS)} to {max(LEVELS)}.")
        else:
            clean[str(number)] = int(raw)
    if set(map(str, ratings)) - {str(n) for n in NUMBERS}:
        problems.append(f"There are six {standards.label} standards, numbered 1 to 6.")
    return clean
