"""Staff of an organisation, seen from its sign-in: who must use the district's account, and who signed in nowhere.

An organisation's staff are those holding a role other than candidate or viewer in it, directly, in one
of its programs, or for one of its candidates. When its provider requires it, staff whose email the
provider vouches for are refused a password; when it sets a period, a staff role whose holder signed in
nowhere for that long is flagged to the organisation's directors, never removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session, select

from app import clock, outbox
from app.models import AuditEvent, Enrollment, Membership, Organisation, Program, User, utcnow
from app.models.sign_on import SignOnProvider
from app.services.team.sign_on_providers import provider_for_email
from workflows.roles import Role

# Roles that make someone an organisation's staff: everyone but candidates, observers and the service's own.
STAFF_ROLES = frozenset(Role) - {Role.CANDIDATE, Role.VIEWER, Role.SERVICE_ADMINISTRATOR}


def _staff_roles() -> tuple[Any, Any]:
    """Every staff role held now, with the organisation it is held in (directly, in a program, or for one candidate)."""
    by_program, by_enrolment = sa.orm.aliased(Program), sa.orm.aliased(Program)
    organisation = sa.func.coalesce(Membership.organisation_id, by_program.organisation_id,
                                    by_enrolment.organisation_id)
    statement = (select(Membership, organisation)
                 .join(by_program, by_program.id == Membership.program_id, isouter=True)
                 .join(Enrollment, Enrollment.id == Membership.enrollment_id, isouter=True)
                 .join(by_enrolment, by_enrolment.id == Enrollment.program_id, isouter=True)
                 .where(Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                        Membership.role.in_([r.value for r in STAFF_ROLES])))  # type: ignore[attr-defined]
    return statement, organisation


def staff_organisation_ids(session: Session, user: User, *, role: Role | None = None) -> set[int]:
    """The organisations where `user` holds a staff role (or this one)."""
    statement, _ = _staff_roles()
    statement = statement.where(Membership.user_id == user.id)
    if role is not None:
        statement = statement.where(Membership.role == role.value)
    return {organisation for _, organisation in session.exec(statement) if organisation is not None}


def required_provider(session: Session, user: User) -> SignOnProvider | None:
    """The provider `user` must sign in through, if their district requires it of its staff.

    Only for an email the provider vouches for: a mentor from another district keeps their password.
    """
    provider = provider_for_email(session, user.email)
    if provider is None or not provider.required_for_staff:
        return None
    return provider if provider.organisation_id in staff_organisation_ids(session, user) else None


INACTIVE = "inactive"  # signed in nowhere for the organisation's period
DISABLED = "disabled_at_provider"  # the provider refused to renew their access (app/services/team/sign_on.py)


def _flag(session: Session, membership: Membership, organisation_id: int, reason: str, now: datetime,
          **details: Any) -> None:
    membership.flagged_at, membership.flag_reason = now, reason
    session.add(membership)
    session.add(AuditEvent(action="sign_on.staff_flagged", reason=reason, details={
        "membership_id": membership.id, "user_id": membership.user_id, "role": membership.role,
        "organisation_id": organisation_id, **details}))


def flag_inactive_staff(session: Session, now: datetime | None = None) -> int:
    """Flag to the directors each staff role whose holder has not signed in (any way) for the organisation's
    period; nothing is removed. Part of the daily sweep; a role is flagged once until its holder signs in."""
    now = now or utcnow()
    flagged = 0
    for provider in session.exec(select(SignOnProvider).where(
            SignOnProvider.inactive_after_days.is_not(None))).all():  # type: ignore[union-attr]
        cutoff = now - timedelta(days=provider.inactive_after_days or 0)
        statement, organisation = _staff_roles()
        rows = session.exec(statement.add_columns(User).join(User, User.id == Membership.user_id).where(
            organisation == provider.organisation_id, Membership.flagged_at.is_(None),  # type: ignore[union-attr]
            Membership.created_at < cutoff,
            sa.or_(User.last_sign_in_at.is_(None), User.last_sign_in_at < cutoff))).all()  # type: ignore[union-attr, operator]
        for membership, _, _user in rows:
            _flag(session, membership, provider.organisation_id, INACTIVE, now, days=provider.inactive_after_days)
            flagged += 1
    outbox.commit(session)
    return flagged


def flag_disabled(session: Session, user_id: int, organisation_id: int, now: datetime) -> int:
    """Flag the person's staff roles in the organisation: its provider says their account is disabled (the
    caller commits). Roles flagged already keep their first reason."""
    statement, organisation = _staff_roles()
    rows = session.exec(statement.where(Membership.user_id == user_id, organisation == organisation_id,
                                        Membership.flagged_at.is_(None))).all()  # type: ignore[union-attr]
    for membership, _ in rows:
        _flag(session, membership, organisation_id, DISABLED, now)
    return len(rows)


def clear_flags(session: Session, user: User, reasons: tuple[str, ...] = (INACTIVE,)) -> None:
    """Someone who signs in is active again: their roles' flags for `reasons` go (audited; the caller commits).

    A password sign-in clears inactivity only; a sign-in through the provider also shows it enabled them.
    """
    cleared = session.execute(sa.update(Membership).where(
        Membership.user_id == user.id, Membership.flag_reason.in_(reasons)  # type: ignore[union-attr]
    ).values(flagged_at=None, flag_reason=None))
    if cleared.rowcount:  # type: ignore[attr-defined]
        session.add(AuditEvent(actor_id=user.id, action="sign_on.staff_flag_cleared", reason=" ".join(reasons),
                               details={"roles": cleared.rowcount}))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FlaggedRole:
    """A staff role flagged to a director, in words."""

    name: str
    role: str
    where: str
    last_signed_in: date | None
    flagged_on: date | None
    disabled_at_provider: bool


def flagged_staff(session: Session, director: User) -> list[FlaggedRole]:
    """The flagged staff roles in the organisations where `director` directs a program, oldest flag first."""
    organisations = staff_organisation_ids(session, director, role=Role.PROGRAM_DIRECTOR)
    if not organisations:
        return []
    statement, organisation = _staff_roles()
    rows = session.exec(statement.add_columns(User, Organisation.name).join(User, User.id == Membership.user_id)
                        .join(Organisation, Organisation.id == organisation)
                        .where(organisation.in_(organisations), Membership.flagged_at.is_not(None))  # type: ignore[union-attr]
                        .order_by(Membership.flagged_at, User.name)).all()
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or clock.DEFAULT_TIMEZONE)

    def day(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    return [FlaggedRole(user.name, Role(membership.role).label, organisation_name, day(user.last_sign_in_at),
                        day(membership.flagged_at), membership.flag_reason == DISABLED)
            for membership, _, user, organisation_name in rows]
