"""Staff pages: the directory of who holds which role, adding people by email, taking roles away,
deactivating accounts, and the link by which invited staff join.

An organisation's staff page is open to service administrators and its organisation-wide directors
and HR; a program's, also to the program's own directors. Everyone else gets 404. What someone may
give is policy.can_staff: the page offers only those roles.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import outbox, policy
from app.auth.forms import JoinForm
from app.db import get_session
from app.extensions import sign_in_on_this_device
from app.idempotency import idempotent
from app.models import Membership, Organisation, PoolMember, Program, StaffInvitation, User
from app.organisations.blueprint import bp
from app.services import PathwayError
from app.services.enrollments import words
from app.services.programs import csv_reader, staff_gaps, staff_import
from app.services.team import accounts, sign_ins, staff, staff_invitations
from app.services.team.invitations import InvitationGone
from workflows.roles import Role


def _scope(organisation_id: int, program_id: int | None = None) -> tuple[Organisation, Program | None, bool]:
    """The organisation (and program), and whether the person administers the service; 404 for
    anyone who may not see this staff page."""
    session = get_session()
    organisation = session.get(Organisation, organisation_id)
    program = session.get(Program, program_id) if program_id is not None else None
    if organisation is None or (program_id is not None and (program is None or program.organisation_id != organisation.id)):
        abort(404)
    administrator = policy.is_service_administrator(session, current_user)  # type: ignore[arg-type]
    held = staff.held_here(session, current_user, organisation, program)  # type: ignore[arg-type]
    if not policy.can_see_staff(held, administrator):
        abort(404)
    return organisation, program, administrator


def _page(organisation: Organisation, program: Program | None, administrator: bool, status: int = 200,
          **context: Any) -> tuple[str, int]:
    session = get_session()
    words.use_zone(organisation.timezone)  # invitations' last days, as their emails say them
    givable = [r for r in staff.roles_at(program)
               if staff.may_staff(session, current_user, organisation, program, r)]  # type: ignore[arg-type]
    lines = staff.directory(session, organisation, program)
    people: dict[int, tuple[User, list[staff.StaffLine]]] = {}
    for line in lines:  # one card a person, their roles in it, in the directory's order (by name)
        people.setdefault(line.user.id, (line.user, []))[1].append(line)  # type: ignore[index]
    return render_template(
        "organisations/staff.html", organisation=organisation, program=program, administrator=administrator,
        people=list(people.values()), givable=givable, pool_roles=policy.POOL_ROLES, Role=Role,
        invitations=staff_invitations.pending(session, organisation, program),
        programs=_programs(organisation), gaps=staff_gaps.gaps(session, organisation, program) if program else [],
        may_take=lambda line: staff.may_staff(
            session, current_user, organisation, line.program, line.role),  # type: ignore[arg-type]
        **context), status


def _programs(organisation: Organisation) -> list[Program]:
    return list(get_session().exec(select(Program).where(Program.organisation_id == organisation.id,
                                                         Program.archived_at.is_(None))  # type: ignore[union-attr]
                                   .order_by(Program.name)).all())


def _back(organisation: Organisation, program: Program | None) -> Response:
    if program is not None:
        return redirect(url_for("organisations.program_staff", organisation_id=organisation.id, program_id=program.id))
    return redirect(url_for("organisations.staff_page", organisation_id=organisation.id))


@bp.get("/organisations/<int:organisation_id>/staff")
@login_required
def staff_page(organisation_id: int) -> tuple[str, int]:
    """Who holds which role across the organisation and its programs, and open invitations."""
    organisation, program, administrator = _scope(organisation_id)
    return _page(organisation, program, administrator)


@bp.get("/organisations/<int:organisation_id>/programs/<int:program_id>/staff")
@login_required
def program_staff(organisation_id: int, program_id: int) -> tuple[str, int]:
    """The program's director, panel, support provider and pool, with the organisation-wide roles
    that reach its candidates."""
    organisation, program, administrator = _scope(organisation_id, program_id)
    return _page(organisation, program, administrator)


@bp.post("/organisations/<int:organisation_id>/staff")
@login_required
def add(organisation_id: int) -> Response | tuple[str, int]:
    """Give an organisation-wide role to someone with an account, or invite an address to it."""
    return _add(*_scope(organisation_id))


@bp.post("/organisations/<int:organisation_id>/programs/<int:program_id>/staff")
@login_required
def add_to_program(organisation_id: int, program_id: int) -> Response | tuple[str, int]:
    """Give a program role or a pool place to someone with an account, or invite an address to it."""
    return _add(*_scope(organisation_id, program_id))


def _add(organisation: Organisation, program: Program | None, administrator: bool) -> Response | tuple[str, int]:
    session = get_session()
    if not any(staff.may_staff(session, current_user, organisation, program, r)  # type: ignore[arg-type]
               for r in staff.roles_at(program)):
        abort(403, "You may see these staff but not give their roles.")
    form = request.form
    try:
        done = staff_invitations.add(session, current_user, organisation, form.get("email", ""),  # type: ignore[arg-type]
                                     form.get("role", ""), program, form.get("name", ""), form.get("school"))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(organisation, program, administrator, error.status, values=form,
                     problems=error.reasons or [error.message])
    role = Role(done.role).in_sentence
    if isinstance(done, StaffInvitation):
        flash(f"Invitation sent to {done.email} to be {role}. It works for "
              f"{(done.expires_at - done.created_at).days} days.", "success")
    else:
        person = session.get(User, done.user_id)
        flash(f"{person.name if person else 'They'} can work as {role} now; we emailed them to say so.", "success")
    return _back(organisation, program)


@bp.post("/organisations/<int:organisation_id>/staff/<any(role, pool):place>/<int:held_id>/revoke")
@login_required
def revoke(organisation_id: int, place: str, held_id: int) -> Response | tuple[str, int]:
    """Take a role or a pool place away, saying why; the page says what became of their work."""
    session = get_session()
    organisation = session.get(Organisation, organisation_id) or abort(404)
    try:
        held = staff.find_held(session, organisation, place, held_id)
    except PathwayError:
        abort(404)
    organisation, program, administrator = _scope(organisation_id, held.program_id)
    person = session.get(User, held.user_id)
    try:
        handover = staff.revoke(session, current_user, held, request.form.get("reason", ""))  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(organisation, program, administrator, error.status, problems=[error.message])
    name, role = person.name if person else "They", Role(held.role).in_sentence
    said = [f"{name} is no longer {role} here."]
    if handover.released_tasks:
        said.append(f"The {handover.released_tasks} sign-off(s) they had claimed are back in the queue"
                    + (f" of the {handover.other_holders} other {role}(s)." if handover.other_holders else
                       f": nobody else is {role} here yet, so give the role to someone."))
    if handover.caseload:
        said.append(f"They are still {role} of {handover.caseload} candidate(s): assign another on the "
                    "program's mentors and coaches page.")
    flash(" ".join(said), "success")
    return _back(organisation, program)


@bp.post("/organisations/<int:organisation_id>/staff/invitations/<int:staff_invitation_id>/withdraw")
@login_required
def withdraw(organisation_id: int, staff_invitation_id: int) -> Response | tuple[str, int]:
    """Withdraw an open invitation; its link stops working."""
    session = get_session()
    invitation = session.get(StaffInvitation, staff_invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id:
        abort(404)
    organisation, program, administrator = _scope(organisation_id, invitation.program_id)
    try:
        staff_invitations.withdraw(session, current_user, invitation)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(organisation, program, administrator, error.status, problems=[error.message])
    flash(f"The invitation to {invitation.email} is withdrawn; its link no longer works.", "success")
    return _back(organisation, program)


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/deactivate")
@login_required
def deactivate(organisation_id: int, user_id: int) -> Response | tuple[str, int]:
    """Switch an account off everywhere (service administrators): it leaves every queue and picker."""
    organisation, program, administrator = _scope(organisation_id)
    session = get_session()
    person = session.get(User, user_id)
    if person is None or user_id not in {line.user.id for line in staff.directory(session, organisation)}:
        abort(404)
    try:
        accounts.deactivate(session, current_user, person, request.form.get("reason", ""))  # type: ignore[arg-type]
        sign_ins.end_all(session, person)
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(organisation, program, administrator, error.status, problems=[error.message])
    flash(f"{person.name}'s account is deactivated: they can no longer sign in, and their roles stay on record.",
          "success")
    return _back(organisation, None)


# --- Following a staff invitation -----------------------------------------------------------------


def _invitation(token: str) -> StaffInvitation:
    invitation = staff_invitations.find_by_token(get_session(), token)
    if invitation is None:
        abort(404, "This invitation link is not valid. Check that the whole link was copied from the email.")
    return invitation


def _join_page(invitation: StaffInvitation, status: int = 200, form: JoinForm | None = None,
               problems: list[str] | None = None, gone: str | None = None) -> tuple[str, int]:
    session = get_session()
    organisation = session.get(Organisation, invitation.organisation_id)
    words.use_zone(organisation.timezone if organisation else None)  # its last day, as the email says it
    has_account = accounts.find_by_email(session, invitation.email) is not None
    if form is None and not has_account:
        form = JoinForm()
        form.name.data = form.name.data or invitation.name
    return render_template("organisations/join.html", invitation=invitation, gone=gone, problems=problems or [],
                           role=Role(invitation.role), where=staff_invitations.where_of(session, invitation),
                           inviter=session.get(User, invitation.invited_by_id), has_account=has_account,
                           form=form), status


def _joined(held: Membership | PoolMember) -> Response:
    flash(f"Welcome. You are now {Role(held.role).in_sentence}"
          + (": the program director assigns you to candidates." if isinstance(held, PoolMember) else "."), "success")
    return redirect(url_for("main.home"))


@bp.get("/staff/join/<token>")
def join(token: str) -> Response | tuple[str, int]:
    """What the invitation gives, and how to accept it: sign in, choose a password, or just accept."""
    invitation = _invitation(token)
    try:
        staff_invitations.check_open(invitation)
    except InvitationGone as gone:
        return _join_page(invitation, gone.status, gone=gone.message)
    if current_user.is_authenticated and User.normalise_email(current_user.email) != invitation.email:
        return _join_page(invitation, 403)
    return _join_page(invitation)


@bp.post("/staff/join/<token>")
def accept(token: str) -> Response | tuple[str, int]:
    """Accept: as the signed-in invitee, or by creating the invitee's account here."""
    session = get_session()
    invitation = _invitation(token)
    try:
        if current_user.is_authenticated:
            held = staff_invitations.accept(session, invitation, current_user)  # type: ignore[arg-type]
            outbox.commit(session)
            return _joined(held)
        staff_invitations.check_open(invitation)
        if accounts.find_by_email(session, invitation.email) is not None:
            return _join_page(invitation, 400, problems=["An account already uses this email: sign in first, then accept."])
        form = JoinForm()
        if not form.validate():
            return _join_page(invitation, 400, form)
        user = accounts.create_user(session, invitation.email, form.name.data or "", form.password.data or "")
        held = staff_invitations.accept(session, invitation, user)
        outbox.commit(session)
    except InvitationGone as gone:
        session.rollback()
        return _join_page(invitation, gone.status, gone=gone.message)
    except (accounts.AccountError, PathwayError) as error:
        session.rollback()
        return _join_page(invitation, getattr(error, "status", 400), None,
                          [getattr(error, "message", str(error))])
    sign_in_on_this_device(user)
    return _joined(held)


