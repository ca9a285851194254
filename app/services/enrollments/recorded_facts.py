"""Recording an enrolment's facts on the facts page: owners record or confirm, candidates claim, all audited.

The value lives where the rules read it (an Enrollment column or flag, written by `records`);
a `FactRecord` row keeps who entered it and whether it is only claimed. Each command locks the
enrolment, so two people recording at once cannot lose one another's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, FactRecord, User, utcnow
from app.models.facts import CLAIMED, CONFIRMED
from app.services import Conflict, NotPermitted, PathwayError
from app.services.enrollments import records
from app.services.enrollments.fact_registry import BY_NAME, FactSpec, may_claim, may_record, parse, specs_for
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import load_for_update
from workflows.facts import Count
from workflows.registry import definition
from workflows.rules import Rule
from workflows.vocabulary import about_the_candidate

MISSING, RECORDED = "missing", "recorded"  # no value; a value the system or an import set


@dataclass(frozen=True)
class FactLine:
    """One fact as the facts page shows it, with what the viewer may do about it."""

    spec: FactSpec
    value: date | float | bool | None
    status: str  # confirmed, claimed, recorded or missing
    entered_by: str | None
    entered_at: datetime | None
    confirmed_by: str | None
    reason: str | None
    may_record: bool
    may_claim: bool

    @property
    def may_confirm(self) -> bool:
        """An owner may confirm what the candidate entered."""
        return self.may_record and self.status == CLAIMED


def value_of(enrollment: Enrollment, spec: FactSpec) -> date | float | bool | None:
    """The fact's current value on the enrolment."""
    if spec.kind == "flag":
        return spec.name in enrollment.flags
    return records.value_of(enrollment, spec.name)


def lines(session: Session, enrollment: Enrollment, viewer: User) -> list[FactLine]:
    """The pathway's recordable facts, their values and provenance, and what the viewer may do."""
    roles = policy.roles_on(session, viewer, enrollment)
    provenance = {row.name: row for row in session.exec(
        select(FactRecord).where(FactRecord.enrollment_id == enrollment.id)).all()}
    people = {u.id: u.name for u in session.exec(select(User).where(User.id.in_(  # type: ignore[union-attr]
        {r.recorded_by_id for r in provenance.values()} | {r.confirmed_by_id for r in provenance.values()} | {0}))).all()}
    found = []
    for spec in specs_for(enrollment.pathway):
        value, row = value_of(enrollment, spec), provenance.get(spec.name)
        # A yes/no fact its owner recorded as "no" is recorded; one nobody answered is missing.
        empty = value is None or (value is False and row is None)
        status = row.status if row is not None and not empty else (MISSING if empty else RECORDED)
        found.append(FactLine(spec, value, status, people.get(row.recorded_by_id) if row else None,
                              row.recorded_at if row else None,
                              people.get(row.confirmed_by_id) if row and row.confirmed_by_id else None,
                              row.reason if row else None, may_record(spec, roles), may_claim(spec, roles)))
    return found


def record(session: Session, enrollment_id: int, actor: User, name: str, raw: str | None,
           reason: str | None = None) -> FactRecord:
    """Record a fact from the facts page (the caller commits): confirmed for an owner, claimed for the candidate."""
    enrollment = load_for_update(session, enrollment_id)
    spec = _spec(enrollment, name)
    roles = policy.roles_on(session, actor, enrollment)
    owner = may_record(spec, roles)
    if not owner and not may_claim(spec, roles):
        raise NotPermitted(f"Only the {spec.owners_text} records “{spec.label}”.")
    try:
        value = parse(spec, raw)
    except ValueError as error:
        raise PathwayError(str(error)) from None
    reason = (reason or "").strip() or None
    existing = _provenance(session, enrollment.id, spec.name)  # type: ignore[arg-type]
    recorded = value_of(enrollment, spec) not in (None, False)
    if not owner and ((existing is not None and existing.status == CONFIRMED) or (existing is None and recorded)):
        raise Conflict(f"“{spec.label}” is already recorded by the {spec.owners_text}; ask them to change it.")
    if spec.needs_reason and value is True and not reason:
        raise PathwayError(f"Say why: “{spec.label}” is an exception and goes on the record with its reason.")
    if spec.kind == "flag":
        if value is True:
            _check_window_is_late(session, enrollment, spec)
        records.set_flag(session, enrollment, actor, spec.name, bool(value), reason)
    else:
        if spec.key is Count.PRIOR_EMERGENCY_PERMITS and value is not None:
            if float(value) != int(value):  # type: ignore[arg-type]
                raise PathwayError("Count whole permits.")
            value = int(value)  # type: ignore[arg-type]
        try:
            records.record(session, enrollment, actor, status=CONFIRMED if owner else CLAIMED,
                           **{spec.name: value})
        except records.EnrollmentError as error:
            raise PathwayError(str(error)) from None
    row = _keep(session, enrollment, actor, spec, CONFIRMED if owner else CLAIMED, reason, existing)
    if owner:
        # An exception (or a corrected date) that lifts the reason the daily sweep closed the enrolment reopens it.
        from app.services.enrollments.deadline_events import reopen_if_lifted
        reopen_if_lifted(session, enrollment, actor, reason)
    return row


