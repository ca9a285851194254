"""Recording an enrolment's key dates and declared facts, checked and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import AuditEvent, Enrollment, User
from app.services.enrollments.fact_registry import BY_NAME, FACTS
from workflows.facts import Flag
from workflows.keys import CommonDate
from workflows.registry import plugins
from workflows.vocabulary import sentence

# The dates and numbers kept on the enrolment: every recordable fact of those kinds (the facts each
# pathway declares), and the recommendation's date, which the recommendation service records.
DATE_FIELDS = (*(spec.name for spec in FACTS if spec.kind == "date"), str(CommonDate.RECOMMENDED_ON))
NUMBER_FIELDS = {spec.name: spec.maximum or 60 for spec in FACTS if spec.kind == "number"}
# Each pair must be in order: a document cannot expire before it is issued (an expiry a pathway's
# time-driven event reads, and the date it otherwise counts from).
_ORDERED = tuple((t.anchor, t.expiry) for p in plugins() for t in p.time_events if t.expiry)


def has_column(name: str) -> bool:
    """Whether a recorded fact has a column of its own (the three built-in pathways' do); any other
    lives in the enrolment's `facts` document."""
    return name in Enrollment.__table__.columns and name not in ("facts", "flags")  # type: ignore[attr-defined]


def value_of(enrollment: Enrollment, name: str) -> Any:
    """A recorded date or number on the enrolment, wherever it is kept."""
    if has_column(name):
        return getattr(enrollment, name)
    value = (enrollment.facts or {}).get(name)
    return date.fromisoformat(value) if name in DATE_FIELDS and value is not None else value


def column_of(name: str) -> Any:
    """A recorded fact in SQL: its column, or its text in the enrolment's `facts` document."""
    if has_column(name):
        return getattr(Enrollment, name)
    return Enrollment.facts[name].as_string()  # type: ignore[index]


def as_stored(name: str, value: Any) -> Any:
    """A value as `column_of(name)` compares with it (ISO dates in text order are calendar order)."""
    return value.isoformat() if isinstance(value, date) and not has_column(name) else value


def _store(enrollment: Enrollment, name: str, value: Any) -> None:
    if has_column(name):
        setattr(enrollment, name, value)
        return
    kept = dict(enrollment.facts or {})  # a new dict: the JSON column sees the change
    if value is None:
        kept.pop(name, None)
    else:
        kept[name] = value.isoformat() if isinstance(value, date) else value
    enrollment.facts = kept


class EnrollmentError(ValueError):
    """A change to an enrolment's facts that cannot be accepted, with a message for the person."""


def field_label(name: str) -> str:
    """A field's name as people read it ("Enrolment date"): the facts page's label, else its words."""
    spec = BY_NAME.get(name)
    return spec.label if spec else sentence(name.replace("_", " "))


def record(session: Session, enrollment: Enrollment, actor: User, *, status: str | None = None,
           **changes: Any) -> Enrollment:
    """Set key dates and declared numbers on the enrolment (the caller commits).

    `status` ("claimed" or "confirmed") goes on the audit event when the facts page records it.
    """
    before: dict[str, Any] = {}
    for name, value in changes.items():
        if name in DATE_FIELDS:
            if value is not None and not (isinstance(value, date)):
                raise EnrollmentError(f"“{field_label(name)}” must be a date.")
        elif name in NUMBER_FIELDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not 0 <= value <= NUMBER_FIELDS[name]):
                raise EnrollmentError(f"“{field_label(name)}” must be between 0 and {NUMBER_FIELDS[name]:g}.")
        else:
            raise EnrollmentError("That detail cannot be changed here.")
        before[name] = value_of(enrollment, name)
    for start, end in _ORDERED:
        first, last = changes.get(start, value_of(enrollment, start)), changes.get(end, value_of(enrollment, end))
        if first is not None and last is not None and last <= first:
            raise EnrollmentError(f"The {end.replace('_', ' ')} date must come after the "
                                  f"{start.replace('_', ' ')} date.")
    for name, value in changes.items():
        _store(enrollment, name, value)
    session.add(enrollment)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="enrollment.facts_recorded",
                           details={**{name: {"from": _plain(before[name]), "to": _plain(value)}
                                       for name, value in changes.items()},
                                    **({"status": status} if status else {})}))
    return enrollment


def set_flag(session: Session, enrollment: Enrollment, actor: User, flag: str, present: bool,
             reason: str | None = None) -> Enrollment:
    """Record or clear a yes/no fact (e.g. "the program advised the candidate of the ECO")."""
    flag_ = Flag(flag)
    flags = set(enrollment.flags)
    if (flag_.value in flags) == present:
        return enrollment
    flags.symmetric_difference_update({flag_.value})
    enrollment.flags = sorted(flags)  # a new list, so the JSON column is seen as changed
    session.add(enrollment)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id,
                           action="enrollment.flag_set" if present else "enrollment.flag_cleared",
                           reason=reason, details={"flag": flag_.value}))
    return enrollment


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
