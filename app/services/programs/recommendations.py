"""Recommendations to the CTC: attested batches, then the candidate's side until issue or purge.

A director (or whoever the pathway names as recording the recommendation) selects candidates at
"ready for recommendation", attests and submits. Each candidate is its own transaction through
`queueing.ask_for_step` (which commits): a candidate whose step is refused is reported
and changes nothing, the others go ahead. The batch row is created with the first candidate that
succeeds, and the packet job is queued once the loop is done.

After submission the record follows CTC Online: fitness questions answered -> fee paid -> issued
(the `credential_issued` event), or returned by the candidate with a reason (the
`recommendation_returned` event; a re-submission points at the returned record), or purged when
the window (recommendation_window_days, 90 by default) ends unpaid: the daily sweep fires the
automatic `recommendation_purged` event. Reminders before the purge are the deadline reminders
of app/services/notifications/reminders.py (the `recommendation_window` deadline).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlmodel import Session, select

from app import outbox, policy
from app.models import (
    AuditEvent,
    Enrollment,
    Program,
    Recommendation,
    RecommendationBatch,
    RecommendationStatus,
    User,
    utcnow,
)
from app.services import Conflict, PathwayError
from app.services.enrollments import pathways
from app.services.enrollments.facts import build_facts
from app.services.signoffs import giving as signoffs
from app.services.signoffs import queueing
from workflows import engine
from workflows.dates import recommendation_purged_on
from workflows.registry import CURRENT_VERSION, definition
from workflows.roles import Role

log = logging.getLogger(__name__)

S = RecommendationStatus
OPEN = (S.SUBMITTED, S.FITNESS_ANSWERED, S.FEE_PAID)
# What may follow what on the candidate's side (the engine guards issued and returned too).
_NEXT = {S.FITNESS_ANSWERED: (S.SUBMITTED,), S.FEE_PAID: (S.FITNESS_ANSWERED,), S.ISSUED: (S.FEE_PAID,),
         S.RETURNED: (S.SUBMITTED, S.FITNESS_ANSWERED)}
STATUS_LABELS = {S.SUBMITTED: "Submitted, waiting for the candidate", S.FITNESS_ANSWERED: "Fitness questions answered",
                 S.FEE_PAID: "Fee paid, waiting for the CTC", S.ISSUED: "Credential issued",
                 S.RETURNED: "Returned by the candidate", S.PURGED: "Purged by the CTC (window ended)"}


@cache
def states_of(pathway: str, version: int) -> tuple[str, str, str]:
    """(ready, recommended, issued) state values of a pathway version, read from its machine; empty
    for a pathway that ends without a recommendation to the CTC."""
    found: dict[str, tuple[str, str]] = {}
    for state in definition(pathway, version).machine.states:
        for transition in state.transitions:
            found.setdefault(str(transition.event), (str(transition.source.value), str(transition.target.value)))
    if "recommend" not in found:
        return "", "", ""
    ready, recommended = found["recommend"]
    return ready, recommended, found["credential_issued"][1]


def _by(program: Program, event: str) -> frozenset[Role]:
    """The roles the program's pathway lets ask for `event` (none when it has no such event)."""
    spec = definition(program.pathway, CURRENT_VERSION[program.pathway]).events.get(event)
    return spec.by if spec is not None else frozenset()


def submitters(program: Program) -> frozenset[Role]:
    """The roles the program's pathway lets record a recommendation."""
    return _by(program, "recommend")


def issuers(program: Program) -> frozenset[Role]:
    """The roles that may record the credential as issued (the `credential_issued` event)."""
    return _by(program, "credential_issued")


def returners(program: Program) -> frozenset[Role]:
    """The roles that may record a return (the `recommendation_returned` event)."""
    return _by(program, "recommendation_returned")


@dataclass(frozen=True)
class ReadyCandidate:
    """Someone at "ready for recommendation", with their last recommendation if any."""

    enrollment: Enrollment
    candidate: User
    previous: Recommendation | None


@dataclass(frozen=True)
class Outcome:
    """What submitting one candidate did."""

    enrollment_id: int
    candidate_name: str
    ok: bool
    message: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """The batch (None when nobody could be submitted) and each candidate's outcome."""

    batch: RecommendationBatch | None
    outcomes: list[Outcome]


def latest(session: Session, enrollment_id: int) -> Recommendation | None:
    """The enrolment's most recent recommendation."""
    return session.exec(select(Recommendation).where(Recommendation.enrollment_id == enrollment_id)
                        .order_by(Recommendation.id.desc())).first()  # type: ignore[union-attr]


def ready(session: Session, program: Program) -> list[ReadyCandidate]:
    """The program's candidates whose pathway reached "ready for recommendation"."""
    rows = session.exec(select(Enrollment, User).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(Enrollment.program_id == program.id).order_by(User.name)).all()
    return [ReadyCandidate(e, u, latest(session, e.id))  # type: ignore[arg-type]
            for e, u in rows if e.state == states_of(e.pathway, e.pathway_version)[0]]


