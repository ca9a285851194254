"""Organisations and their programs: created, edited and archived by a service administrator.

Archiving stamps `archived_at` and deletes nothing: enrolments, records and the audit trail stay,
and whoever holds a role there keeps reading them. An archived organisation or program leaves the
enrolment wizard and takes no new roles. A program starts on its pathway's documented defaults
(workflows/<pathway>/settings.py); its director changes them on the settings page.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar
from zoneinfo import available_timezones

from sqlalchemy import func
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Organisation, OrganisationKind, Program, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from workflows.registry import labels

Archivable = TypeVar("Archivable", Organisation, Program)

# Seven digits name a district or county office, fourteen a school (California's CDS codes).
_CDS = re.compile(r"^(\d{7}|\d{14})$")


def require_administrator(session: Session, actor: User) -> None:
    if not policy.can_administer_organisations(session, actor):
        raise NotPermitted("Only a service administrator sets up organisations and programs.")


def listing(session: Session, archived: bool = False) -> list[tuple[Organisation, int]]:
    """Organisations (current ones, or the archived), by name, each with how many programs it runs."""
    counts = dict(session.exec(select(Program.organisation_id, func.count(Program.id))  # type: ignore[call-overload, arg-type]
                               .where(Program.archived_at.is_(None)).group_by(Program.organisation_id)).all())  # type: ignore[union-attr]
    rows = session.exec(select(Organisation).where(
        Organisation.archived_at.is_not(None) if archived else Organisation.archived_at.is_(None))  # type: ignore[union-attr]
        .order_by(Organisation.name)).all()
    return [(o, counts.get(o.id, 0)) for o in rows]


def programs_of(session: Session, organisation: Organisation) -> list[tuple[Program, int]]:
    """The organisation's programs (archived last), each with how many enrolments it holds."""
    counts = dict(session.exec(select(Enrollment.program_id, func.count(Enrollment.id))  # type: ignore[call-overload, arg-type]
                               .join(Program, Program.id == Enrollment.program_id)
                               .where(Program.organisation_id == organisation.id)
                               .group_by(Enrollment.program_id)).all())
    rows = session.exec(select(Program).where(Program.organisation_id == organisation.id)).all()
    return sorted(((p, counts.get(p.id, 0)) for p in rows), key=lambda r: (r[0].archived_at is not None, r[0].name))


def _organisation_fields(name: str, kind: str, timezone: str, cds_code: str) -> tuple[str, OrganisationKind, str, str | None]:
    name = " ".join((name or "").split())
    problems = []
    if not name or len(name) > 200:
        problems.append("Enter the organisation's name (up to 200 characters).")
    try:
        kind_ = OrganisationKind(kind)
    except ValueError:
        kind_ = OrganisationKind.DISTRICT
        problems.append("Choose what kind of organisation it is.")
    if timezone not in available_timezones():
        problems.append("Choose the organisation's time zone.")
    code = re.sub(r"[\s-]", "", cds_code or "") or None
    if code is not None and not _CDS.match(code):
        problems.append("A CDS code has 7 digits (district or county office) or 14 (school); leave it empty if "
                        "there is none.")
    if problems:
        raise PathwayError(problems[0], problems)
    return name, kind_, timezone, code


def create_organisation(session: Session, actor: User, name: str, kind: str, timezone: str = "America/Los_Angeles",
                        cds_code: str = "", now: datetime | None = None) -> Organisation:
    """A new organisation (the caller commits)."""
    require_administrator(session, actor)
    name, kind_, timezone, code = _organisation_fields(name, kind, timezone, cds_code)
    _name_free(session, name)
    organisation = Organisation(name=name, kind=kind_.value, timezone=timezone, cds_code=code,
                                created_at=now or utcnow())
    session.add(organisation)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="organisation.created", occurred_at=now or utcnow(),
                           details={"organisation_id": organisation.id, "name": name, "kind": kind_.value,
                                    "timezone": timezone, "cds_code": code}))
    return organisation


def update_organisation(session: Session, actor: User, organisation: Organisation, name: str, kind: str,
                        timezone: str, cds_code: str = "", now: datetime | None = None) -> Organisation:
    """Rename or correct an organisation; what changed goes in the record (the caller commits)."""
    require_administrator(session, actor)
    name, kind_, timezone, code = _organisation_fields(name, kind, timezone, cds_code)
    if name != organisation.name:
        _name_free(session, name)
    before = {"name": organisation.name, "kind": organisation.kind, "timezone": organisation.timezone,
              "cds_code": organisation.cds_code}
    after = {"name": name, "kind": kind_.value, "timezone": timezone, "cds_code": code}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        organisation.name, organisation.kind, organisation.timezone, organisation.cds_code = name, kind_.value, timezone, code
        session.add(organisation)
        session.add(AuditEvent(actor_id=actor.id, action="organisation.updated", occurred_at=now or utcnow(),
                               details={"organisation_id": organisation.id, "changed": changed}))
    return organisation


