"""Enrolling candidates and moving their enrolments along a pathway, one transaction each.

apply_event: lock the enrolment (FOR UPDATE on PostgreSQL; the optimistic version column
everywhere), build the facts, let the pure engine fire the event, write the audit event (with the
SHA-256 of every verified document relied on) and the outbox notification, commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app import outbox, policy
from app.models import AuditEvent, Enrollment, Program, Recommendation, RecommendationStatus, User, utcnow
from app.services import Blocked, Conflict, NotFound, NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.enrollments.facts import build_facts
from workflows import engine
from workflows.errors import EventNotAllowed, StepBlocked, UnknownState
from workflows.facts import EvidenceStatus, Facts
from workflows.pathway_map import pathway_map
from workflows.registry import CURRENT_VERSION, definition, plugin
from workflows.roles import Role
from workflows.vocabulary import sentence

CHANGED_MEANWHILE = "Someone else changed this enrolment at the same moment. Reload the page and try again."


@dataclass(frozen=True)
class Transition:
    """What an applied event did."""

    enrollment: Enrollment
    event: str
    from_state: str
    to_state: str
    audit_event_id: int


def enroll(session: Session, candidate: User, program: Program, enrolled_on: date, actor: User,
           **details: object) -> Enrollment:
    """Start a candidate on the program's pathway, pinned to the current definition version."""
    version = CURRENT_VERSION[program.pathway]
    enrollment = Enrollment(candidate_id=candidate.id, program_id=program.id, pathway=program.pathway,
                            pathway_version=version, state=engine.initial_state(program.pathway, version),
                            enrolled_on=enrolled_on, state_changed_at=utcnow(), **details)
    session.add(enrollment)
    session.flush()
    created = AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="enrollment.created",
                         to_state=enrollment.state, details={"pathway": program.pathway, "pathway_version": version})
    session.add(created)
    session.flush()
    return enrollment


def load_for_update(session: Session, enrollment_id: int) -> Enrollment:
    """The enrolment, row-locked on PostgreSQL and refreshed from the database."""
    enrollment = session.exec(
        select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if enrollment is None:
        raise NotFound("There is no such enrolment.")
    return enrollment


def apply_event(session: Session, enrollment_id: int, event: str, actor: User | None, *,
                reason: str | None = None, expected_version: int | None = None,
                now: datetime | None = None) -> Transition:
    """Fire `event` on the enrolment for `actor` (None: the system, for automatic events).

    A Blocked error says whether the step waits on sign-offs; a person asking for a step goes
    through `signoffs.queueing.ask_for_step`, which then asks the role holders for them.
    """
    now = now or utcnow()
    enrollment = load_for_update(session, enrollment_id)
    if expected_version is not None and enrollment.version_id != expected_version:
        raise Conflict("This enrolment changed since you opened it. Reload the page to see where it stands.")
    facts = build_facts(session, enrollment, now)
    option = _option(enrollment, event, facts)
    _authorise(session, actor, enrollment, option)
    try:
        transition = transition_now(session, enrollment, event, actor, facts, now=now, reason=reason,
                                    label=option.label)
        outbox.commit(session)
    except Blocked as blocked:
        # What asking for the step needs to queue sign-off tasks (signoffs.queueing.ask_for_step).
        blocked.facts = facts
        # A passed deadline (an expired permit...) ends the step: nobody is asked to sign for it.
        blocked.awaits_signoffs = (actor is not None and not any(rule.ends_steps for rule in option.unmet)
                                   and any(rule.signoff is not None for rule in option.unmet))
        raise
    except StaleDataError:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None
    return transition


def transition_now(session: Session, enrollment: Enrollment, event: str, actor: User | None, facts: Facts, *,
                   now: datetime, reason: str | None = None, label: str | None = None,
                   details: dict[str, object] | None = None) -> Transition:
    """Fire `event` on an enrolment already loaded for update, audit it, queue the candidate's
    email; flushes but never commits, so a sign-off and the step it completes share a transaction."""
    from_state = enrollment.state
    try:
        to_state = engine.fire(enrollment.pathway, enrollment.pathway_version, from_state, event, facts)
    except StepBlocked as blocked:
        raise Blocked(f"{label or sentence(event.replace('_', ' '))} is not possible yet.",
                      blocked.reasons) from None
    except EventNotAllowed:
        raise Conflict(_moved_on(enrollment)) from None
    # Read before the row changes: a query after it would autoflush the UPDATE outside the
    # conflict handling of the caller.
    relied_on = {kind: row.sha256 for kind, row in case_file.of(session, enrollment).current_documents.items()
                 if row.status == EvidenceStatus.VERIFIED}

    enrollment.state = to_state
    enrollment.state_changed_at = now
    session.add(enrollment)
    audit = AuditEvent(actor_id=actor.id if actor else None, enrollment_id=enrollment.id,
                       action="enrollment.transition", event=event, from_state=from_state, to_state=to_state,
                       reason=(reason or "").strip() or None, occurred_at=now,
                       details={"pathway_version": enrollment.pathway_version, "evidence": relied_on,
                                **(details or {})})
    session.add(audit)
    session.flush()
    if event == ISSUED:
        _recommendation_follows(session, enrollment, actor, now, facts.today)
    outbox.add(session, "email.step_advanced", f"transition-{audit.id}", audit_event_id=audit.id)
    return Transition(enrollment, event, from_state, to_state, audit.id)  # type: ignore[arg-type]


# Every pathway names its issuance event so (app/services/programs/recommendations.py follows it too).
ISSUED = "credential_issued"


def _recommendation_follows(session: Session, enrollment: Enrollment, actor: User | None, now: datetime,
                            on: date) -> None:
    """The credential was issued however the step was taken (the record's own page, or the director's
    recommendations list): the latest recommendation reads "issued", not "fee paid, waiting for the CTC"."""
    rec = session.exec(select(Recommendation).where(Recommendation.enrollment_id == enrollment.id)
                       .order_by(Recommendation.id.desc())).first()  # type: ignore[union-attr]
    if rec is None or rec.status in (RecommendationStatus.ISSUED.value, RecommendationStatus.PURGED.value):
        return
    rec.status, rec.issued_on, rec.updated_at = RecommendationStatus.ISSUED.value, max(on, rec.submitted_on), now
    session.add(rec)
    session.add(AuditEvent(actor_id=actor.id if actor else None, enrollment_id=enrollment.id,
                           action="recommendation.issued", occurred_at=now,
                           details={"recommendation_id": rec.id, "on": rec.issued_on.isoformat(),
                                    "followed": "the credential_issued step"}))


def fire_ready(session: Session, enrollment: Enrollment, actor: User | None, *, now: datetime,
               events: list[str], reason: str, details: dict[str, object] | None = None,
               facts: Facts | None = None) -> Transition | None:
    """Fire the first of `events` that leaves the current state with every rule met (no commit).

    Used when the last sign-off or the panel's decision completes a step: the step fires by
    itself, in the same transaction, on behalf of the person whose decision completed it.
    `facts`: the enrolment's facts as of `now`, when the caller has just built them after its change.
    """
    facts = facts if facts is not None else build_facts(session, enrollment, now)
    enabled = {o.event: o for o in _events(enrollment, facts) if o.enabled and not o.automatic}
    for event in events:
        if event in enabled:
            return transition_now(session, enrollment, event, actor, facts, now=now, reason=reason,
                                  label=enabled[event].label, details=details)
    return None


def options(session: Session, enrollment: Enrollment, roles: frozenset[Role],
            now: datetime | None = None) -> list[engine.EventOption]:
    """The steps these roles may ask for from where the enrolment stands (automatic ones hidden)."""
    facts = build_facts(session, enrollment, now)
    return [o for o in _events(enrollment, facts)
            if not o.automatic and policy.can_request_event(roles, o.by)]


def _events(enrollment: Enrollment, facts: Facts) -> list[engine.EventOption]:
    try:
        return engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts)
    except UnknownState:
        raise PathwayError("This enrolment's record is in a step this pathway does not know; "
                           "ask a service administrator to correct it.") from None