def submit_batch(session: Session, program: Program, enrollment_ids: list[int], actor: User, attestation: str,
                 now: datetime | None = None) -> BatchResult:
    """Recommend each selected candidate (one transaction each) and queue the batch's packet."""
    attestation = (attestation or "").strip()
    if len(attestation) < 10:
        raise PathwayError("Write the attestation (at least a sentence) before submitting.")
    if len(attestation) > 2000:
        raise PathwayError("The attestation is longer than 2000 characters.")
    chosen = []
    for enrollment_id in dict.fromkeys(enrollment_ids):
        enrollment = session.get(Enrollment, enrollment_id)
        if enrollment is None or enrollment.program_id != program.id:
            raise PathwayError("One of the selected candidates is not in this program; nothing was submitted.")
        chosen.append(enrollment_id)
    if not chosen:
        raise PathwayError("Select at least one candidate to recommend.")

    batch: RecommendationBatch | None = None
    outcomes = []
    for enrollment_id in chosen:
        enrollment = session.get(Enrollment, enrollment_id)
        candidate = session.get(User, enrollment.candidate_id)  # type: ignore[union-attr]
        name = candidate.name if candidate else f"enrolment {enrollment_id}"
        try:
            current = batch
            if current is None:  # created with the first candidate that goes through
                current = RecommendationBatch(program_id=program.id, submitted_by_id=actor.id,  # type: ignore[arg-type]
                                              attestation=attestation)
                session.add(current)
                session.flush()
            rec = _recommend(session, enrollment, current, actor, now)  # type: ignore[arg-type]
            batch = current
            outcomes.append(Outcome(enrollment_id, name, True, f"Recommended on {rec.submitted_on:%Y-%m-%d}."))
        except PathwayError as error:
            session.rollback()
            outcomes.append(Outcome(enrollment_id, name, False, error.message, tuple(error.reasons)))
    if batch is not None:
        session.add(AuditEvent(actor_id=actor.id, action="recommendation.batch_submitted", reason=attestation,
                               details={"batch_id": batch.id, "program_id": program.id,
                                        "enrollments": [o.enrollment_id for o in outcomes if o.ok]}))
        outbox.add(session, "recommendation.packet", f"recommendation-packet-{batch.id}", batch_id=batch.id)
        outbox.commit(session)
    return BatchResult(batch, outcomes)


def _recommend(session: Session, enrollment: Enrollment, batch: RecommendationBatch, actor: User,
               now: datetime | None) -> Recommendation:
    """Record one recommendation and fire `recommend`; asking for the step commits it all or raises."""
    ready_state = states_of(enrollment.pathway, enrollment.pathway_version)[0]
    if enrollment.state != ready_state:
        raise Conflict("This candidate is no longer ready for recommendation.")
    facts = build_facts(session, enrollment, now)
    # The attestation is the submitter's approval: a sign-off the step still needs from a role
    # the submitter holds (CASC: the director's) is given with it, bound to the attestation.
    held = policy.roles_on(session, actor, enrollment)
    for rule in engine.unmet_rules(enrollment.pathway, enrollment.pathway_version, enrollment.state, "recommend", facts):
        if rule.signoff is not None and rule.signoff[1] in held:
            signoffs.give(session, enrollment, rule.signoff[0].value, rule.signoff[1].value, actor,
                          comment=batch.attestation)
    today = facts.today
    previous = latest(session, enrollment.id)  # type: ignore[arg-type]
    rec = Recommendation(enrollment_id=enrollment.id, batch_id=batch.id, submitted_on=today,  # type: ignore[arg-type]
                         replaces_id=previous.id if previous and previous.status in (S.RETURNED, S.PURGED) else None)
    session.add(rec)
    # The `recommend` rule reads this date: the CTC's window runs from it.
    enrollment.recommended_on = today
    session.add(enrollment)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="recommendation.submitted",
                           details={"recommendation_id": rec.id, "batch_id": batch.id,
                                    "replaces_id": rec.replaces_id, "recommended_on": today.isoformat()}))
    queueing.ask_for_step(session, enrollment.id, "recommend", actor, now=now)  # type: ignore[arg-type]
    return rec


def _advance(session: Session, rec: Recommendation, to: RecommendationStatus, actor: User, on: date,
             reason: str | None = None) -> Enrollment:
    """Move the record to `to` (checked against the order of CTC Online's steps); the caller commits."""
    if S(rec.status) not in _NEXT[to]:
        raise Conflict(f"This recommendation is “{STATUS_LABELS[S(rec.status)]}”; it cannot be marked "
                       f"“{STATUS_LABELS[to]}” now. Reload the page to see where it stands.")
    enrollment = session.get(Enrollment, rec.enrollment_id)
    today = build_facts(session, enrollment).today  # type: ignore[arg-type]
    if on > today or on < rec.submitted_on:
        raise PathwayError(f"The date must be between the submission ({rec.submitted_on:%Y-%m-%d}) and today.")
    rec.status = to.value
    setattr(rec, f"{to.value}_on", on)
    rec.updated_at = utcnow()
    session.add(rec)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=rec.enrollment_id, action=f"recommendation.{to.value}",
                           reason=reason, details={"recommendation_id": rec.id, "on": on.isoformat()}))
    return enrollment  # type: ignore[return-value]


