"""Delegations: an approver names a substitute for a stretch of days, and may revoke it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock
from app.db import get_session
from app.idempotency import idempotent
from app.inbox.blueprint import bp
from app.inbox.routes import require_inbox
from app.services import NotFound, PathwayError
from app.services.signoffs import delegations


def _delegation_page(status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    made, received = delegations.listed_for(get_session(), current_user)  # type: ignore[arg-type]
    return render_template("inbox/delegations.html", made=made, received=received, problems=problems or [],
                           today=clock.today(), form=request.form), status


@bp.get("/delegations")
@login_required
def delegation_list() -> tuple[str, int]:
    """Substitutes named, and people one stands in for."""
    require_inbox()
    return _delegation_page()


@bp.post("/delegations")
@login_required
@idempotent
def create_delegation() -> Response | tuple[str, int]:
    """Name a substitute for a window of dates."""
    require_inbox()
    session = get_session()
    try:
        starts_on = date.fromisoformat(request.form.get("starts_on", ""))
        ends_on = date.fromisoformat(request.form.get("ends_on", ""))
    except ValueError:
        return _delegation_page(400, ["Enter the first and last day as calendar dates."])
    try:
        delegations.create(session, current_user, request.form.get("email", ""), starts_on, ends_on,  # type: ignore[arg-type]
                           clock.today(), request.form.get("note", ""))
        session.commit()
    except PathwayError as error:
        session.rollback()
        return _delegation_page(error.status, [error.message])
    flash("Substitute named.", "success")
    return redirect(url_for("inbox.delegation_list"))


@bp.post("/delegations/<int:delegation_id>/revoke")
@login_required
def revoke_delegation(delegation_id: int) -> Response:
    """End a delegation early."""
    session = get_session()
    try:
        delegations.revoke(session, delegation_id, current_user)  # type: ignore[arg-type]
        session.commit()
    except NotFound:
        abort(404)
    flash("Delegation ended.", "success")
    return redirect(url_for("inbox.delegation_list"))
