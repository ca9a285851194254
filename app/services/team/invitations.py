"""A candidate's support team: inviting people by email to one role on one enrolment, accepting,
re-sending, withdrawing, and removing members — each audited, one transaction each (the caller
commits with `outbox.commit`).

Invitation links
----------------
The link's token is an HMAC of the invitation's identity under the app's SECRET_KEY, and only its
SHA-256 is stored. The outbox carries ids only (never secrets), so the email job re-derives the
token from the row; a database dump alone (without the key) can neither read nor forge a link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import outbox, policy, zones
from app.models import AuditEvent, Enrollment, Invitation, Membership, OutboxMessage, StaffInvitation, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.team import accounts, director_notices
from workflows.registry import plugins
from workflows.roles import Role

MAX_TOKEN_LENGTH = 100

# The roles each pathway's team has (rule book §1.6, §2, §3): PIP's district support team
# (mentor, academic coach, principal, analyst, HR) plus the preparation program's support provider;
# induction's mentor; CASC's coach; everyone's supervisor (site administrator). A candidate invites
# people to view and monitor (seed 000, step 4) or proposes their mentor, coach or supervisor, which
# the program confirms (policy.PROPOSABLE); the program director invites to any of them and grants
# directly. Program-wide roles (director, panel) are granted on the program's assignments page.
TEAM_ROLES: dict[str, tuple[Role, ...]] = {p.name: p.team_roles for p in plugins()}


class InvitationGone(PathwayError):
    """The invitation was withdrawn, has expired, or was already used by someone else."""

    status = 410


class AlreadyPending(Conflict):
    """The same address already has an open invitation to the same role; offer to re-send it."""

    def __init__(self, message: str, invitation: Invitation) -> None:
        super().__init__(message)
        self.invitation = invitation






# --- Tokens ---------------------------------------------------------------------------------------


def signed(message: str) -> str:
    """An invitation link's secret for `message` (an invitation's identity): an HMAC under SECRET_KEY."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_for(invitation: Invitation) -> str:
    """The secret in the invitation's link (derivable only with the app's SECRET_KEY)."""
    return signed(f"invitation:{invitation.id}:{invitation.enrollment_id}:{invitation.email}:{invitation.role}")


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(session: Session, token: str) -> Invitation | None:
    """The invitation a link's token names, or None for a token that names nothing."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()


# --- Reading ------------------------------------------------------------------------------------


def invitable_roles(enrollment: Enrollment, roles: frozenset[Role] = frozenset({Role.CANDIDATE}),
                    service_administrator: bool = False) -> tuple[Role, ...]:
    """The roles someone holding `roles` may invite to on this enrolment: viewer first, then the team's
    roles they may grant or (the candidate) propose."""
    team = [r for r in TEAM_ROLES.get(enrollment.pathway, ())
            if policy.can_grant(roles, r, service_administrator) or policy.can_propose(roles, r)]
    return (Role.VIEWER, *team) if policy.can_grant(roles, Role.VIEWER, service_administrator) else tuple(team)


def is_proposal(session: Session, invitation: Invitation) -> bool:
    """Whether accepting makes the invitee a viewer whose proposed role the program still confirms."""
    enrollment = session.get(Enrollment, invitation.enrollment_id)
    inviter = session.get(User, invitation.invited_by_id)
    if enrollment is None or inviter is None:
        return True
    return not policy.can_grant(policy.roles_on(session, inviter, enrollment), Role(invitation.role),
                                policy.is_service_administrator(session, inviter))


def is_pending(invitation: Invitation, now: datetime | None = None) -> bool:
    """Open: neither accepted, withdrawn, nor expired."""
    return (invitation.accepted_at is None and invitation.revoked_at is None
            and invitation.expires_at > (now or utcnow()))




# --- Commands -------------------------------------------------------------------------------------


def invite(session: Session, enrollment: Enrollment, inviter: User, email: str, role: str,
           now: datetime | None = None) -> Invitation:
    """Invite `email` to `role` on this enrolment and queue the email; refuses anything ambiguous."""
    now = now or utcnow()
    require_manager(session, enrollment, inviter)
    email = User.normalise_email(email or "")
    if "@" not in email or len(email) > 254:
        raise PathwayError("Enter the person's email address.")
    role_ = _invitable(enrollment, role, policy.roles_on(session, enrollment=enrollment, user=inviter),
                       policy.is_service_administrator(session, inviter))
    if email == User.normalise_email(inviter.email):
        raise PathwayError("You cannot invite yourself. Enter the email of the person you want on the team.")
    candidate = session.get(User, enrollment.candidate_id)
    if candidate is not None and email == User.normalise_email(candidate.email):
        raise PathwayError(f"{email} is the candidate's own address: they are already on this enrolment.")
    existing = accounts.find_by_email(session, email)
    if existing is not None:
        held = policy.roles_on(session, existing, enrollment)
        if held:
            names = ", ".join(sorted(r.in_sentence for r in held))
            raise Conflict(f"{existing.name} ({email}) is already on this team as {names}. Nothing was sent.")
    for open_invitation in _open_invitations(session, enrollment, email, now):
        if open_invitation.role == role_.value:
            raise AlreadyPending(f"{email} already has an invitation to join as {role_.in_sentence}, "
                                 f"open until {zones.day_in_words(open_invitation.expires_at)}. "
                                 "You can re-send it instead.", open_invitation)

    slot = Invitation.open_key_for(enrollment.id, email, role_.value)  # type: ignore[arg-type]
    for expired in session.exec(select(Invitation).where(Invitation.open_key == slot,
                                                         Invitation.expires_at <= now)).all():
        expired.open_key = None  # an expired invitation no longer holds its slot
        session.add(expired)
    session.flush()
    invitation = Invitation(enrollment_id=enrollment.id, email=email, role=role_.value, invited_by_id=inviter.id,  # type: ignore[arg-type]
                            created_at=now, expires_at=now + timedelta(days=_days()), open_key=slot,
                            # A unique placeholder until the id (part of the token) exists.
                            token_hash=secrets.token_hex(32))
    session.add(invitation)
    try:
        session.flush()
    except IntegrityError:
        # The same invitation sent at the same moment by another request won the slot (on
        # PostgreSQL this flush waited for its commit). Answer like a second invitation.
        session.rollback()
        winner = session.exec(select(Invitation).where(Invitation.open_key == slot)).first()
        if winner is None:
            raise Conflict("This invitation was changed at the same moment by someone else. Reload the team "
                           "page and try again.") from None
        raise AlreadyPending(f"{email} already has an invitation to join as {role_.in_sentence}, sent a moment "
                             "ago. Nothing more was sent; you can re-send it instead.", winner) from None
    invitation.token_hash = hash_token(token_for(invitation))
    session.add(AuditEvent(actor_id=inviter.id, enrollment_id=enrollment.id, action="team.invited", occurred_at=now,
                           details={"invitation_id": invitation.id, "email": email, "role": role_.value}))
    outbox.add(session, "email.invitation", f"invitation-{invitation.id}", invitation_id=invitation.id)
    return invitation


def resend(session: Session, enrollment: Enrollment, invitation: Invitation, actor: User,
           now: datetime | None = None) -> Invitation:
    """Email an open invitation again, with its validity renewed from today."""
    now = now or utcnow()
    require_manager(session, enrollment, actor)
    _belongs(enrollment, invitation)
    # Locked and re-read, so clicks racing each other see the first one's re-send (PostgreSQL).
    invitation = session.exec(select(Invitation).where(Invitation.id == invitation.id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    if invitation.revoked_at is not None:
        raise Conflict("This invitation was withdrawn. Send a new one instead.")
    if _resent_within(session, invitation, now):
        return invitation  # sent again moments ago: another click, not another email
    if invitation.open_key is None:  # it had expired: it takes its slot back, unless a newer one holds it
        slot = Invitation.open_key_for(invitation.enrollment_id, invitation.email, invitation.role)
        if session.exec(select(Invitation.id).where(Invitation.open_key == slot)).first() is not None:
            raise Conflict(f"A newer invitation to {invitation.email} is open. Re-send that one instead.")
        invitation.open_key = slot
    invitation.expires_at = now + timedelta(days=_days())
    session.add(invitation)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="team.invitation_resent",
                           occurred_at=now, details={"invitation_id": invitation.id, "email": invitation.email}))
    outbox.add(session, "email.invitation", f"{_resent_prefix(invitation)}{now.timestamp():.0f}",
               invitation_id=invitation.id)
    return invitation


def _resent_prefix(invitation: Invitation) -> str:
    return f"invitation-{invitation.id}-resent-"


def _resent_within(session: Session, invitation: Invitation, now: datetime) -> bool:
    """Whether this invitation was re-sent less than RESEND_DEBOUNCE_SECONDS ago."""
    window = timedelta(seconds=int(current_app.config.get("RESEND_DEBOUNCE_SECONDS", 60)))
    return session.exec(select(OutboxMessage.id).where(
        OutboxMessage.dedupe_key.startswith(_resent_prefix(invitation)),  # type: ignore[attr-defined]
        OutboxMessage.created_at > now - window)).first() is not None


def withdraw(session: Session, enrollment: Enrollment, invitation: Invitation, actor: User,
             now: datetime | None = None) -> Invitation:
    """Withdraw an invitation: its link stops working (withdrawing twice changes nothing)."""
    now = now or utcnow()
    require_manager(session, enrollment, actor)
    _belongs(enrollment, invitation)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted. Remove the member instead.")
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = now
    invitation.open_key = None
    session.add(invitation)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="team.invitation_withdrawn",
                           occurred_at=now, details={"invitation_id": invitation.id, "email": invitation.email,
                                                     "role": invitation.role}))
    return invitation


def check_open(invitation: Invitation | StaffInvitation, now: datetime | None = None,
               *, expecting: str = "to join", used: str = "Sign in to see the enrolment.") -> None:
    """Raise InvitationGone with a message for the person if the link no longer works (a team's or a
    staff invitation: `expecting` and `used` word what it was for)."""
    now = now or utcnow()
    if invitation.revoked_at is not None:
        raise InvitationGone(f"This invitation was withdrawn. If you still expect {expecting}, ask the person "
                             "who invited you to send a new one.")
    if invitation.accepted_at is not None:
        raise InvitationGone(f"This invitation has already been used. {used}")
    if invitation.expires_at <= now:
        raise InvitationGone(f"This invitation expired on {zones.day_in_words(invitation.expires_at)}. "
                             "Ask the person who invited you to re-send it.")


def accepted_by(session: Session, invitation: Invitation, user: User) -> Membership | None:
    """The role this invitation gave `user`, if they accepted it and still hold it."""
    if invitation.accepted_at is None or invitation.accepted_by_id != user.id or invitation.membership_id is None:
        return None
    membership = session.get(Membership, invitation.membership_id)
    return membership if membership is not None and membership.revoked_at is None else None


def accept(session: Session, invitation: Invitation, user: User, now: datetime | None = None) -> Membership:
    """Grant the invitation's role on its enrolment to `user` (whose email it was sent to).

    Accepting again as the same person returns the same membership and changes nothing.
    """
    now = now or utcnow()
    # Locked and re-read: a withdrawal committed a moment ago must win over this acceptance.
    invitation = session.exec(select(Invitation).where(Invitation.id == invitation.id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    membership = accepted_by(session, invitation, user)
    if membership is not None:
        return membership  # a second click on the same link; a removed member cannot rejoin with it
    check_open(invitation, now)
    if User.normalise_email(user.email) != invitation.email:
        raise NotPermitted(f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
                           "Sign out, then open the link again.")
    membership = session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.enrollment_id == invitation.enrollment_id,
        or_(Membership.role == invitation.role, Membership.proposed_role == invitation.role),
        Membership.revoked_at.is_(None))).first()  # type: ignore[union-attr]
    if membership is None:
        # A candidate's proposal makes a viewer until the program confirms; a grantor's invitation grants.
        proposal = is_proposal(session, invitation)
        membership = Membership(user_id=user.id, enrollment_id=invitation.enrollment_id,  # type: ignore[arg-type]
                                role=Role.VIEWER.value if proposal else invitation.role,
                                proposed_role=invitation.role if proposal and invitation.role != Role.VIEWER else None,
                                granted_by_id=invitation.invited_by_id, created_at=now)
        session.add(membership)
        session.flush()
        granted = AuditEvent(actor_id=invitation.invited_by_id, enrollment_id=invitation.enrollment_id,
                             action="role.proposed" if membership.proposed_role else "role.granted", occurred_at=now,
                             details={"membership_id": membership.id, "user_id": user.id, "role": membership.role,
                                      "proposed_role": membership.proposed_role,
                                      "granted_by_id": invitation.invited_by_id, "through": "invitation"})
        session.add(granted)
        if membership.proposed_role:
            # The proposal waits on the program: its directors are told (email.program_notice).
            session.flush()
            enrollment = session.get(Enrollment, invitation.enrollment_id)
            if enrollment is not None:
                director_notices.tell_directors(session, enrollment, granted.id, actor_id=invitation.invited_by_id)  # type: ignore[arg-type]
    invitation.accepted_at = now
    invitation.open_key = None
    invitation.accepted_by_id = user.id
    invitation.membership_id = membership.id
    session.add(invitation)
    session.add(AuditEvent(actor_id=user.id, enrollment_id=invitation.enrollment_id, action="team.invitation_accepted",
                           occurred_at=now, details={"invitation_id": invitation.id, "role": invitation.role,
                                                     "membership_id": membership.id}))
    return membership


# --- Helpers ------------------------------------------------------------------------------------


def _days() -> int:
    return int(current_app.config["INVITATION_DAYS"])


def require_manager(session: Session, enrollment: Enrollment, actor: User) -> None:
    if not policy.can_manage_team(policy.roles_on(session, actor, enrollment)):
        raise NotPermitted("Only the candidate or the program director can change this team.")


def _invitable(enrollment: Enrollment, role: str, roles: frozenset[Role], service_administrator: bool) -> Role:
    allowed = invitable_roles(enrollment, roles, service_administrator)
    try:
        role_ = Role(role)
    except ValueError:
        role_ = None
    if role_ not in allowed:
        names = ", ".join(r.in_sentence for r in allowed)
        raise PathwayError(f"Choose one of the roles this pathway's team has that you may invite to: {names}. The roles that verify "
                           "documents or decide steps are given by the district or the program, not by invitation "
                           "from the candidate.")
    return role_  # type: ignore[return-value]


def _open_invitations(session: Session, enrollment: Enrollment, email: str, now: datetime) -> list[Invitation]:
    rows = session.exec(select(Invitation).where(Invitation.enrollment_id == enrollment.id,
                                                 Invitation.email == email)).all()
    return [row for row in rows if is_pending(row, now)]


def _belongs(enrollment: Enrollment, invitation: Invitation) -> None:
    if invitation.enrollment_id != enrollment.id:
        raise NotFound("There is no such invitation on this enrolment.")