def record_fitness_answered(session: Session, rec: Recommendation, actor: User, on: date) -> None:
    """The candidate answered the professional fitness questions on CTC Online."""
    _advance(session, rec, S.FITNESS_ANSWERED, actor, on)
    outbox.commit(session)


def record_fee_paid(session: Session, rec: Recommendation, actor: User, on: date) -> None:
    """The candidate paid the CTC's fee: the purge no longer applies."""
    _advance(session, rec, S.FEE_PAID, actor, on)
    outbox.commit(session)


def record_issued(session: Session, rec: Recommendation, actor: User, on: date) -> pathways.Transition:
    """The CTC issued the credential: fire `credential_issued` (its rules want the document verified)."""
    enrollment = _advance(session, rec, S.ISSUED, actor, on)
    session.flush()
    return queueing.ask_for_step(session, enrollment.id, "credential_issued", actor)  # type: ignore[arg-type]


def record_returned(session: Session, rec: Recommendation, actor: User, on: date, reason: str) -> pathways.Transition:
    """The candidate returned the recommendation with a reason; the candidate is ready to re-submit."""
    reason = (reason or "").strip()
    if not reason:
        raise PathwayError("Give the candidate's return reason, so the correction can be checked.")
    enrollment = _advance(session, rec, S.RETURNED, actor, on, reason[:2000])
    rec.return_reason = reason[:2000]
    enrollment.recommended_on = None  # no window runs any more; a re-submission starts a new one
    session.add(enrollment)
    session.flush()
    return queueing.ask_for_step(session, enrollment.id, "recommendation_returned", actor, reason=reason)  # type: ignore[arg-type]


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Fire `recommendation_purged` for every unpaid recommendation past its window; returns how many."""
    now = now or utcnow()
    purged = 0
    candidates = session.exec(select(Recommendation.id).where(
        Recommendation.status.in_([S.SUBMITTED.value, S.FITNESS_ANSWERED.value]))).all()  # type: ignore[attr-defined]
    for rec_id in candidates:
        rec = session.get(Recommendation, rec_id)
        enrollment = session.get(Enrollment, rec.enrollment_id)  # type: ignore[union-attr]
        if rec is None or enrollment is None or rec.id != latest(session, enrollment.id).id:  # type: ignore[arg-type,union-attr]
            continue
        if enrollment.state != states_of(enrollment.pathway, enrollment.pathway_version)[1]:
            continue
        facts = build_facts(session, enrollment, now)
        purge_on = recommendation_purged_on(facts)
        if purge_on is None or facts.today < purge_on:
            continue
        was = enrollment.recommended_on
        rec.status, rec.purged_on, rec.updated_at = S.PURGED.value, purge_on, utcnow()
        session.add(rec)
        session.add(AuditEvent(action="recommendation.purged", enrollment_id=enrollment.id, occurred_at=now,
                               details={"recommendation_id": rec.id, "purged_on": purge_on.isoformat()}))
        session.flush()
        try:
            pathways.apply_event(session, enrollment.id, "recommendation_purged", None, now=now)  # type: ignore[arg-type]
        except PathwayError as error:
            session.rollback()
            log.warning("could not purge recommendation %s: %s %s", rec_id, error.message, error.reasons)
            continue
        # The window is over; clearing the date keeps a stale deadline off the at-risk list.
        enrollment = session.get(Enrollment, enrollment.id)
        enrollment.recommended_on = None  # type: ignore[union-attr]
        session.add(enrollment)
        session.add(AuditEvent(action="enrollment.facts_recorded", enrollment_id=enrollment.id,  # type: ignore[union-attr]
                               details={"recommended_on": {"from": was.isoformat() if was else None, "to": None},
                                        "why": "recommendation purged"}))
        outbox.commit(session)
        purged += 1
    return purged


def batches_of(session: Session, program: Program) -> tuple[list[RecommendationBatch], list[Recommendation]]:
    """The program's batches and every recommendation in them, newest first."""
    batches = list(session.exec(select(RecommendationBatch).where(RecommendationBatch.program_id == program.id)
                                .order_by(RecommendationBatch.id.desc())).all())  # type: ignore[union-attr]
    followed = list(session.exec(select(Recommendation).where(
        Recommendation.batch_id.in_([b.id for b in batches] or [0]))  # type: ignore[attr-defined]
        .order_by(Recommendation.id.desc())).all())
    return batches, followed
