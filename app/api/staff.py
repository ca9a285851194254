"""A district's staff over the API: the directory, adding by email, revoking, invitations, deactivating,
importing a staff list, and assigning one person to several candidates.

The API twins of app/organisations/staff.py and the director's bulk assignment: the same services, the same
policy, the same audit events; 404 where the page is 404, 403 where it is 403.
"""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import or_
from sqlmodel import Session, select

from app import inputs, outbox, policy
from app.api import setup_schemas as s
from app.api.blueprint import Invalid, operation
from app.api.setup import administered_organisation
from app.db import get_session
from app.models import Membership, Organisation, PoolMember, Program, StaffInvitation, User
from app.services import NotFound, NotPermitted
from app.services.programs import assignments, csv_reader, staff_import
from app.services.team import accounts, sign_ins, staff, staff_invitations
from workflows.roles import Role

# --- Staff: administrators, and the organisation's directors and HR (a program's, its directors too) -----


def _scope(session: Session, user: User, organisation: Organisation | None,
           program: Program | None = None) -> tuple[Organisation, Program | None]:
    """The staff page's scope for `user`; 404 for whoever may not see it (as the page)."""
    if organisation is None or (program is not None and program.organisation_id != organisation.id):
        raise NotFound("There is no such organisation.")
    held = staff.held_here(session, user, organisation, program)
    if not policy.can_see_staff(held, policy.is_service_administrator(session, user)):
        raise NotFound("There is no such organisation." if program is None else "There is no such program.")
    return organisation, program


def _program_scope(session: Session, user: User, program_id: int) -> tuple[Organisation, Program]:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("There is no such program.")
    organisation, _ = _scope(session, user, session.get(Organisation, program.organisation_id), program)
    return organisation, program


def _invitation_out(session: Session, invitation: StaffInvitation) -> s.StaffInvitationOut:
    inviter = session.get(User, invitation.invited_by_id)
    return s.StaffInvitationOut(
        id=invitation.id, organisation_id=invitation.organisation_id, program_id=invitation.program_id,  # type: ignore[arg-type]
        email=invitation.email, name=invitation.name, role=invitation.role, school=invitation.school,
        invited_by=inviter.name if inviter else None, created_at=invitation.created_at,
        expires_at=invitation.expires_at, accepted_at=invitation.accepted_at, withdrawn_at=invitation.revoked_at)


def _directory(session: Session, user: User, organisation: Organisation, program: Program | None) -> s.StaffDirectory:
    lines = [s.StaffLineOut(
        user_id=line.user.id, name=line.user.name, email=line.user.email, active=line.user.active,  # type: ignore[arg-type]
        role=line.role.value, role_label=line.role.label, program_id=line.program.id if line.program else None,
        since=line.since, granted_by=line.granted_by.name if line.granted_by else None, school=line.school,
        open_tasks=line.open_tasks, caseload=line.caseload,
        place="pool" if isinstance(line.held, PoolMember) else "role", held_id=line.held.id)  # type: ignore[arg-type]
        for line in staff.directory(session, organisation, program)]
    return s.StaffDirectory(
        organisation_id=organisation.id, program_id=program.id if program else None, lines=lines,  # type: ignore[arg-type]
        invitations=[_invitation_out(session, i) for i in staff_invitations.pending(session, organisation, program)],
        may_give=[r.value for r in staff.roles_at(program) if staff.may_staff(session, user, organisation, program, r)])


@operation("GET", "/organisations/<int:organisation_id>/staff", summary="An organisation's staff", tag="staff",
           response=s.StaffDirectory)
def organisation_staff(user: User, organisation_id: int) -> s.StaffDirectory:
    """Who holds which role across the organisation and its programs (pool places too), and open invitations; for
    service administrators and the organisation's directors and HR."""
    session = get_session()
    organisation, _ = _scope(session, user, session.get(Organisation, organisation_id))
    return _directory(session, user, organisation, None)