def confirm(session: Session, enrollment_id: int, actor: User, name: str) -> FactRecord:
    """An owner confirms the value the candidate entered, unchanged (the caller commits)."""
    enrollment = load_for_update(session, enrollment_id)
    spec = _spec(enrollment, name)
    if not may_record(spec, policy.roles_on(session, actor, enrollment)):
        raise NotPermitted(f"Only the {spec.owners_text} confirms “{spec.label}”.")
    row = _provenance(session, enrollment.id, spec.name)  # type: ignore[arg-type]
    if row is None or row.status != CLAIMED:
        raise Conflict(f"There is nothing waiting for confirmation in “{spec.label}”. Reload the page.")
    row.status, row.confirmed_by_id, row.confirmed_at = CONFIRMED, actor.id, utcnow()
    session.add(row)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="fact.confirmed",
                           details={"fact": spec.name, "value": _plain(value_of(enrollment, spec))}))
    return row


def mark_claimed(session: Session, enrollment: Enrollment, candidate: User, names: list[str]) -> None:
    """The facts the candidate typed at sign-up are theirs to claim, waiting for an owner (no commit)."""
    for name in names:
        spec = BY_NAME.get(name)
        if spec is not None and spec.claimable:
            _keep(session, enrollment, candidate, spec, CLAIMED, None,
                  _provenance(session, enrollment.id, name))  # type: ignore[arg-type]


def waiver_rules(enrollment: Enrollment) -> list[Rule]:
    """The window rules of the enrolment's pathway that the director may let it carry on past."""
    rules: dict[str, Rule] = {}
    for spec in definition(enrollment.pathway, enrollment.pathway_version).events.values():
        for rule in spec.rules:
            if rule.waiver is not None:
                rules.setdefault(rule.key, rule)
    return list(rules.values())


def _check_window_is_late(session: Session, enrollment: Enrollment, spec: FactSpec) -> None:
    """A late-window waiver is only for a window that did close late."""
    rule = next((r for r in waiver_rules(enrollment) if r.waiver is spec.key), None)
    facts = build_facts(session, enrollment)
    if rule is not None and not rule.is_late(facts):
        raise Conflict(f"That window has not closed late, so there is nothing to carry on past: {about_the_candidate(rule.explain(facts))}")


def _spec(enrollment: Enrollment, name: str) -> FactSpec:
    spec = BY_NAME.get(name)
    if spec is None or not spec.applies_to(enrollment.pathway):
        raise PathwayError("That is not a fact of this pathway.")
    return spec


def _provenance(session: Session, enrollment_id: int, name: str) -> FactRecord | None:
    return session.exec(select(FactRecord).where(FactRecord.enrollment_id == enrollment_id,
                                                 FactRecord.name == name)).first()


def _keep(session: Session, enrollment: Enrollment, actor: User, spec: FactSpec, status: str, reason: str | None,
          row: FactRecord | None) -> FactRecord:
    """Write who entered the fact and how it stands (one row per fact and enrolment)."""
    row = row or FactRecord(enrollment_id=enrollment.id, name=spec.name, status=status,  # type: ignore[arg-type]
                            recorded_by_id=actor.id)  # type: ignore[arg-type]
    row.status, row.recorded_by_id, row.recorded_at, row.reason = status, actor.id, utcnow(), reason  # type: ignore[assignment]
    row.confirmed_by_id, row.confirmed_at = (actor.id, row.recorded_at) if status == CONFIRMED else (None, None)
    session.add(row)
    return row


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value

