"""Inviting staff by email to a role across an organisation, on a program, or into a program's pool.

The link works like a support-team invitation's (app/services/team/invitations.py): its token is an
HMAC under the app's SECRET_KEY, only the SHA-256 is stored, and the outbox carries ids only.
Accepting gives the role through staff.grant in the inviter's name, so the rules that held when
the invitation was sent still hold when it is used (an inviter who lost the right cannot grant).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import outbox, policy, zones
from app.models import AuditEvent, Membership, Organisation, PoolMember, Program, StaffInvitation, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.team import invitations as team_invitations
from app.services.team import staff
from app.services.team.invitations import InvitationGone, hash_token, signed
from workflows.roles import Role

MAX_TOKEN_LENGTH = 100


def token_for(invitation: StaffInvitation) -> str:
    """The secret in the invitation's link (derivable only with the app's SECRET_KEY)."""
    return signed(f"staff-invitation:{invitation.id}:{invitation.organisation_id}:{invitation.program_id}:"
                  f"{invitation.email}:{invitation.role}")


def find_by_token(session: Session, token: str) -> StaffInvitation | None:
    """The invitation a link's token names, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(token))).first()


def is_pending(invitation: StaffInvitation, now: datetime | None = None) -> bool:
    """Open: neither accepted, withdrawn, nor expired."""
    return (invitation.accepted_at is None and invitation.revoked_at is None
            and invitation.expires_at > (now or utcnow()))


def pending(session: Session, organisation: Organisation, program: Program | None = None,
            now: datetime | None = None) -> list[StaffInvitation]:
    """Open invitations of the organisation (or of one program), oldest first."""
    query = select(StaffInvitation).where(StaffInvitation.organisation_id == organisation.id,
                                          StaffInvitation.open_key.is_not(None))  # type: ignore[union-attr]
    if program is not None:
        query = query.where(StaffInvitation.program_id == program.id)
    return [i for i in session.exec(query.order_by(StaffInvitation.created_at)).all() if is_pending(i, now)]


def invite(session: Session, actor: User, organisation: Organisation, email: str, role: str,
           program: Program | None = None, name: str = "", school: str | None = None,
           now: datetime | None = None) -> StaffInvitation:
    """Invite `email` to `role` at this level and queue the email (the caller commits)."""
    now = now or utcnow()
    email = User.normalise_email(email or "")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise PathwayError("Enter the person's email address.")
    try:
        role_ = Role(role)
    except ValueError:
        role_ = None
    if role_ is None or role_ not in staff.roles_at(program):
        names = ", ".join(r.in_sentence for r in staff.roles_at(program))
        raise PathwayError(f"Choose one of: {names}.")
    staff.check_grantable(session, actor, organisation, program, role_)
    if email == User.normalise_email(actor.email):
        raise PathwayError("You cannot invite yourself.")
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is not None and _holds(session, existing, organisation, program, role_):
        raise Conflict(f"{existing.name} ({email}) is already {role_.in_sentence} here. Nothing was sent.")
    slot = StaffInvitation.open_key_for(organisation.id, program.id if program else None, email, role_.value)  # type: ignore[arg-type]
    for old in session.exec(select(StaffInvitation).where(StaffInvitation.open_key == slot)).all():
        if is_pending(old, now):
            raise Conflict(f"{email} already has an invitation to this role, open until "
                           f"{zones.day_in_words(old.expires_at)}. Withdraw it to send a new one.")
        old.open_key = None  # expired: it gives up its slot
        session.add(old)
    session.flush()
    invitation = StaffInvitation(organisation_id=organisation.id, program_id=program.id if program else None,  # type: ignore[arg-type]
                                 email=email, name=(name or "").strip()[:120], role=role_.value,
                                 school=(school or "").strip()[:120] or None, invited_by_id=actor.id,  # type: ignore[arg-type]
                                 created_at=now, expires_at=now + timedelta(days=_days()), open_key=slot,
                                 token_hash=secrets.token_hex(32))  # a unique placeholder until the id exists
    session.add(invitation)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"{email} was invited to this role a moment ago. Nothing more was sent.") from None
    invitation.token_hash = hash_token(token_for(invitation))
    session.add(AuditEvent(actor_id=actor.id, action="staff.invited", occurred_at=now, details={
        "invitation_id": invitation.id, "email": email, "role": role_.value, "organisation_id": organisation.id,
        "program_id": invitation.program_id}))
    outbox.add(session, "email.staff_invitation", f"staff-invitation-{invitation.id}", invitation_id=invitation.id)
    return invitation


def withdraw(session: Session, actor: User, invitation: StaffInvitation, now: datetime | None = None) -> StaffInvitation:
    """Withdraw an open invitation: its link stops working (twice changes nothing)."""
    now = now or utcnow()
    organisation, program = _place(session, invitation)
    if not staff.may_staff(session, actor, organisation, program, Role(invitation.role)):
        raise NotPermitted("Only whoever may give this role withdraws its invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted. Take the role away in the directory instead.")
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at, invitation.open_key = now, None
    session.add(invitation)
    session.add(AuditEvent(actor_id=actor.id, action="staff.invitation_withdrawn", occurred_at=now,
                           details={"invitation_id": invitation.id, "email": invitation.email, "role": invitation.role}))
    return invitation