@operation("GET", "/programs/<int:program_id>/staff", summary="A program's staff", tag="staff",
           response=s.StaffDirectory)
def program_staff(user: User, program_id: int) -> s.StaffDirectory:
    """The program's director, panel, support provider and pool, with the organisation-wide roles that reach its
    candidates, and its open invitations; also for the program's own directors."""
    session = get_session()
    organisation, program = _program_scope(session, user, program_id)
    return _directory(session, user, organisation, program)


def _add(session: Session, user: User, organisation: Organisation, program: Program | None,
         body: s.StaffIn) -> s.StaffAdded:
    if not any(staff.may_staff(session, user, organisation, program, r) for r in staff.roles_at(program)):
        raise NotPermitted("You may see these staff but not give their roles.")
    done = staff_invitations.add(session, user, organisation, body.email, body.role, program, body.name, body.school)
    outbox.commit(session)
    if isinstance(done, StaffInvitation):
        return s.StaffAdded(outcome="invited", role=done.role, email=done.email,
                            invitation=_invitation_out(session, done))
    person = session.get(User, done.user_id)
    return s.StaffAdded(outcome="granted", role=done.role, email=person.email if person else body.email,
                        user_id=done.user_id, place="pool" if isinstance(done, PoolMember) else "role",
                        held_id=done.id)


@operation("POST", "/organisations/<int:organisation_id>/staff", summary="Give an organisation-wide role",
           tag="staff", body=s.StaffIn, response=s.StaffAdded, status=201, errors=(409,))
def add_organisation_staff(user: User, organisation_id: int, body: s.StaffIn) -> s.StaffAdded:
    """Credential analyst, district HR, or director of every program: given now to whoever has an account with the
    email (they are emailed), or an invitation is emailed. Service administrators; 403 for those who only see."""
    session = get_session()
    organisation, _ = _scope(session, user, session.get(Organisation, organisation_id))
    return _add(session, user, organisation, None, body)


@operation("POST", "/programs/<int:program_id>/staff", summary="Give a program role or a pool place", tag="staff",
           body=s.StaffIn, response=s.StaffAdded, status=201, errors=(409,))
def add_program_staff(user: User, program_id: int, body: s.StaffIn) -> s.StaffAdded:
    """The program's director, panel member or support provider, or a place in its pool (mentor, coach, site
    administrator; `school` kept): granted now or invited. The program's director gives all but directors (403)."""
    session = get_session()
    organisation, program = _program_scope(session, user, program_id)
    return _add(session, user, organisation, program, body)


@operation("POST", "/organisations/<int:organisation_id>/staff/<place>/<int:held_id>/revoke",
           summary="Take a role or a pool place away", tag="staff", body=s.Reason, response=s.Handover, errors=(409,))
def revoke_staff(user: User, organisation_id: int, place: str, held_id: int, body: s.Reason) -> s.Handover:
    """`place` is `role` or `pool` and `held_id` its id, as the directory lists them. The reason is required (422
    without one) and audited with the caller's name; the answer says what became of their work."""
    session = get_session()
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or place not in ("role", "pool"):
        raise NotFound("There is no such role here.")
    held = staff.find_held(session, organisation, place, held_id)
    program = session.get(Program, held.program_id) if held.program_id is not None else None
    _scope(session, user, organisation, program)
    handover = staff.revoke(session, user, held, body.reason)
    outbox.commit(session)
    return s.Handover(user_id=held.user_id, role=held.role, released_tasks=handover.released_tasks,
                      other_holders=handover.other_holders, caseload=handover.caseload)


@operation("DELETE", "/staff-invitations/<int:staff_invitation_id>", summary="Withdraw a staff invitation",
           tag="staff", response=s.StaffInvitationOut, errors=(409,))