# --- Importing staff from a spreadsheet -----------------------------------------------------------


def _import_scope(organisation_id: int) -> tuple[Organisation, bool]:
    """The organisation, for someone who may give roles there (service administrators); 404 otherwise."""
    organisation, _, administrator = _scope(organisation_id)
    if not administrator:
        abort(404)
    return organisation, administrator


def _import_page(organisation: Organisation, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template("organisations/staff_import.html", organisation=organisation,
                           columns=staff_import.COLUMN_HELP, Action=staff_import.StaffAction, **context), status


def _upload() -> bytes:
    """The file's bytes: a fresh upload, or the preview's copy carried in the confirm form."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(csv_reader.MAX_BYTES + 1)
    try:
        carried = base64.b64decode(request.form.get("payload", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400, "The confirmation form was damaged; upload the file again.")
    if not carried:
        abort(400, "Choose a CSV file to upload.")
    return carried


@bp.get("/organisations/<int:organisation_id>/staff/import")
@login_required
def staff_import_page(organisation_id: int) -> tuple[str, int]:
    """Upload a staff list: the columns it takes, then a preview."""
    organisation, _ = _import_scope(organisation_id)
    return _import_page(organisation)


@bp.get("/organisations/<int:organisation_id>/staff/template.csv")
@login_required
def staff_template(organisation_id: int) -> Response:
    """The staff list's template: its header and one example row."""
    _import_scope(organisation_id)
    response = Response(staff_import.template_csv().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="staff-template.csv"'
    return response


@bp.post("/organisations/<int:organisation_id>/staff/import/preview")
@login_required
def staff_import_preview(organisation_id: int) -> tuple[str, int]:
    """What importing the file would do, row by row; nothing is written."""
    organisation, _ = _import_scope(organisation_id)
    data = _upload()
    check = staff_import.check(get_session(), current_user, organisation, data)  # type: ignore[arg-type]
    return _import_page(organisation, 200 if check.importable or not check.problems else 400, check=check,
                        payload=base64.b64encode(data).decode() if check.importable else None)


@bp.post("/organisations/<int:organisation_id>/staff/import")
@login_required
@idempotent
def staff_import_apply(organisation_id: int) -> Response | tuple[str, int]:
    """Import the previewed file in one transaction: every row, or none with every problem shown."""
    organisation, _ = _import_scope(organisation_id)
    session = get_session()
    try:
        check = staff_import.import_staff(session, current_user, organisation, _upload())  # type: ignore[arg-type]
        outbox.commit(session)
    except staff_import.StaffImportError as error:
        session.rollback()
        return _import_page(organisation, error.status, check=error.check, payload=None, problem=error.message)
    counts = check.counts
    flash(f"Imported: {counts['grant']} given their role now, {counts['invite']} invited by email, "
          f"{counts['already']} already in place.", "success")
    return redirect(url_for("organisations.staff_page", organisation_id=organisation.id))
