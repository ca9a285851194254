"""The Support page: observations of colleagues, just-in-time contacts, assessments on the standards,
reflections on plan goals and feedback to the mentor, for the people the pathway lets read them.

Phone first: what this reader records at the top (one fold-out form per kind), the history below,
grouped by kind. A reader of none of the kinds gets the answer a missing page gets.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import outbox, policy
from app.candidate.blueprint import bp
from app.confidentiality import Content
from app.db import get_session
from app.models import Enrollment, User
from app.services import PathwayError
from app.services.evidence import support as support_service
from app.services.evidence.self_assessments import LEVELS, NUMBERS
from app.services.progress import dashboard as dashboard_service
from workflows.roles import Role

from .routes import _enrollment


def _page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
          entered: dict[str, Any] | None = None) -> tuple[str, int]:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    readable = support_service.readable(roles, enrollment)
    if not readable:
        abort(404)  # a confidential page answers like a missing one
    spec = support_service.spec_for(enrollment)
    records = support_service.history(session, enrollment, readable)
    authors = {row.author_id for rows in records.values() for row in rows}
    names = {user.id: user.name for user in (session.get(User, i) for i in authors) if user is not None}
    writable = support_service.writable(roles, enrollment)
    return render_template(
        "candidate/support.html", enrollment=enrollment, candidate=session.get(User, enrollment.candidate_id),
        kinds={kind: spec.kinds[kind] for kind in readable}, writable=writable, records=records, names=names,
        goals=support_service.ilp_goals(session, enrollment) if Content.GOAL_REFLECTION in writable else [],
        standards=support_service.standards_for(enrollment), levels=LEVELS, numbers=NUMBERS,
        role_label={role.value: role.label for role in Role}, my_roles={role.value for role in roles}, problems=problems or [], entered=entered or {},
        today=dashboard_service.today_for(session, enrollment)), status


@bp.get("/enrollments/<int:enrollment_id>/support")
@login_required
def support(enrollment_id: int) -> tuple[str, int]:
    """Induction support: what this reader records, and the records they may read, by kind."""
    return _page(_enrollment(enrollment_id))


def _number(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


@bp.post("/enrollments/<int:enrollment_id>/support")
@login_required
def record_support(enrollment_id: int) -> Response | tuple[str, int]:
    """Record one support record of the kind the form names."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    if not support_service.readable(roles, enrollment):
        abort(404)
    if not support_service.writable(roles, enrollment):
        abort(403)
    form = request.form
    entered = dict(form.items())
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
    except ValueError:
        return _page(enrollment, 400, ["Enter the date."], entered)
    entry = support_service.Entry(
        kind=form.get("kind", ""), occurred_on=occurred_on, text=form.get("text", ""),
        colleague=form.get("colleague", ""), standard=_number(form.get("standard")),
        minutes=_number(form.get("minutes")), topic=form.get("topic", ""), goal=form.get("goal", ""),
        ratings={key.removeprefix("rating-"): value for key, value in form.items() if key.startswith("rating-")})
    try:
        row = support_service.record(session, enrollment, current_user, roles, entry,  # type: ignore[arg-type]
                                     dashboard_service.today_for(session, enrollment))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        if error.status == 404:
            abort(404)
        return _page(enrollment, error.status, error.reasons or [error.message], entered)
    label = support_service.spec_for(enrollment).kinds[Content(row.kind)].one
    flash(f"{label[:1].upper()}{label[1:]} saved.", "success")
    return redirect(url_for("candidate.support", enrollment_id=enrollment.id))