def withdraw_staff_invitation(user: User, staff_invitation_id: int) -> s.StaffInvitationOut:
    """Its link stops working (withdrawing twice changes nothing); 409 when it was already accepted. For whoever
    may give its role."""
    session = get_session()
    invitation = session.get(StaffInvitation, staff_invitation_id)
    if invitation is None:
        raise NotFound("There is no such invitation.")
    program = session.get(Program, invitation.program_id) if invitation.program_id is not None else None
    _scope(session, user, session.get(Organisation, invitation.organisation_id), program)
    staff_invitations.withdraw(session, user, invitation)
    outbox.commit(session)
    return _invitation_out(session, invitation)


def _organisations_of(session: Session, person_id: int) -> list[Organisation]:
    """The organisations where `person_id` holds a staff role or a pool place (live), as the directories list them."""
    by_program = select(Program.organisation_id).where(or_(
        Program.id.in_(select(Membership.program_id).where(  # type: ignore[union-attr]
            Membership.user_id == person_id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
            Membership.enrollment_id.is_(None))),  # type: ignore[union-attr]
        Program.id.in_(select(PoolMember.program_id).where(  # type: ignore[union-attr]
            PoolMember.user_id == person_id, PoolMember.revoked_at.is_(None)))))  # type: ignore[union-attr]
    ids = set(session.exec(by_program).all())
    ids |= {i for i in session.exec(select(Membership.organisation_id).where(
        Membership.user_id == person_id, Membership.revoked_at.is_(None), Membership.program_id.is_(None),  # type: ignore[union-attr]
        Membership.enrollment_id.is_(None), Membership.role != Role.SERVICE_ADMINISTRATOR.value)).all()  # type: ignore[union-attr]
        if i is not None}
    return [o for o in (session.get(Organisation, i) for i in sorted(ids)) if o is not None]


@operation("POST", "/accounts/<int:user_id>/deactivate", summary="Deactivate a staff account", tag="staff",
           body=s.Reason, response=s.Deactivated, errors=(409,))
def deactivate_account(user: User, user_id: int, body: s.Reason) -> s.Deactivated:
    """Switch someone on an organisation's staff off everywhere (service administrators; 403 for directors and HR
    who see them): they sign in nowhere, every sign-in ends, their tokens stop working, and they leave every queue
    and picker; their roles and records stay. The reason is required and audited."""
    session = get_session()
    person = session.get(User, user_id)
    where = _organisations_of(session, user_id) if person is not None else []
    if not policy.is_service_administrator(session, user):
        if any(policy.can_see_staff(staff.held_here(session, user, o, None), False) for o in where):
            raise NotPermitted("Only a service administrator deactivates accounts.")
        raise NotFound("There is no such person on your staff.")
    if person is None or not where:
        raise NotFound("There is no such person on any organisation's staff.")
    accounts.deactivate(session, user, person, body.reason)
    ended = sign_ins.end_all(session, person)
    outbox.commit(session)
    return s.Deactivated(user_id=user_id, active=person.active, sign_ins_ended=ended)


# --- Importing staff from a spreadsheet: service administrators (404 to everyone else) ---------------


def _upload() -> tuple[bytes, list[str | int]]:
    """The file's bytes, from a text/csv body or a multipart `file`, and where its errors point."""
    if request.mimetype in ("text/csv", "text/plain"):
        return request.get_data()[:csv_reader.MAX_BYTES + 1], ["body"]
    if request.mimetype != "multipart/form-data":
        raise Invalid([{"loc": ["body"], "message": "Send the staff list as text/csv, or as multipart/form-data "
                                                    "`file`."}])
    upload = request.files.get("file")
    if upload is None:
        raise Invalid([{"loc": ["body", "file"], "message": "Attach the staff list CSV as `file`."}])
    return upload.read(csv_reader.MAX_BYTES + 1), ["body", "file"]


