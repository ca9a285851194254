"""Plans (PIP Personalized and Action Plans, ILP, IIPs) and self-assessments on the standards."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import outbox, policy
from app.candidate import plan_parts
from app.candidate.blueprint import bp
from app.db import get_session
from app.models import Enrollment, Evidence, Plan, User
from app.services import PathwayError
from app.services.evidence import charts
from app.services.evidence import plans as plans_service
from app.services.evidence import self_assessments as assessments_service
from app.services.evidence import support as support_service
from app.services.progress import dashboard as dashboard_service
from app.zones import local_time
from workflows.registry import plugin

from .routes import _enrollment


def _shape(enrollment: Enrollment, kind: str) -> plans_service.PlanShape:
    try:
        return plans_service.shape_for(enrollment, kind)
    except PathwayError:
        abort(404)


def _candidate(enrollment: Enrollment) -> User:
    return get_session().get(User, enrollment.candidate_id)  # type: ignore[return-value]


@bp.get("/enrollments/<int:enrollment_id>/plans")
@login_required
def plans(enrollment_id: int) -> str:
    """The plans this pathway keeps, where each stands, and the self-assessments."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    roles = policy.roles_on(session, current_user, enrollment)
    listed = []
    for kind in plans_service.kinds(enrollment.pathway):
        readable = policy.can_read_plan(roles, kind.value)
        plan = plans_service.find(session, enrollment, kind.value) if readable else None
        listed.append((plans_service.SHAPES[kind], plan, readable, _standing(session, enrollment, kind, plan)))
    return render_template("candidate/plans.html", enrollment=enrollment, candidate=_candidate(enrollment),
                           listed=listed, standards=plugin(enrollment.pathway).standards)


# How a plan stands, from its filed document first: a plan uploaded as a document (never written here)
# and verified is "Verified", not "Not started".
_FILED_WORDS = {"verified": ("Verified", "met"), "submitted": ("Shared, waiting to be checked", "awaiting_verification"),
                "sent_back": ("Sent back", "sent_back")}


def _standing(session: Any, enrollment: Enrollment, kind: plans_service.PlanKind, plan: Plan | None) -> tuple[str, str]:
    """(words, badge) for a plan: its filed document's status, else draft, else not started."""
    evidence_kind = plans_service.EVIDENCE_KIND.get(kind)
    filed = session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment.id,
                                                Evidence.kind == (evidence_kind.value if evidence_kind else ""))
                         .order_by(Evidence.version.desc())).first()  # type: ignore[attr-defined]
    if filed is not None and filed.status in _FILED_WORDS:
        return _FILED_WORDS[filed.status]
    if plan is not None and plan.submitted_at:
        return "Shared", "awaiting_verification"
    if plan is not None:
        return "Draft", "awaiting_verification"
    return "Not started", "missing"


def _edit_page(enrollment: Enrollment, shape: plans_service.PlanShape, plan: Plan | None, *, status: int = 200,
               problems: list[str] | None = None, items: list[dict[str, Any]] | None = None,
               summary: dict[str, Any] | None = None, revision: int | None = None) -> tuple[str, int]:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    summary = summary if summary is not None else (plan.summary if plan else {})
    parts = plan_parts.parts(shape, summary, items if items is not None else (plan.items if plan else []))
    return render_template(
        "candidate/plans_edit.html", enrollment=enrollment, candidate=_candidate(enrollment), shape=shape, plan=plan,
        parts=parts, current=plan_parts.current_part(request.values.get("section"), len(parts)), summary=summary,
        revision=revision if revision is not None else (plan.revision if plan else 0),
        can_edit=policy.can_edit_plan(roles, shape.kind.value),
        can_submit=policy.can_submit_plan(current_user, enrollment),  # type: ignore[arg-type]
        problems=problems or []), status


def _readable_plan(enrollment: Enrollment, kind: str) -> plans_service.PlanShape:
    shape = _shape(enrollment, kind)
    if not policy.can_read_plan(policy.roles_on(get_session(), current_user, enrollment), shape.kind.value):
        abort(404)  # a confidential page answers like a missing one
    return shape


@bp.get("/enrollments/<int:enrollment_id>/plans/<kind>")
@login_required
def plan(enrollment_id: int, kind: str) -> tuple[str, int]:
    """One plan, editable by the candidate and their mentor or coach."""
    enrollment = _enrollment(enrollment_id)
    shape = _readable_plan(enrollment, kind)
    return _edit_page(enrollment, shape, plans_service.find(get_session(), enrollment, shape.kind.value))


def _autosaving() -> bool:
    """Whether the editor's script sent this save (it asks for JSON): it gets an answer, not a page."""
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


