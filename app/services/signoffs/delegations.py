"""Delegation: an approver names a substitute for a window of dates.

Inside the window the substitute sees and decides the approver's sign-off tasks; each sign-off
they give records both names (signer = substitute, on behalf of = approver).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app.models import AuditEvent, Delegation, Membership, User, utcnow
from app.policy import APPROVER_ROLES
from app.services import NotFound, NotPermitted, PathwayError

LONGEST_DAYS = 366  # a delegation is for an absence, not a standing arrangement


class DelegationError(PathwayError):
    """A delegation that cannot be recorded, with a message for the person."""


def is_approver(session: Session, user: User) -> bool:
    """Whether `user` holds any role that approves something for candidates."""
    roles = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    return any(role in {r.value for r in APPROVER_ROLES} for role in roles)


def create(session: Session, delegator: User, substitute_email: str, starts_on: date, ends_on: date,
           today: date, note: str = "") -> Delegation:
    """Name a substitute from `starts_on` to `ends_on` inclusive (the caller commits)."""
    if not is_approver(session, delegator):
        raise NotPermitted("Only someone who approves sign-offs can name a substitute.")
    substitute = session.exec(select(User).where(User.email == User.normalise_email(substitute_email))).first()
    if substitute is None or not substitute.active:
        raise DelegationError("There is no active account with that email address.")
    if substitute.id == delegator.id:
        raise DelegationError("Name someone other than yourself.")
    if ends_on < starts_on:
        raise DelegationError("The last day must be on or after the first day.")
    if ends_on < today:
        raise DelegationError("That window is already over.")
    if ends_on - starts_on > timedelta(days=LONGEST_DAYS):
        raise DelegationError(f"A delegation may last at most {LONGEST_DAYS} days.")
    delegation = Delegation(delegator_id=delegator.id, substitute_id=substitute.id, starts_on=starts_on,
                            ends_on=ends_on, note=note.strip()[:500])
    session.add(delegation)
    session.flush()
    session.add(AuditEvent(actor_id=delegator.id, action="delegation.created",
                           details={"delegation": delegation.id, "substitute": substitute.id,
                                    "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}))
    return delegation


def revoke(session: Session, delegation_id: int, user: User) -> Delegation:
    """End a delegation early; only the person who made it can (the caller commits)."""
    delegation = session.get(Delegation, delegation_id)
    if delegation is None or delegation.delegator_id != user.id:
        raise NotFound("There is no such delegation.")
    if delegation.revoked_at is None:
        delegation.revoked_at = utcnow()
        session.add(delegation)
        session.add(AuditEvent(actor_id=user.id, action="delegation.revoked",
                               details={"delegation": delegation.id, "substitute": delegation.substitute_id}))
    return delegation


def principals_for(session: Session, substitute: User, on: date) -> list[User]:
    """The approvers `substitute` stands in for on day `on`."""
    return list(session.exec(select(User).join(Delegation, Delegation.delegator_id == User.id).where(  # type: ignore[arg-type]
        Delegation.substitute_id == substitute.id, Delegation.revoked_at.is_(None),  # type: ignore[union-attr]
        Delegation.starts_on <= on, Delegation.ends_on >= on, User.active.is_(True))  # type: ignore[attr-defined]
        .order_by(User.name)).all())


def listed_for(session: Session, user: User) -> tuple[list[tuple[Delegation, User]], list[tuple[Delegation, User]]]:
    """(delegations `user` made, with the substitute; delegations naming `user`, with the delegator)."""
    made = session.exec(select(Delegation, User).join(User, Delegation.substitute_id == User.id)  # type: ignore[arg-type]
                        .where(Delegation.delegator_id == user.id).order_by(Delegation.starts_on.desc())).all()  # type: ignore[attr-defined]
    received = session.exec(select(Delegation, User).join(User, Delegation.delegator_id == User.id)  # type: ignore[arg-type]
                            .where(Delegation.substitute_id == user.id, Delegation.revoked_at.is_(None))  # type: ignore[union-attr]
                            .order_by(Delegation.starts_on.desc())).all()  # type: ignore[attr-defined]
    return list(made), list(received)  # type: ignore[arg-type]
