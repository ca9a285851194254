"""Support records: observations of colleagues, just-in-time contacts, assessments on the standards,
reflections on plan goals and the program's feedback to the mentor (workflows/support.py).

Who records each kind is the pathway's `support` spec; who reads it, its confidentiality table
(evaluators never). Records are dated inside the enrolment and, except an observation being
scheduled, not after today where the organisation is; the program year follows from the date. A
just-in-time contact is counted on its own: it never adds to the mentoring hours the rules read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app import policy
from app.confidentiality import Channel, Content, may_read
from app.models import AuditEvent, Enrollment, Plan, SupportRecord, User
from app.services import NotFound, NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.evidence.self_assessments import NUMBERS, clean_ratings
from workflows.program_years import program_year
from workflows.registry import plugin
from workflows.roles import Role
from workflows.standards import StandardSet
from workflows.support import KINDS, SupportSpec

MAX_MINUTES = 240  # a short contact; anything longer is a mentoring meeting for the log
MAX_TEXT = 10000
SCHEDULED_AHEAD = timedelta(days=366)  # an observation scheduled further ahead is a typing error


class SupportError(PathwayError):
    """A support record that cannot be accepted; `reasons` lists every problem."""


@dataclass(frozen=True)
class Entry:
    """What a support record says, as typed (the form's or the API's fields)."""

    kind: str
    occurred_on: date
    text: str = ""
    colleague: str = ""
    standard: int | None = None
    minutes: int | None = None
    topic: str = ""
    ratings: Mapping[str, Any] | None = None
    goal: str = ""


def spec_for(enrollment: Enrollment) -> SupportSpec:
    """The support records this enrolment's pathway keeps (NotFound when it keeps none)."""
    spec = plugin(enrollment.pathway).support
    if spec is None:
        raise NotFound("This pathway keeps no support records.")
    return spec


def standards_for(enrollment: Enrollment) -> StandardSet:
    """The six standards the pathway's records name (the CSTP on induction)."""
    return plugin(enrollment.pathway).standards or StandardSet.CSTP


def readable(roles: frozenset[Role], enrollment: Enrollment, channel: Channel = Channel.PAGE) -> list[Content]:
    """The kinds `roles` read on this enrolment, in page order (none on a pathway that keeps none)."""
    spec = plugin(enrollment.pathway).support
    if spec is None:
        return []
    if channel is Channel.PAGE:
        return [kind for kind in KINDS if kind in spec.kinds and policy.can_read_support(roles, enrollment.pathway, kind)]
    return [kind for kind in KINDS if kind in spec.kinds and may_read(roles, (enrollment.pathway, kind), channel)]


def writable(roles: frozenset[Role], enrollment: Enrollment) -> list[Content]:
    """The kinds `roles` record on this enrolment: theirs to write, and to read."""
    return [kind for kind in readable(roles, enrollment) if policy.can_record_support(roles, enrollment.pathway, kind)]


def history(session: Session, enrollment: Enrollment, kinds: list[Content]) -> dict[Content, list[SupportRecord]]:
    """The enrolment's records of `kinds`, newest first, by kind (one query)."""
    found: dict[Content, list[SupportRecord]] = {kind: [] for kind in kinds}
    if not kinds:
        return found
    rows = session.exec(select(SupportRecord).where(SupportRecord.enrollment_id == enrollment.id,
                                                    SupportRecord.kind.in_([k.value for k in kinds]))  # type: ignore[attr-defined]
                        .order_by(SupportRecord.occurred_on.desc(), SupportRecord.id.desc())).all()  # type: ignore[attr-defined]
    for row in rows:
        found[Content(row.kind)].append(row)
    return found


def latest_assessments(session: Session, enrollment: Enrollment, roles: frozenset[Role]) -> list[tuple[str, SupportRecord]]:
    """The latest assessment on the standards by the mentor, and by the program, for readers of them
    (shown beside the candidate's self-ratings): (whose, in words; the record), mentor first."""
    if Content.STANDARDS_ASSESSMENT not in readable(roles, enrollment):
        return []
    rows = history(session, enrollment, [Content.STANDARDS_ASSESSMENT])[Content.STANDARDS_ASSESSMENT]
    found = []
    for role, whose in ((Role.MENTOR, "Mentor"), (Role.PROGRAM_DIRECTOR, "Program")):
        latest = next((row for row in rows if row.author_role == role.value), None)  # newest first
        if latest is not None:
            found.append((whose, latest))
    return found


def ilp_goals(session: Session, enrollment: Enrollment) -> list[str]:
    """The goals of the enrolment's plans, as written (what a goal reflection is about)."""
    goals: list[str] = []
    for plan in session.exec(select(Plan).where(Plan.enrollment_id == enrollment.id)).all():
        goals += [str(item.get("goal") or "").strip() for item in plan.items if isinstance(item, dict)]
    return [goal for goal in goals if goal]


