"""A program's settings, each change audited."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app import outbox, policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import program_or_404, render
from app.services.programs import settings as program_settings


@bp.route("/<int:program_id>/settings", methods=["GET", "POST"])
@login_required
def settings(program_id: int):  # type: ignore[no-untyped-def]
    """The program's thresholds and windows for its pathway, in plain words, each change audited."""
    program, roles = program_or_404(program_id, policy.can_edit_program_settings)
    session = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = program_settings.parse_form(request.form, program)
        if not errors:
            checked, errors = program_settings.validate(values)
            if checked is not None:
                labels = {f.name: f.label for f in program_settings.fields(program)}
                changed = program_settings.save(session, program, checked, current_user)  # type: ignore[arg-type]
                outbox.commit(session)
                flash(f"Saved: {'; '.join(labels.get(name, name) for name in changed)}." if changed
                      else "Nothing changed.", "success")
                return redirect(url_for("director.settings", program_id=program.id))
    fields = program_settings.fields(program)
    submitted = request.form if request.method == "POST" else {}
    return render("settings.html", program, roles, 400 if errors else 200, fields=fields, errors=errors,
                   submitted=submitted, reach=program_settings.reach(session, program, {f.name for f in fields}),
                   groups=program_settings.groups(), labels={f.name: f.label for f in fields})
