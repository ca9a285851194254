"""PIP review meetings confirmed by the people who attended.

The candidate records a review and ticks who was there (seed 000: "with your district, direct
supervisor, mentor and support provider"). A ticked role stands only once someone holding it on
the enrolment confirms being there; a review counts toward the rule only with the required roles
confirmed (and the mentor's signature, as before). Whoever holds a ticked role and has not
confirmed has it in their inbox (app/services/progress/turns.py) until they confirm or say they
were not there, which takes the role off the record.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, LogEntry, LogKind, User
from app.services import NotFound, NotPermitted, PathwayError
from workflows.roles import Role


class AttendanceError(PathwayError):
    """An attendance answer that cannot be taken."""

    status = 409


def pending_roles(entry: LogEntry) -> list[Role]:
    """The listed roles nobody has confirmed yet."""
    if entry.kind != LogKind.REVIEW_MEETING.value or entry.attendance is None:
        return []
    return [Role(role) for role in entry.attendee_roles if role not in entry.attendance]


def answerable(session: Session, entry: LogEntry, person: User, enrollment: Enrollment) -> list[Role]:
    """The roles `person` may confirm or decline on this meeting: listed, unconfirmed, held by them."""
    if person.id == enrollment.candidate_id:
        return []  # the candidate recorded it; their word is the record itself
    held = policy.roles_on(session, person, enrollment)
    return [role for role in pending_roles(entry) if role in held]


def answer(session: Session, enrollment: Enrollment, log_id: int, person: User, *, present: bool) -> LogEntry:
    """`person` confirms they were at the review in each listed role they hold, or says they were not
    (those roles come off the record). The caller commits; the entry is read locked, so two answers
    at once never lose one another."""
    entry = session.exec(select(LogEntry).where(LogEntry.id == log_id, LogEntry.enrollment_id == enrollment.id)
                         .with_for_update()).first()
    if entry is None or entry.kind != LogKind.REVIEW_MEETING.value:
        raise NotFound("There is no such review meeting.")
    roles = answerable(session, entry, person, enrollment)
    if not roles:
        if entry.attendance is not None and person.id in entry.attendance.values():
            raise AttendanceError("You already confirmed you were at this meeting.")
        raise NotPermitted("Only people listed at this meeting, in a role they hold for this candidate, "
                           "confirm it.")
    values = [role.value for role in roles]
    if present:
        entry.attendance = {**(entry.attendance or {}), **{value: person.id for value in values}}
    else:
        entry.attendee_roles = [role for role in entry.attendee_roles if role not in values]
    session.add(entry)
    session.add(AuditEvent(actor_id=person.id, enrollment_id=enrollment.id,
                           action="review.attended" if present else "review.not_attended",
                           details={"log": entry.id, "roles": values, "occurred_on": entry.occurred_on.isoformat()}))
    return entry


def confirm_signer(entry: LogEntry, signer: User, held: frozenset[Role]) -> None:
    """The mentor who signs a review they were listed at confirms being there by signing it."""
    if entry.attendance is None:
        return
    mine = {role for role in pending_roles(entry) if role in held}
    if mine:
        entry.attendance = {**entry.attendance, **{role.value: signer.id for role in mine}}  # type: ignore[misc]


def day_words(entry: LogEntry) -> str:
    """"the review meeting of 12 March 2027", as inboxes and emails say it."""
    return f"the review meeting of {entry.occurred_on.day} {entry.occurred_on:%B %Y}"


def awaiting(session: Session, enrollment_ids: list[int]) -> list[tuple[int, Role, str, str, LogEntry]]:
    """Each listed, unconfirmed role of these enrolments' review meetings, as a turn for its holders:
    (enrolment, role, key, what, the meeting). One statement."""
    rows = session.exec(select(LogEntry).where(LogEntry.enrollment_id.in_(enrollment_ids),  # type: ignore[attr-defined]
                                               LogEntry.kind == LogKind.REVIEW_MEETING.value,
                                               LogEntry.attendance.is_not(None))).all()  # type: ignore[union-attr]
    return [(entry.enrollment_id, role, f"review-{entry.id}", f"Confirm you were at {day_words(entry)}", entry)
            for entry in rows for role in pending_roles(entry)]
