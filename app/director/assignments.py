"""Assigning mentors, coaches and deciding roles to candidates, confirming proposals, revoking."""

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
from app.filters import in_sentence
from app.models import (
    Program,
)
from app.services import PathwayError
from app.services.programs import assignments
from workflows.roles import Role


def _assignments_page(program: Program, roles: frozenset[Role], status: int = 200, problem: str | None = None):  # type: ignore[no-untyped-def]
    session = get_session()
    people = assignments.staff(session, program)
    return render("assignments.html", program, roles, status, rows=assignments.overview(session, program),
                   staff=people, caseloads=assignments.caseloads(session, program, people),
                   pooled=assignments.pool_roles_of(session, program),
                   assignable=assignments.ASSIGNABLE[program.pathway], problem=problem)


@bp.get("/<int:program_id>/assignments")
@login_required
def assignments_page(program_id: int):  # type: ignore[no-untyped-def]
    """Mentors and coaches per candidate, with the assignment rule while it is open."""
    program, roles = program_or_404(program_id)
    return _assignments_page(program, roles)


@bp.post("/<int:program_id>/assignments")
@login_required
def assign(program_id: int):  # type: ignore[no-untyped-def]
    """Put a mentor, coach or deciding role on a candidate."""
    program, roles = program_or_404(program_id, policy.can_assign)
    session = get_session()
    from_at_risk = request.form.get("back") == "at-risk"  # a row of the at-risk list: back to that list
    try:
        membership = assignments.assign(session, program, request.form.get("enrollment_id", type=int) or 0,
                                        request.form.get("user_id", type=int) or 0, request.form.get("role", ""),
                                        current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        if from_at_risk:
            flash(error.message, "error")
            return redirect(url_for("director.at_risk", program_id=program.id))
        return _assignments_page(program, roles, error.status, error.message)
    flash(f"Assigned as {in_sentence(Role(membership.role).label)}.", "success")
    if from_at_risk:
        return redirect(url_for("director.at_risk", program_id=program.id))
    return redirect(url_for("director.assignments_page", program_id=program.id))


@bp.post("/<int:program_id>/assignments/<int:membership_id>/revoke")
@login_required
def revoke(program_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    """End an assignment, or decline a candidate's proposal."""
    program, roles = program_or_404(program_id, policy.can_assign)
    session = get_session()
    try:
        assignments.revoke(session, program, membership_id, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _assignments_page(program, roles, error.status, error.message)
    flash("Assignment ended.", "success")
    return redirect(url_for("director.assignments_page", program_id=program.id))


@bp.post("/<int:program_id>/assignments/<int:membership_id>/confirm")
@login_required
def confirm(program_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    """Confirm the mentor, coach or supervisor a candidate proposed."""
    program, roles = program_or_404(program_id, policy.can_assign)
    session = get_session()
    try:
        membership = assignments.confirm(session, program, membership_id, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _assignments_page(program, roles, error.status, error.message)
    flash(f"Confirmed as {in_sentence(Role(membership.role).label)}.", "success")
    return redirect(url_for("director.assignments_page", program_id=program.id))


@bp.post("/<int:program_id>/assignments/bulk")
@login_required
def assign_many(program_id: int):  # type: ignore[no-untyped-def]
    """Put one mentor, coach or site administrator on every ticked candidate at once."""
    program, roles = program_or_404(program_id, policy.can_assign)
    session = get_session()
    ids = [int(v) for v in request.form.getlist("enrollment_id") if v.isdigit()]
    try:
        made = assignments.assign_many(session, program, ids, request.form.get("user_id", type=int) or 0,
                                       request.form.get("role", ""), current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _assignments_page(program, roles, error.status, error.message)
    role = Role(request.form.get("role", "")).label
    flash(f"Assigned as {in_sentence(role)} to {len(made)} candidate{'' if len(made) == 1 else 's'}"
          + ("." if len(made) == len(set(ids)) else "; the others already had them."), "success")
    return redirect(url_for("director.assignments_page", program_id=program.id))