def record(session: Session, enrollment: Enrollment, actor: User, roles: frozenset[Role], entry: Entry,
           today: date) -> SupportRecord:
    """Store a support record written by `actor` holding `roles` (the caller commits)."""
    spec = spec_for(enrollment)
    if not readable(roles, enrollment):
        raise NotFound("There is no such page.")
    try:
        kind = Content(entry.kind)
    except ValueError:
        kind = None
    if kind is None or kind not in spec.kinds:
        raise SupportError("The record was not saved.", ["Choose what you are recording."])
    if not policy.can_record_support(roles, enrollment.pathway, kind):
        raise NotPermitted(f"Recording {spec.kinds[kind].one} is not part of your role here.")
    problems = _check_date(kind, entry, enrollment, today)
    fields = _check_fields(session, enrollment, kind, entry, today, problems)
    if problems:
        raise SupportError("The record was not saved.", problems)
    year = program_year(entry.occurred_on, enrollment.enrolled_on,
                        early_completion=case_file.of(session, enrollment).early_completion) or 1
    author_role = next(role for role in (Role.PROGRAM_DIRECTOR, Role.MENTOR, Role.CANDIDATE)
                       if role in roles and role in spec.writers(kind))
    row = SupportRecord(enrollment_id=enrollment.id, kind=kind.value, occurred_on=entry.occurred_on,  # type: ignore[arg-type]
                        program_year=min(year, 2), author_id=actor.id, author_role=author_role.value, **fields)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    # The audit row says what and when, never the words (they stay with the record's readers).
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="support_record.recorded",
                           details={"support_record": row.id, "kind": kind.value,
                                    "occurred_on": entry.occurred_on.isoformat()}))
    return row


def _check_date(kind: Content, entry: Entry, enrollment: Enrollment, today: date) -> list[str]:
    if entry.occurred_on > today and kind is not Content.OBSERVATION:
        return ["The date is in the future. Record it once it has happened."]
    if entry.occurred_on > today + SCHEDULED_AHEAD:
        return ["That is more than a year ahead. Schedule observations within the coming year."]
    if entry.occurred_on < enrollment.enrolled_on:
        began = enrollment.enrolled_on
        return [f"That date is before the enrolment began on {began:%B} {began.day}, {began.year}."]
    return []


def _check_fields(session: Session, enrollment: Enrollment, kind: Content, entry: Entry, today: date,
                  problems: list[str]) -> dict[str, Any]:
    """The record's own fields, cleaned; every problem is added to `problems`."""
    text = entry.text.strip()
    if len(text) > MAX_TEXT:
        problems.append(f"Keep the text under {MAX_TEXT:,} characters.")
    standards = standards_for(enrollment)
    if kind is Content.OBSERVATION:
        colleague = entry.colleague.strip()
        if not colleague or len(colleague) > 200:
            problems.append("Say whom you observed (their name, and their role or grade).")
        if entry.standard not in NUMBERS:
            problems.append(f"Choose the {standards.label} standard the observation focused on.")
        if entry.occurred_on <= today and not text:
            problems.append("Write a reflection on what you observed.")
        return {"colleague": colleague, "standard": entry.standard, "text": text}
    if kind is Content.JUST_IN_TIME:
        topic = entry.topic.strip()
        if entry.minutes is None or not 1 <= entry.minutes <= MAX_MINUTES:
            problems.append(f"Give the contact's length in minutes, from 1 to {MAX_MINUTES}.")
        if not topic or len(topic) > 200:
            problems.append("Say what the contact was about, in a few words.")
        return {"minutes": entry.minutes, "topic": topic, "text": text}
    if kind is Content.STANDARDS_ASSESSMENT:
        return {"ratings": clean_ratings(entry.ratings or {}, standards, problems), "text": text}
    if kind is Content.GOAL_REFLECTION:
        goal = entry.goal.strip()
        if goal not in ilp_goals(session, enrollment):
            problems.append("Choose one of the ILP's goals (the ILP needs goals first).")
        if not text:
            problems.append("Write how you are progressing toward the goal.")
        return {"goal": goal, "text": text}
    if kind in (Content.DATA_CYCLE, Content.CONNECTION):
        topic = entry.topic.strip()
        if not topic or len(topic) > 200:
            problems.append("Say which data you looked at, in a few words." if kind is Content.DATA_CYCLE
                            else "Say whom or what the teacher was connected to, in a few words.")
        if kind is Content.DATA_CYCLE and not text:
            problems.append("Write what the data showed and what the next lessons will do about it.")
        return {"topic": topic, "text": text}
    if not text:  # feedback to the mentor
        problems.append("Write the feedback for the mentor.")
    return {"text": text}


def kind_label(enrollment: Enrollment, kind: str) -> str:
    """A kind's heading in plain words."""
    return spec_for(enrollment).kinds[Content(kind)].label
