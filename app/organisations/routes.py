"""Organisations and their programs: the service administrator creates, edits and archives them.

Everyone but a service administrator gets 404 on these pages (nothing about an organisation leaks);
the staff pages (app/organisations/staff.py) are also open to an organisation's directors and HR.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import outbox, policy
from app.db import get_session
from app.models import Organisation, OrganisationKind, Program
from app.organisations.blueprint import bp
from app.services import PathwayError
from app.services.programs import organisations as service
from workflows.registry import labels

# The zones a California program might keep its calendar in, first; every other zone after them.
_ZONES = ["America/Los_Angeles", *sorted(z for z in available_timezones() if z != "America/Los_Angeles"
                                        and "/" in z and not z.startswith(("Etc/", "SystemV/")))]


def _administrator() -> None:
    if not policy.can_administer_organisations(get_session(), current_user):  # type: ignore[arg-type]
        abort(404)


def _organisation(organisation_id: int) -> Organisation:
    _administrator()
    organisation = get_session().get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _program(organisation: Organisation, program_id: int) -> Program:
    program = get_session().get(Program, program_id)
    if program is None or program.organisation_id != organisation.id:
        abort(404)
    return program


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"organisations/{template}", kinds=list(OrganisationKind), zones=_ZONES,
                           pathways=labels(), **context), status


@bp.get("/organisations/")
@login_required
def index() -> tuple[str, int]:
    """Every organisation, with its programs' count; the archived ones on request."""
    _administrator()
    archived = request.args.get("archived") == "1"
    return _page("index.html", rows=service.listing(get_session(), archived), archived=archived)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    """Add an organisation: its name, kind, time zone and CDS code."""
    _administrator()
    if request.method == "GET":
        return _page("organisation_form.html", values={"timezone": "America/Los_Angeles", "kind": "district"})
    session = get_session()
    form = request.form
    try:
        organisation = service.create_organisation(session, current_user, form.get("name", ""), form.get("kind", ""),  # type: ignore[arg-type]
                                                   form.get("timezone", ""), form.get("cds_code", ""))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page("organisation_form.html", error.status, values=form, problems=error.reasons or [error.message])
    flash(f"{organisation.name} is set up. Add its programs, then its staff.", "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.get("/organisations/<int:organisation_id>")
@login_required
def show(organisation_id: int) -> tuple[str, int]:
    """One organisation: its details and programs, with the way to its staff."""
    organisation = _organisation(organisation_id)
    return _page("organisation.html", organisation=organisation,
                 programs=service.programs_of(get_session(), organisation))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int) -> Response | tuple[str, int]:
    """Correct an organisation's name, kind, time zone or CDS code."""
    organisation = _organisation(organisation_id)
    if request.method == "GET":
        return _page("organisation_form.html", organisation=organisation, values={
            "name": organisation.name, "kind": organisation.kind, "timezone": organisation.timezone,
            "cds_code": organisation.cds_code or ""})
    session = get_session()
    form = request.form
    try:
        service.update_organisation(session, current_user, organisation, form.get("name", ""), form.get("kind", ""),  # type: ignore[arg-type]
                                    form.get("timezone", ""), form.get("cds_code", ""))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page("organisation_form.html", error.status, organisation=organisation, values=form,
                     problems=error.reasons or [error.message])
    flash("Saved.", "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/archive")
@login_required
def archive(organisation_id: int) -> Response:
    """Archive an organisation (or bring it back with restore=1); nothing is deleted."""
    organisation = _organisation(organisation_id)
    session = get_session()
    restoring = request.form.get("restore") == "1"
    service.set_organisation_archived(session, current_user, organisation, not restoring)  # type: ignore[arg-type]
    outbox.commit(session)
    flash(f"{organisation.name} is back in use." if restoring else
          f"{organisation.name} is archived. Its records are kept; nobody new enrols or is given a role there.",
          "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/programs/new", methods=["GET", "POST"])
@login_required
def new_program(organisation_id: int) -> Response | tuple[str, int]:
    """Add a program on one pathway; it starts on the pathway's documented settings."""
    organisation = _organisation(organisation_id)
    if request.method == "GET":
        return _page("program_form.html", organisation=organisation, values={"open_for_enrolment": "1"})
    session = get_session()
    form = request.form
    try:
        program = service.create_program(session, current_user, organisation, form.get("pathway", ""),  # type: ignore[arg-type]
                                         form.get("name", ""), form.get("open_for_enrolment") == "1")
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page("program_form.html", error.status, organisation=organisation, values=form,
                     problems=error.reasons or [error.message])
    flash(f"{program.name} is set up. Now give it a director and its staff.", "success")
    return redirect(url_for("organisations.program_staff", organisation_id=organisation.id, program_id=program.id))


@bp.route("/organisations/<int:organisation_id>/programs/<int:program_id>/edit", methods=["GET", "POST"])
@login_required
def edit_program(organisation_id: int, program_id: int) -> Response | tuple[str, int]:
    """Rename a program, or open or close it for enrolment."""
    organisation = _organisation(organisation_id)
    program = _program(organisation, program_id)
    if request.method == "GET":
        return _page("program_form.html", organisation=organisation, program=program,
                     values={"name": program.name, "open_for_enrolment": "1" if program.open_for_enrolment else ""})
    session = get_session()
    form = request.form
    try:
        service.update_program(session, current_user, program, form.get("name", ""),  # type: ignore[arg-type]
                               form.get("open_for_enrolment") == "1")
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page("program_form.html", error.status, organisation=organisation, program=program, values=form,
                     problems=error.reasons or [error.message])
    flash("Saved.", "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/programs/<int:program_id>/archive")
@login_required
def archive_program(organisation_id: int, program_id: int) -> Response:
    """Archive a program (or bring it back with restore=1); its candidates and records stay."""
    organisation = _organisation(organisation_id)
    program = _program(organisation, program_id)
    session = get_session()
    restoring = request.form.get("restore") == "1"
    service.set_program_archived(session, current_user, program, not restoring)  # type: ignore[arg-type]
    outbox.commit(session)
    flash(f"{program.name} is back in use." if restoring else
          f"{program.name} is archived. Its candidates and records are kept; nobody new enrols.", "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))
