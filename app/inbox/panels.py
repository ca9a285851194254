"""Exit-interview panels: the director convenes one, members score CPSEL 1–6 and vote."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import policy
from app.db import get_session
from app.idempotency import idempotent
from app.inbox.blueprint import bp
from app.models import Enrollment, Panel, User
from app.services import NotFound, PathwayError
from app.services.enrollments.facts import build_facts
from app.services.evidence import plans as plans_service
from app.services.evidence.documents import current as current_documents
from app.services.signoffs import panels
from workflows.facts import EvidenceKind


def _panel(panel_id: int) -> tuple[Panel, Enrollment]:
    session = get_session()
    panel = session.get(Panel, panel_id)
    enrollment = session.get(Enrollment, panel.enrollment_id) if panel else None
    if panel is None or enrollment is None:
        abort(404)
    if panels.seat_of(session, panel, current_user) is None and not policy.can_set_up_panel(  # type: ignore[arg-type]
            policy.roles_on(session, current_user, enrollment)):  # type: ignore[arg-type]
        abort(404)
    return panel, enrollment


def _panel_page(panel_id: int, status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    session = get_session()
    panel, enrollment = _panel(panel_id)
    tally = panels.tally(session, panel)
    seat = next((s for s in tally.seats if s.user.id == current_user.id), None)
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    # What the panel member may open of the candidate's record, as the confidentiality tables say.
    readable_plans = [(k.value, plans_service.SHAPES[k].title) for k in plans_service.kinds(enrollment.pathway)
                      if policy.can_read_plan(roles, k.value)]
    documents = [row for row in current_documents(session, enrollment).values()  # type: ignore[arg-type]
                 if policy.can_read_evidence(roles, row.kind)]
    return render_template("inbox/panel.html", panel=panel, enrollment=enrollment, tally=tally, seat=seat,
                           readable_plans=readable_plans, documents=sorted(documents, key=lambda d: d.kind),
                           can_open_record=policy.can_view_enrollment(session, current_user, enrollment),  # type: ignore[arg-type]
                           EvidenceKind=EvidenceKind,
                           candidate=session.get(User, enrollment.candidate_id), cpsel=panels.CPSEL,
                           rubric=panels.RUBRIC, problems=problems or [], form=request.form,
                           threshold=build_facts(session, enrollment).settings.exit_panel_mastery_score), status


@bp.get("/panels/<int:panel_id>")
@login_required
def panel(panel_id: int) -> tuple[str, int]:
    """The panel: members, the rubric form for a member who has not voted, the tally."""
    return _panel_page(panel_id)


@bp.post("/panels/<int:panel_id>/vote")
@login_required
def vote(panel_id: int) -> Response | tuple[str, int]:
    """Record a member's rubric: a score per CPSEL, mastery or not, and why not."""
    _panel(panel_id)
    session = get_session()
    mastery = request.form.get("mastery")
    try:
        if mastery not in ("yes", "no"):
            raise panels.PanelError("Say whether the candidate has mastered every CPSEL.")
        scores = panels.parse_scores(request.form)  # type: ignore[arg-type]
        result = panels.vote(session, panel_id, current_user, scores, mastery == "yes",  # type: ignore[arg-type]
                             request.form.get("reason"))
    except NotFound:
        session.rollback()
        abort(404)
    except PathwayError as error:
        session.rollback()
        return _panel_page(panel_id, error.status, [error.message])
    outcome = result.panel.outcome
    flash({"mastery": "Vote recorded. The panel's quorum agreed on mastery.",
           "not_yet": "Vote recorded. The panel cannot reach mastery this time."}.get(outcome or "", "Vote recorded."),
          "success")
    return redirect(url_for("inbox.panel", panel_id=panel_id))


def _setup_enrollment(enrollment_id: int) -> Enrollment:
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_set_up_panel(policy.roles_on(session, current_user, enrollment)):  # type: ignore[arg-type]
        abort(404)
    return enrollment


def _setup_page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    session = get_session()
    seats = panels.candidates_for_seats(session, enrollment)
    default_quorum = min(build_facts(session, enrollment).settings.exit_panel_quorum,
                         max(1, sum(1 for _, counts_ in seats if counts_)))
    return render_template("inbox/panel_setup.html", enrollment=enrollment, seats=seats, problems=problems or [],
                           candidate=session.get(User, enrollment.candidate_id), default_quorum=default_quorum,
                           form=request.form, existing=panels.open_panel(session, enrollment.id)), status  # type: ignore[arg-type]


@bp.get("/enrollments/<int:enrollment_id>/panel")
@login_required
def panel_setup(enrollment_id: int) -> tuple[str, int]:
    """The director's form to convene the exit-interview panel."""
    return _setup_page(_setup_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/panel")
@login_required
@idempotent
def create_panel(enrollment_id: int) -> Response | tuple[str, int]:
    """Convene the panel: members (panel members and the candidate's coach) and the quorum."""
    enrollment = _setup_enrollment(enrollment_id)
    session = get_session()
    try:
        quorum = int(request.form.get("quorum", ""))
        meets_on = date.fromisoformat(request.form["meets_on"]) if request.form.get("meets_on") else None
    except ValueError:
        return _setup_page(enrollment, 400, ["Enter the quorum as a whole number and the date as a calendar date."])
    members = [int(v) for v in request.form.getlist("member") if v.isdigit()]
    try:
        created = panels.create(session, enrollment.id, current_user, members, quorum, meets_on)  # type: ignore[arg-type]
    except PathwayError as error:
        session.rollback()
        return _setup_page(_setup_enrollment(enrollment_id), error.status, [error.message])
    flash("Panel convened.", "success")
    return redirect(url_for("inbox.panel", panel_id=created.id))