def _text_only(data: bytes, where: list[str | int]) -> None:
    """Refuse a file holding NUL or other control characters (PostgreSQL refuses NUL in any text it is asked to
    compare), as the app refuses them in every other field."""
    if inputs.has_control_characters([data.decode("utf-8", "replace")]):
        raise Invalid([{"loc": where, "message": inputs.CONTROL_CHARACTERS}])


def _row_out(row: staff_import.StaffRow) -> s.StaffImportRow:
    return s.StaffImportRow(line=row.line, name=row.name, email=row.email,
                            role=row.role.value if row.role is not None else None,
                            program_id=row.program.id if row.program is not None else None,
                            action=row.action.value if row.action is not None else None,
                            errors=list(row.errors), notes=list(row.notes))


def _import_errors(check: staff_import.StaffImportCheck, where: list[str | int]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = [{"loc": where, "message": m} for m in check.file_errors]
    errors += [{"loc": [*where, row.line], "message": m} for row in check.rows for m in row.errors]
    return errors


@operation("POST", "/organisations/<int:organisation_id>/staff/import", summary="Import a staff list (CSV)",
           tag="staff", query=s.ImportQuery, multipart=s.StaffCsv, response=s.StaffImportResult, errors=(409, 413),
           csv_body=True)
def import_staff(user: User, organisation_id: int, query: s.ImportQuery) -> s.StaffImportResult:
    """The staff template's CSV (header: name, email, role, program, school) as a `text/csv` body or multipart
    `file`. Each row says what it does: `grant` (an account has the email), `invite` (an invitation is emailed) or
    `already`. All or nothing: any problem is a 422 naming each line (`["body", line]`, or `["body", "file",
    line]`) and nothing is written; `dry_run=true` only checks. The same file again changes nothing."""
    session = get_session()
    organisation = administered_organisation(session, user, organisation_id)
    data, where = _upload()
    _text_only(data, where)
    try:
        if query.dry_run:
            check = staff_import.check(session, user, organisation, data)
            if check.problems:
                raise staff_import.StaffImportError("The staff list has problems.", check)
        else:
            check = staff_import.import_staff(session, user, organisation, data)
            outbox.commit(session)
    except staff_import.StaffImportError as error:
        session.rollback()
        raise Invalid(_import_errors(error.check, where)) from None
    counts = check.counts
    done = not query.dry_run and bool(counts[staff_import.StaffAction.GRANT] or counts[staff_import.StaffAction.INVITE])
    return s.StaffImportResult(dry_run=query.dry_run, imported=done, sha256=check.sha256, counts=counts,
                               rows=[_row_out(row) for row in check.rows])


# --- Assigning one person to several candidates: the program's director or district HR --------------


@operation("POST", "/programs/<int:program_id>/assignments", summary="Assign one person to several candidates",
           tag="staff", body=s.AssignMany, response=s.AssignedOut, errors=(409,))
def assign_many(user: User, program_id: int, body: s.AssignMany) -> s.AssignedOut:
    """Put one mentor, coach or site administrator (from the program's staff) on every listed candidate in `role`,
    all or nothing; candidates who already have them in that role are left as they are (`already`). 404 for
    whoever holds no program role, 403 for those who may not assign."""
    session = get_session()
    program = session.get(Program, program_id)
    roles = policy.program_roles(session, user, program) if program else frozenset()
    if program is None or not policy.can_view_program(roles):
        raise NotFound("There is no such program.")
    if not policy.can_assign(roles):
        raise NotPermitted("Your roles on this program do not include assigning candidates.")
    made = assignments.assign_many(session, program, body.enrollment_ids, body.user_id, body.role, user)
    outbox.commit(session)
    assigned = [m.enrollment_id for m in made if m.enrollment_id is not None]
    return s.AssignedOut(user_id=body.user_id, role=body.role, assigned=assigned,
                         already=[i for i in dict.fromkeys(body.enrollment_ids) if i not in set(assigned)],
                         membership_ids=[m.id for m in made if m.id is not None])

