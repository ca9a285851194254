"""Setting up: organisations and programs, for service administrators (404 to everyone else).

The API twins of app/organisations/routes.py: the same services, the same policy, the same audit events.
Their staff are app/api/staff.py's.
"""

from __future__ import annotations

from sqlmodel import Session

from app import outbox, policy
from app.api import setup_schemas as s
from app.api.blueprint import operation
from app.db import get_session
from app.models import Organisation, Program, User
from app.services import NotFound
from app.services.programs import organisations as service

# --- Organisations and programs: service administrators; 404 to everyone else ---------------------


def _administrator(session: Session, user: User) -> None:
    if not policy.can_administer_organisations(session, user):
        raise NotFound("There is no such organisation.")


def administered_organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    _administrator(session, user)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def _administered_program(session: Session, user: User, program_id: int) -> Program:
    _administrator(session, user)
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("There is no such program.")
    return program


def _organisation_out(session: Session, organisation: Organisation) -> s.OrganisationOut:
    current = sum(1 for p, _ in service.programs_of(session, organisation) if p.archived_at is None)
    return s.OrganisationOut(id=organisation.id, name=organisation.name, kind=organisation.kind,  # type: ignore[arg-type]
                             timezone=organisation.timezone, cds_code=organisation.cds_code,
                             created_at=organisation.created_at, archived_at=organisation.archived_at,
                             programs=current)


def _program_out(program: Program) -> s.ProgramOut:
    return s.ProgramOut(id=program.id, organisation_id=program.organisation_id, name=program.name,  # type: ignore[arg-type]
                        pathway=program.pathway, open_for_enrolment=program.open_for_enrolment,
                        created_at=program.created_at, archived_at=program.archived_at)


@operation("GET", "/organisations", summary="Organisations", tag="organisations", query=s.OrganisationQuery,
           response=s.OrganisationList)
def list_organisations(user: User, query: s.OrganisationQuery) -> s.OrganisationList:
    """Every current organisation (or, with `archived=true`, the archived ones) by name, with how many current
    programs each runs; service administrators only."""
    session = get_session()
    _administrator(session, user)
    return s.OrganisationList(items=[
        s.OrganisationOut(id=o.id, name=o.name, kind=o.kind, timezone=o.timezone, cds_code=o.cds_code,  # type: ignore[arg-type]
                          created_at=o.created_at, archived_at=o.archived_at, programs=count)
        for o, count in service.listing(session, query.archived)])


@operation("POST", "/organisations", summary="Add an organisation", tag="organisations", body=s.OrganisationIn,
           response=s.OrganisationOut, status=201, errors=(409,))
def create_organisation(user: User, body: s.OrganisationIn) -> s.OrganisationOut:
    """A new organisation (audited); 409 when one has that name already."""
    session = get_session()
    _administrator(session, user)
    organisation = service.create_organisation(session, user, body.name, body.kind, body.timezone, body.cds_code)
    outbox.commit(session)
    return _organisation_out(session, organisation)


@operation("PATCH", "/organisations/<int:organisation_id>", summary="Correct an organisation",
           tag="organisations", body=s.OrganisationPatch, response=s.OrganisationOut, errors=(409,))
def update_organisation(user: User, organisation_id: int, body: s.OrganisationPatch) -> s.OrganisationOut:
    """Change its name, kind, time zone or CDS code (what changed is audited); fields left out keep their value."""
    session = get_session()
    organisation = administered_organisation(session, user, organisation_id)
    service.update_organisation(
        session, user, organisation, organisation.name if body.name is None else body.name,
        organisation.kind if body.kind is None else body.kind,
        organisation.timezone if body.timezone is None else body.timezone,
        (organisation.cds_code or "") if body.cds_code is None else body.cds_code)
    outbox.commit(session)
    return _organisation_out(session, organisation)


@operation("POST", "/organisations/<int:organisation_id>/archive", summary="Archive or restore an organisation",
           tag="organisations", body=s.Archive, response=s.OrganisationOut, errors=(409,))
def archive_organisation(user: User, organisation_id: int, body: s.Archive) -> s.OrganisationOut:
    """Archive it (and so its programs: nobody new enrols or is given a role there) or bring it back; nothing is
    deleted, and asking for the state it is in changes nothing."""
    session = get_session()
    organisation = administered_organisation(session, user, organisation_id)
    service.set_organisation_archived(session, user, organisation, body.archived)
    outbox.commit(session)
    return _organisation_out(session, organisation)


@operation("POST", "/organisations/<int:organisation_id>/programs", summary="Add a program",
           tag="organisations", body=s.ProgramIn, response=s.ProgramOut, status=201, errors=(409,))
def create_program(user: User, organisation_id: int, body: s.ProgramIn) -> s.ProgramOut:
    """A program on one pathway, on the pathway's documented settings (audited); 409 when the organisation is
    archived or already runs a program of that name."""
    session = get_session()
    organisation = administered_organisation(session, user, organisation_id)
    program = service.create_program(session, user, organisation, body.pathway, body.name, body.open_for_enrolment)
    outbox.commit(session)
    return _program_out(program)


@operation("PATCH", "/programs/<int:program_id>", summary="Rename a program, or open or close its enrolment",
           tag="organisations", body=s.ProgramPatch, response=s.ProgramOut, errors=(409,))
def update_program(user: User, program_id: int, body: s.ProgramPatch) -> s.ProgramOut:
    """Fields left out keep their value; the pathway never changes. Service administrators only."""
    session = get_session()
    program = _administered_program(session, user, program_id)
    service.update_program(session, user, program, program.name if body.name is None else body.name,
                           program.open_for_enrolment if body.open_for_enrolment is None else body.open_for_enrolment)
    outbox.commit(session)
    return _program_out(program)


@operation("POST", "/programs/<int:program_id>/archive", summary="Archive or restore a program",
           tag="organisations", body=s.Archive, response=s.ProgramOut, errors=(409,))
def archive_program(user: User, program_id: int, body: s.Archive) -> s.ProgramOut:
    """Archive a program (its candidates and records stay; nobody new enrols) or bring it back."""
    session = get_session()
    program = _administered_program(session, user, program_id)
    service.set_program_archived(session, user, program, body.archived)
    outbox.commit(session)
    return _program_out(program)
