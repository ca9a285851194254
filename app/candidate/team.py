"""The support team page, and the invitation link that brings someone onto the team."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from app import outbox, policy
from app.auth.forms import JoinForm
from app.candidate.blueprint import bp
from app.db import get_session
from app.extensions import sign_in_on_this_device
from app.idempotency import idempotent
from app.models import Enrollment, Invitation, Membership, Organisation, Program, User
from app.services import PathwayError
from app.services.enrollments import words
from app.services.team import accounts
from app.services.team import invitations as invitations_service
from app.services.team import members as members_service
from workflows.roles import Role

from .routes import _enrollment as viewable_enrollment


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class InviteForm(FlaskForm):
    email = EmailField("Their email", filters=[_strip],
                       validators=[DataRequired(message="Enter the person's email address."),
                                   Email(message="Enter a whole email address, like name@district.org."),
                                   Length(max=254)])
    role = SelectField("Their role on your team", invalid_choice_message="Choose one of the listed roles.",
                       validators=[DataRequired(message="Choose their role.")])
    submit = SubmitField("Send invitation")


# --- The team page ------------------------------------------------------------------------------


def _role_choices(enrollment: Enrollment) -> list[SelectChoice]:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    administrator = policy.is_service_administrator(session, current_user)
    return [SelectChoice(r.value, r.label if policy.can_grant(roles, r, administrator) or r is Role.VIEWER
                         else f"{r.label} (proposed: the program confirms)")
            for r in invitations_service.invitable_roles(enrollment, roles, administrator)]


def _team_page(enrollment: Enrollment, form: InviteForm | None = None, status: int = 200,
               problems: list[str] | None = None, resendable: Invitation | None = None) -> tuple[str, int]:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    manages = policy.can_manage_team(roles)
    form = form or InviteForm()
    form.role.choices = _role_choices(enrollment)
    program = session.get(Program, enrollment.program_id)
    organisation = session.get(Organisation, program.organisation_id) if program else None
    zone = ZoneInfo(organisation.timezone if organisation else "America/Los_Angeles")
    words.use_zone(organisation.timezone if organisation else None)
    return render_template("candidate/team.html", enrollment=enrollment, team=members_service.team_of(session, enrollment),
                           manages=manages, form=form, problems=problems or [], resendable=resendable,
                           candidate=session.get(User, enrollment.candidate_id), program=program,
                           local_date=lambda moment: moment.astimezone(zone).date(),
                           role_label=lambda value: Role(value).label), status


@bp.get("/enrollments/<int:enrollment_id>/team")
@login_required
def team(enrollment_id: int) -> tuple[str, int]:
    """Who supports this candidate, in which role and since when; invitations still open."""
    return _team_page(viewable_enrollment(enrollment_id))


def _manageable(enrollment_id: int) -> Enrollment:
    """The enrolment, for someone who may change its team; 404 for anyone else, like every refusal to see."""
    enrollment = viewable_enrollment(enrollment_id)
    if not policy.can_manage_team(policy.roles_on(get_session(), current_user, enrollment)):
        abort(404)
    return enrollment


def _after(enrollment: Enrollment, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("candidate.team", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/team/invitations")
@login_required
@idempotent
def invite(enrollment_id: int) -> Response | tuple[str, int]:
    """Invite someone by email to one role on this enrolment."""
    session = get_session()
    enrollment = _manageable(enrollment_id)
    form = InviteForm()
    form.role.choices = _role_choices(enrollment)
    if not form.validate():
        return _team_page(enrollment, form, 400, ["The invitation was not sent: see the messages below."])
    try:
        invitation = invitations_service.invite(session, enrollment, current_user, form.email.data or "",  # type: ignore[arg-type]
                                         form.role.data or "")
        outbox.commit(session)
    except invitations_service.AlreadyPending as pending:
        session.rollback()
        return _team_page(enrollment, form, pending.status, [pending.message], resendable=pending.invitation)
    except PathwayError as error:
        session.rollback()
        return _team_page(enrollment, form, error.status, [error.message])
    return _after(enrollment, f"Invitation sent to {invitation.email}. The link works for "
                              f"{(invitation.expires_at - invitation.created_at).days} days.")


def _invitation(enrollment: Enrollment, invitation_id: int) -> Invitation:
    invitation = get_session().get(Invitation, invitation_id)
    if invitation is None or invitation.enrollment_id != enrollment.id:
        abort(404)
    return invitation


@bp.post("/enrollments/<int:enrollment_id>/team/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(enrollment_id: int, invitation_id: int) -> Response | tuple[str, int]:
    """Email an open invitation again."""
    session = get_session()
    enrollment = _manageable(enrollment_id)
    invitation = _invitation(enrollment, invitation_id)
    try:
        invitations_service.resend(session, enrollment, invitation, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _team_page(enrollment, status=error.status, problems=[error.message])
    return _after(enrollment, f"Invitation sent again to {invitation.email}.")


@bp.post("/enrollments/<int:enrollment_id>/team/invitations/<int:invitation_id>/withdraw")
@login_required
def withdraw_invitation(enrollment_id: int, invitation_id: int) -> Response | tuple[str, int]:
    """Withdraw an invitation; its link stops working."""
    session = get_session()
    enrollment = _manageable(enrollment_id)
    invitation = _invitation(enrollment, invitation_id)
    try:
        invitations_service.withdraw(session, enrollment, invitation, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _team_page(enrollment, status=error.status, problems=[error.message])
    return _after(enrollment, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")


@bp.post("/enrollments/<int:enrollment_id>/team/members/<int:membership_id>/remove")
@login_required
def remove_member(enrollment_id: int, membership_id: int) -> Response | tuple[str, int]:
    """End someone's role on this enrolment (the record of it is kept)."""
    session = get_session()
    enrollment = _manageable(enrollment_id)
    membership = session.get(Membership, membership_id)
    if membership is None or membership.enrollment_id != enrollment.id:
        abort(404)
    person = session.get(User, membership.user_id)
    try:
        members_service.remove_member(session, enrollment, membership, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _team_page(enrollment, status=error.status, problems=[error.message])
    return _after(enrollment, f"{person.name if person else 'That person'} is no longer on this team.")


# --- Following an invitation link -----------------------------------------------------------------


def _open_invitation(token: str) -> Invitation:
    invitation = invitations_service.find_by_token(get_session(), token)
    if invitation is None:
        abort(404, "This invitation link is not valid. Check that the whole link was copied from the email.")
    return invitation


def _invitation_page(invitation: Invitation, status: int = 200, form: JoinForm | None = None,
                     problems: list[str] | None = None) -> tuple[str, int]:
    session = get_session()
    enrollment = session.get(Enrollment, invitation.enrollment_id)
    program_of = session.get(Program, enrollment.program_id) if enrollment else None
    organisation = session.get(Organisation, program_of.organisation_id) if program_of else None
    words.use_zone(organisation.timezone if organisation else None)  # its last day, as the email says it
    has_account = accounts.find_by_email(session, invitation.email) is not None
    return render_template("candidate/invitation.html", invitation=invitation, problems=problems or [],
                           inviter=session.get(User, invitation.invited_by_id),
                           candidate=session.get(User, enrollment.candidate_id) if enrollment else None,
                           program=session.get(Program, enrollment.program_id) if enrollment else None,
                           role=Role(invitation.role), has_account=has_account,
                           form=form or (None if has_account else JoinForm())), status


def _gone(invitation: Invitation) -> tuple[str, int] | None:
    try:
        invitations_service.check_open(invitation)
    except invitations_service.InvitationGone as gone:
        return render_template("candidate/invitation.html", gone=gone.message), gone.status
    return None


def _joined(invitation: Invitation, membership: Membership | None = None) -> Response:
    if membership is not None and membership.proposed_role:
        flash(f"Welcome to the team. You can view and monitor this enrolment now; the program confirms you as "
              f"{Role(membership.proposed_role).in_sentence} before you sign anything.", "success")
    else:
        flash(f"Welcome to the team. You are now the {Role(invitation.role).in_sentence} "
              "on this enrolment.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=invitation.enrollment_id))


@bp.get("/invitations/<token>", endpoint="invitation")
def show_invitation(token: str) -> Response | tuple[str, int]:
    """Show what the invitation grants, and how to accept it: sign in, sign up, or just accept."""
    invitation = _open_invitation(token)
    if current_user.is_authenticated and invitations_service.accepted_by(get_session(), invitation, current_user):  # type: ignore[arg-type]
        return redirect(url_for("candidate.dashboard", enrollment_id=invitation.enrollment_id))
    gone = _gone(invitation)
    if gone is not None:
        return gone
    if current_user.is_authenticated and User.normalise_email(current_user.email) != invitation.email:
        return _invitation_page(invitation, 403)
    return _invitation_page(invitation)


@bp.post("/invitations/<token>")
def accept_invitation(token: str) -> Response | tuple[str, int]:
    """Accept: as the signed-in invitee, or by creating the invitee's account here."""
    session = get_session()
    invitation = _open_invitation(token)
    if current_user.is_authenticated:
        try:
            membership = invitations_service.accept(session, invitation, current_user)  # type: ignore[arg-type]
            outbox.commit(session)
        except PathwayError as error:
            session.rollback()
            if isinstance(error, invitations_service.InvitationGone):
                return render_template("candidate/invitation.html", gone=error.message), error.status
            return _invitation_page(invitation, error.status, problems=[error.message])
        return _joined(invitation, membership)
    gone = _gone(invitation)
    if gone is not None:
        return gone
    if accounts.find_by_email(session, invitation.email) is not None:
        return _invitation_page(invitation, 400, problems=[("An account already uses this email: sign in first, "
                                                            "then accept.")])
    form = JoinForm()
    if not form.validate():
        return _invitation_page(invitation, 400, form)
    try:
        user = accounts.create_user(session, invitation.email, form.name.data or "", form.password.data or "")
        membership = invitations_service.accept(session, invitation, user)
        outbox.commit(session)
    except (accounts.AccountError, PathwayError) as error:
        session.rollback()
        return _invitation_page(invitation, getattr(error, "status", 400), form,
                                [getattr(error, "message", str(error))])
    sign_in_on_this_device(user)
    return _joined(invitation, membership)
