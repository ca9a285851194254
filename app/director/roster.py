"""Roster import: a template, a preview that writes nothing, then all or nothing."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app import policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import csv_response, program_or_404, render
from app.idempotency import idempotent
from app.services.programs import roster as roster_service


@bp.get("/<int:program_id>/roster")
@login_required
def roster(program_id: int):  # type: ignore[no-untyped-def]
    """Upload a district roster CSV: the template's columns, then a preview."""
    program, roles = program_or_404(program_id, policy.can_import_roster)
    return render("roster.html", program, roles, check=None, payload=None, columns=roster_service.COLUMN_HELP)


@bp.get("/<int:program_id>/roster/template.csv")
@login_required
def roster_template(program_id: int) -> Response:
    """The roster template: the header row district HR fills in."""
    program_or_404(program_id, policy.can_import_roster)
    return csv_response(roster_service.template_csv(), "roster-template.csv")


def _uploaded() -> tuple[bytes, str]:
    """The roster's bytes: a fresh upload, or the preview's copy carried in the confirm form."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(roster_service.MAX_BYTES + 1), upload.filename
    carried = request.form.get("payload", "")
    if not carried:
        abort(400, "Choose a CSV file to upload.")
    try:
        return base64.b64decode(carried, validate=True), request.form.get("filename", "roster.csv")
    except (binascii.Error, ValueError):
        abort(400, "The confirmation form was damaged; upload the file again.")


@bp.post("/<int:program_id>/roster/preview")
@login_required
def roster_preview(program_id: int):  # type: ignore[no-untyped-def]
    """What importing the file would do, row by row; nothing is written."""
    program, roles = program_or_404(program_id, policy.can_import_roster)
    data, filename = _uploaded()
    check = roster_service.check(get_session(), program, data, filename, current_user)  # type: ignore[arg-type]
    status = 200 if check.importable else 400 if (check.file_errors or check.row_errors) else 200
    payload = base64.b64encode(data).decode() if check.importable else None
    return render("roster.html", program, roles, status, check=check, payload=payload, filename=filename,
                   columns=roster_service.COLUMN_HELP)


@bp.post("/<int:program_id>/roster/import")
@login_required
@idempotent
def roster_import(program_id: int):  # type: ignore[no-untyped-def]
    """Import the previewed file in one transaction (or nothing, with every error shown)."""
    program, roles = program_or_404(program_id, policy.can_import_roster)
    data, filename = _uploaded()
    session = get_session()
    try:
        result = roster_service.import_roster(session, program, data, filename, current_user)  # type: ignore[arg-type]
    except roster_service.RosterError as error:
        session.rollback()
        status = 409 if error.check.already_imported or not (error.check.file_errors or error.check.row_errors) else 400
        return render("roster.html", program, roles, status, check=error.check, payload=None, filename=filename,
                       columns=roster_service.COLUMN_HELP, problem=str(error))
    imported, skipped = len(result.to_enrol), len(result.rows) - len(result.to_enrol)
    flash(f"Imported {imported} candidate{'' if imported == 1 else 's'}; {skipped} already enrolled.", "success")
    return redirect(url_for("director.candidates", program_id=program.id))
