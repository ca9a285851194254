"""Giving a sign-off: a role's approval of a step, bound to the evidence versions it saw."""

from __future__ import annotations

from sqlmodel import Session, select

from app import outbox, policy
from app.models import AuditEvent, Enrollment, SignOff, User
from app.services import NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.signoffs import queueing as tasks
from workflows.facts import EvidenceStatus
from workflows.facts import SignOff as SignOffKey
from workflows.registry import definition
from workflows.roles import Role


class AlreadySigned(PathwayError):
    """This role's sign-off on this step is already given."""

    status = 409


def evidence_kinds_for(enrollment: Enrollment, key: SignOffKey) -> set[str]:
    """The kinds of evidence checked by the step(s) that need this sign-off."""
    kinds: set[str] = set()
    for spec in definition(enrollment.pathway, enrollment.pathway_version).events.values():
        rules = list(spec.rules)
        if any(rule.signoff is not None and rule.signoff[0] == key for rule in rules):
            kinds.update(rule.evidence_kind.value for rule in rules if rule.evidence_kind is not None)
    return kinds


def give(session: Session, enrollment: Enrollment, key: str, role: str, signer: User,
         comment: str | None = None, *, on_behalf_of: User | None = None, via_task: bool = False) -> SignOff:
    """Record `signer`'s sign-off as `role` (the caller commits).

    With `on_behalf_of`, the signer is a delegate and the role is the delegator's: both names are
    recorded. Given outside the inbox (e.g. by the demo walker), it also closes the open task.
    """
    key_, role_ = SignOffKey(key), Role(role)
    principal = on_behalf_of or signer
    if enrollment.candidate_id in (signer.id, principal.id):
        raise NotPermitted("Nobody signs off their own step.")
    if not policy.can_sign_off(principal, enrollment, role_, policy.roles_on(session, principal, enrollment)):
        raise NotPermitted(f"You do not hold the {role_.in_sentence} role for this candidate.")
    live = session.exec(select(SignOff).where(
        SignOff.enrollment_id == enrollment.id, SignOff.key == key_.value, SignOff.role == role_.value,
        SignOff.withdrawn_at.is_(None))).first()  # type: ignore[union-attr]
    if live is not None:
        raise AlreadySigned("This sign-off has already been given.")
    relevant = evidence_kinds_for(enrollment, key_)
    hashes = {kind: row.sha256 for kind, row in case_file.of(session, enrollment).current_documents.items()
              if kind in relevant and row.status == EvidenceStatus.VERIFIED}
    signoff = SignOff(enrollment_id=enrollment.id, key=key_.value, role=role_.value, signer_id=signer.id,
                      on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
                      comment=(comment or "").strip() or None, evidence_hashes=hashes)
    session.add(signoff)
    session.flush()
    session.add(AuditEvent(actor_id=signer.id, on_behalf_of_id=signoff.on_behalf_of_id, enrollment_id=enrollment.id,
                           action="signoff.given",
                           details={"signoff": key_.value, "role": role_.value, "evidence": hashes}))
    if not via_task:  # the inbox sends its own message, naming both people for a delegate
        outbox.add(session, "email.signoff_given", f"signoff-given-{signoff.id}", signoff_id=signoff.id)
        tasks.close_open_task(session, signoff)
    return signoff