def set_organisation_archived(session: Session, actor: User, organisation: Organisation, archived: bool,
                              now: datetime | None = None) -> Organisation:
    """Archive an organisation (and so every program it runs), or bring it back; nothing is deleted."""
    return _set_archived(session, actor, organisation, "organisation", archived, now)


def _set_archived(session: Session, actor: User, record: Archivable, kind: str, archived: bool,
                  now: datetime | None) -> Archivable:
    """Stamp or clear `archived_at`, audited as "<kind>.archived" or "<kind>.restored"; the same state again
    changes nothing."""
    require_administrator(session, actor)
    now = now or utcnow()
    if (record.archived_at is not None) == archived:
        return record
    record.archived_at = now if archived else None
    session.add(record)
    session.add(AuditEvent(actor_id=actor.id, action=f"{kind}.{'archived' if archived else 'restored'}",
                           occurred_at=now, details={f"{kind}_id": record.id, "name": record.name}))
    return record


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def _name_free(session: Session, name: str) -> None:
    if session.exec(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())).first() is not None:
        raise Conflict(f"An organisation named {name} already exists.")


# --- Programs -------------------------------------------------------------------------------------


def _program_fields(name: str, pathway: str | None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    problems = []
    if not name or len(name) > 200:
        problems.append("Enter the program's name (up to 200 characters).")
    if pathway is not None and pathway not in labels():
        problems.append("Choose the pathway the program runs.")
    if problems:
        raise PathwayError(problems[0], problems)
    return name, pathway


def create_program(session: Session, actor: User, organisation: Organisation, pathway: str, name: str,
                   open_for_enrolment: bool = True, now: datetime | None = None) -> Program:
    """A program on one pathway, on the pathway's documented defaults (the caller commits)."""
    require_administrator(session, actor)
    if organisation.archived_at is not None:
        raise Conflict(f"{organisation.name} is archived: it runs no new programs.")
    name, _ = _program_fields(name, pathway)
    _program_name_free(session, organisation, name)
    program = Program(organisation_id=organisation.id, name=name, pathway=pathway,  # type: ignore[arg-type]
                      open_for_enrolment=open_for_enrolment, created_at=now or utcnow())
    session.add(program)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="program.created", occurred_at=now or utcnow(), details={
        "program_id": program.id, "organisation_id": organisation.id, "name": name, "pathway": pathway,
        "open_for_enrolment": open_for_enrolment}))
    return program


def update_program(session: Session, actor: User, program: Program, name: str, open_for_enrolment: bool,
                   now: datetime | None = None) -> Program:
    """Rename a program, or open or close it for enrolment (its pathway never changes)."""
    require_administrator(session, actor)
    name, _ = _program_fields(name, None)
    organisation = session.get(Organisation, program.organisation_id)
    if name != program.name and organisation is not None:
        _program_name_free(session, organisation, name)
    changed: dict[str, list[object]] = {}
    if name != program.name:
        changed["name"] = [program.name, name]
    if open_for_enrolment != program.open_for_enrolment:
        changed["open_for_enrolment"] = [program.open_for_enrolment, open_for_enrolment]
    if changed:
        program.name, program.open_for_enrolment = name, open_for_enrolment
        session.add(program)
        session.add(AuditEvent(actor_id=actor.id, action="program.updated", occurred_at=now or utcnow(),
                               details={"program_id": program.id, "changed": changed}))
    return program


def set_program_archived(session: Session, actor: User, program: Program, archived: bool,
                         now: datetime | None = None) -> Program:
    """Archive a program (its candidates and records stay), or bring it back."""
    return _set_archived(session, actor, program, "program", archived, now)


def _program_name_free(session: Session, organisation: Organisation, name: str) -> None:
    if session.exec(select(Program.id).where(Program.organisation_id == organisation.id,
                                             func.lower(Program.name) == name.lower())).first() is not None:
        raise Conflict(f"{organisation.name} already runs a program named {name}.")


def open_for_enrolment(session: Session) -> list[tuple[Program, Organisation]]:
    """Programs the enrolment wizard offers: open, and neither they nor their organisation archived."""
    return list(session.exec(select(Program, Organisation).join(Organisation, Organisation.id == Program.organisation_id)  # type: ignore[arg-type]
                             .where(Program.open_for_enrolment.is_(True), Program.archived_at.is_(None),  # type: ignore[attr-defined, union-attr]
                                    Organisation.archived_at.is_(None))  # type: ignore[union-attr]
                             .order_by(Organisation.name, Program.name)).all())


def enrolling(program: Program, organisation: Organisation | None) -> bool:
    """Whether a new candidate may enrol in the program now."""
    return (program.open_for_enrolment and program.archived_at is None
            and (organisation is None or organisation.archived_at is None))