def _option(enrollment: Enrollment, event: str, facts: Facts) -> engine.EventOption:
    for option in _events(enrollment, facts):
        if option.event == event:
            return option
    raise Conflict(_moved_on(enrollment))


def _authorise(session: Session, actor: User | None, enrollment: Enrollment, option: engine.EventOption) -> None:
    if actor is None:
        if not option.automatic:
            raise NotPermitted(f"{option.label} must be asked for by a person.")
        return
    if option.automatic:
        raise NotPermitted(f"{option.label} happens on its own when its date arrives.")
    if not policy.can_request_event(policy.roles_on(session, actor, enrollment), option.by):
        who = ", ".join(sorted(role.label for role in option.by))
        raise NotPermitted(f"Only the {who} can ask for “{option.label}”.")


def _moved_on(enrollment: Enrollment) -> str:
    state = enrollment.state.replace("_", " ")
    return f"That step is not available now: this enrolment is at “{state}”. Reload the page to see what is next."


def is_final(enrollment: Enrollment) -> bool:
    """Whether the enrolment has reached a terminal state (nothing is due on it any more)."""
    return any(s.value == enrollment.state and s.final
               for s in engine.states(enrollment.pathway, enrollment.pathway_version))


def clearing_roles(enrollment: Enrollment) -> dict[str, Role]:
    """Evidence kind -> the role whose verification clears its rule on this pathway version."""
    rules = definition(enrollment.pathway, enrollment.pathway_version).rules.values()
    return {rule.evidence_kind.value: rule.clears for rule in rules if rule.evidence_kind is not None}


def closes(enrollment: Enrollment, event: str) -> str | None:
    """What `event` closes for good from where the enrolment stands, in words for the person about to
    take it (a side track such as the Early Completion Option), or None. A way out (withdrawal) is
    its own decision and is not warned of here."""
    track = plugin(enrollment.pathway).side_track
    if track is None or not track.closing_words:
        return None
    edges = pathway_map(enrollment.pathway, enrollment.pathway_version).edges
    edge = next((e for e in edges if e.event == event and e.source == enrollment.state), None)
    finals = {s.value for s in engine.states(enrollment.pathway, enrollment.pathway_version) if s.final}
    if edge is None or edge.target in finals or not track.closed_by(edge.source, edge.target):
        return None
    return track.closing_words