def check_open(invitation: StaffInvitation, now: datetime | None = None) -> None:
    """Raise InvitationGone, with what to do, if the link no longer works."""
    team_invitations.check_open(invitation, now, expecting="the role", used="Sign in to see your work.")


def accept(session: Session, invitation: StaffInvitation, user: User, now: datetime | None = None) -> Membership | PoolMember:
    """Give the invitation's role to `user` (whose address it was sent to), in the inviter's name."""
    now = now or utcnow()
    invitation = session.exec(select(StaffInvitation).where(StaffInvitation.id == invitation.id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    check_open(invitation, now)
    if User.normalise_email(user.email) != invitation.email:
        raise NotPermitted(f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
                           "Sign out, then open the link again.")
    organisation, program = _place(session, invitation)
    inviter = session.get(User, invitation.invited_by_id)
    if inviter is None:
        raise InvitationGone("The person who invited you no longer has an account here. Ask the district for a new "
                             "invitation.")
    role = Role(invitation.role)
    existing = _holds(session, user, organisation, program, role)
    held = existing or staff.grant(session, inviter, user, role, organisation, program, invitation.school,
                                   reason="accepted an invitation", now=now)
    _accepted(session, invitation, user, held, now)
    # The same address's other open invitations (a mentor in three programs' pools, say): one link
    # proves the address, so they are accepted with it rather than asking for one click per email.
    for other in session.exec(select(StaffInvitation).where(StaffInvitation.email == invitation.email,
                                                            StaffInvitation.id != invitation.id,
                                                            StaffInvitation.open_key.is_not(None))).all():  # type: ignore[union-attr]
        if not is_pending(other, now):
            continue
        other_organisation, other_program = _place(session, other)
        other_inviter = session.get(User, other.invited_by_id)
        other_role = Role(other.role)
        try:
            also = _holds(session, user, other_organisation, other_program, other_role) or staff.grant(
                session, other_inviter, user, other_role, other_organisation, other_program, other.school,  # type: ignore[arg-type]
                reason="accepted an invitation", now=now)
        except PathwayError:
            continue  # that inviter may no longer give it: the invitation stays open, its own link says why
        _accepted(session, other, user, also, now)
    return held


def _accepted(session: Session, invitation: StaffInvitation, user: User, held: Membership | PoolMember,
              now: datetime) -> None:
    invitation.accepted_at, invitation.accepted_by_id, invitation.open_key = now, user.id, None
    session.add(invitation)
    session.add(AuditEvent(actor_id=user.id, action="staff.invitation_accepted", occurred_at=now,
                           details={"invitation_id": invitation.id, "role": invitation.role, "held_id": held.id,
                                    "pool": isinstance(held, PoolMember)}))


def where_of(session: Session, invitation: StaffInvitation) -> str:
    """Where the role is held, in words: "the Induction program at Linden USD" or "Linden USD"."""
    organisation, program = _place(session, invitation)
    return f"the {program.name} program at {organisation.name}" if program is not None else organisation.name


def _holds(session: Session, user: User, organisation: Organisation, program: Program | None,
           role: Role) -> Membership | PoolMember | None:
    if program is not None and role in policy.POOL_ROLES:
        return staff.live_place(session, program, user, role)
    return staff.live_membership(session, organisation, program, user, role)


def _place(session: Session, invitation: StaffInvitation) -> tuple[Organisation, Program | None]:
    organisation = session.get(Organisation, invitation.organisation_id)
    program = session.get(Program, invitation.program_id) if invitation.program_id is not None else None
    if organisation is None:
        raise NotFound("There is no such invitation.")
    return organisation, program


def _days() -> int:
    return int(current_app.config["INVITATION_DAYS"])


def add(session: Session, actor: User, organisation: Organisation, email: str, role: str,
        program: Program | None = None, name: str = "", school: str | None = None,
        now: datetime | None = None) -> Membership | PoolMember | StaffInvitation:
    """Give the role now to someone who has an account (and email them that they were added), or invite
    the address (the caller commits)."""
    person = session.exec(select(User).where(User.email == User.normalise_email(email or ""))).first()
    if person is None:
        return invite(session, actor, organisation, email, role, program, name, school, now)
    if not person.active:
        raise Conflict(f"{person.name}'s account is deactivated. A service administrator can reactivate it.")
    try:
        role_ = Role(role)
    except ValueError:
        names = ", ".join(r.in_sentence for r in staff.roles_at(program))
        raise PathwayError(f"Choose one of: {names}.") from None
    if _holds(session, person, organisation, program, role_) is not None:
        raise Conflict(f"{person.name} ({person.email}) is already {role_.in_sentence} here.")
    held = staff.grant(session, actor, person, role_, organisation, program, school, reason="added by email", now=now)
    outbox.add(session, "email.staff_added", f"staff-added-{'pool' if isinstance(held, PoolMember) else 'role'}-{held.id}",
               kind="pool" if isinstance(held, PoolMember) else "role", held_id=held.id, recipient_id=person.id)
    return held