@bp.post("/enrollments/<int:enrollment_id>/plans/<kind>")
@login_required
def save_plan(enrollment_id: int, kind: str) -> Response | tuple[str, int] | tuple[Response, int]:
    """Save the whole plan at once; with any problem, nothing is saved and every problem is listed.

    The editor's script autosaves through here as the person types (same checks, same audit): it asks
    for JSON and learns the new revision, the saved items' ids and the time, or why nothing was saved.
    """
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    shape = _readable_plan(enrollment, kind)
    form = request.form
    indexed = plan_parts.items_from_form(shape, form)
    items = [row for _, row in indexed]
    summary = {f.name: form.get(f"summary-{f.name}", "") for f in shape.summary}
    expected = form.get("revision", type=int)
    if expected is None:
        abort(400, "The form is missing the plan's revision. Reload the page and try again.")
    try:
        saved = plans_service.save(session, enrollment, shape.kind.value, current_user,  # type: ignore[arg-type]
                                   items=items, summary=summary, expected_revision=expected)
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        if _autosaving():
            return jsonify(error=error.message, problems=error.reasons or [error.message]), error.status
        current = plans_service.find(session, enrollment, shape.kind.value)
        return _edit_page(enrollment, shape, current, status=error.status, problems=error.reasons or [error.message],
                          items=items, summary=summary, revision=expected)
    if _autosaving():
        return jsonify(revision=saved.revision, saved_at=local_time(saved.updated_at), shared=saved.submitted_at is not None,
                       ids={str(index): item["id"] for (index, _), item in zip(indexed, saved.items, strict=True)}), 200
    flash(f"{shape.title} saved.", "success")
    then = request.form.get("then", "")
    return redirect(url_for("candidate.plan", enrollment_id=enrollment.id, kind=shape.kind.value,
                            section=then if then.isdigit() or then == "all" else None))


@bp.post("/enrollments/<int:enrollment_id>/plans/<kind>/submit")
@login_required
def submit_plan(enrollment_id: int, kind: str) -> Response | tuple[str, int]:
    """The candidate shares the plan with the team for approval."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    shape = _readable_plan(enrollment, kind)
    try:
        plans_service.submit(session, enrollment, shape.kind.value, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _edit_page(enrollment, shape, plans_service.find(session, enrollment, shape.kind.value),
                          status=error.status, problems=error.reasons or [error.message])
    flash(f"{shape.title} shared for approval.", "success")
    return redirect(url_for("candidate.plan", enrollment_id=enrollment.id, kind=shape.kind.value))


# --- Self-assessments ---------------------------------------------------------------------------


def _assessments_page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
                      entered: dict[str, Any] | None = None) -> tuple[str, int]:
    session = get_session()
    try:
        standards = assessments_service.standards_for(enrollment)
    except PathwayError:
        abort(404)
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    if not policy.can_read_growth_record(roles, enrollment.pathway):
        abort(404)  # a confidential page answers like a missing one
    rows = assessments_service.history(session, enrollment)
    chart = None
    if rows:
        dates = [row.taken_on for row in rows]
        series = [charts.Series(f"{standards.label} {n}", tuple(row.ratings.get(str(n)) for row in rows))
                  for n in assessments_service.NUMBERS]
        chart = charts.line_chart(
            "self-assessment-chart", f"{standards.label} self-assessments over time",
            f"Ratings from {min(assessments_service.LEVELS)} to {max(assessments_service.LEVELS)} on each of the six "
            f"{standards.label} standards, across {len(rows)} self-assessment{'s' if len(rows) != 1 else ''}. "
            "The table below lists the same ratings.",
            dates, series, min(assessments_service.LEVELS), max(assessments_service.LEVELS), assessments_service.LEVELS)
    return render_template("candidate/self_assessments.html", enrollment=enrollment, candidate=_candidate(enrollment),
                           beside=support_service.latest_assessments(session, enrollment, roles),
                           standards=standards, rows=rows, chart=chart, levels=assessments_service.LEVELS,
                           numbers=assessments_service.NUMBERS, problems=problems or [], entered=entered or {},
                           can_record=policy.can_record_self_assessment(current_user, enrollment),  # type: ignore[arg-type]
                           today=dashboard_service.today_for(session, enrollment)), status


@bp.get("/enrollments/<int:enrollment_id>/self-assessments")
@login_required
def self_assessments(enrollment_id: int) -> tuple[str, int]:
    """Self-assessments on the six standards, as a chart over time and as a table."""
    return _assessments_page(_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/self-assessments")
@login_required
def record_self_assessment(enrollment_id: int) -> Response | tuple[str, int]:
    """The candidate records a self-assessment rating all six standards."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    form = request.form
    ratings = {key.removeprefix("rating-"): value for key, value in form.items() if key.startswith("rating-")}
    entered = {"taken_on": form.get("taken_on", ""), **{f"rating-{k}": v for k, v in ratings.items()}}
    try:
        taken_on = date.fromisoformat(form.get("taken_on", ""))
    except ValueError:
        return _assessments_page(enrollment, 400, ["Enter the date you took the self-assessment."], entered)
    try:
        assessments_service.record(session, enrollment, current_user, taken_on=taken_on, ratings=ratings,  # type: ignore[arg-type]
                                   today=dashboard_service.today_for(session, enrollment))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        if error.status == 404:
            abort(404)
        return _assessments_page(enrollment, error.status, error.reasons or [error.message], entered)
    flash("Self-assessment recorded.", "success")
    return redirect(url_for("candidate.self_assessments", enrollment_id=enrollment.id))
