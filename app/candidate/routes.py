"""Enrolment pages: the dashboard, asking for a step, and evidence."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import outbox, policy
from app.candidate.blueprint import bp
from app.db import get_session
from app.downloads import named
from app.idempotency import idempotent
from app.models import Enrollment, Evidence
from app.services import PathwayError
from app.services.enrollments import case_file, goal, pathway_diagram, pathways
from app.services.evidence import documents, filing
from app.services.evidence.uploads import RejectedUpload
from app.services.progress import dashboard as dashboard_service
from app.services.progress import home, turns
from app.services.signoffs import panels, queueing
from workflows.facts import EvidenceKind
from workflows.pathway_map import pathway_map
from workflows.registry import plugin


def _enrollment(enrollment_id: int) -> Enrollment:
    """The enrolment, if the signed-in person may see it; 404 otherwise, so nothing leaks."""
    session = get_session()
    enrollment = case_file.read_enrollment(session, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(session, current_user, enrollment):
        abort(404)
    return enrollment


def _page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
          problem_title: str | None = None, template: str = "candidate/dashboard.html") -> tuple[str, int]:
    board = dashboard_service.build(get_session(), enrollment, current_user)
    mine = home.build(get_session(), board, current_user)  # type: ignore[arg-type]
    drawing = pathway_diagram.draw(mine.map, enrollment.state, mine.taken, mine.reached)
    clears = pathways.clearing_roles(enrollment)
    decidable = {versions[0].id for kind, versions in board.evidence.items()
                 if policy.can_decide_own_upload(current_user, versions[0].uploaded_by_id)  # type: ignore[arg-type]
                 and (policy.can_verify_evidence(board.roles, kind, clears.get(kind))
                      or (policy.can_read_evidence(board.roles, kind)
                          and turns.may_decide(get_session(), enrollment, versions[0], board.roles)))}
    # A confidential plan filed as a PDF (the ILP) is not even listed to those who may not read it.
    readable = {kind for kind in board.evidence if policy.can_read_evidence(board.roles, kind)}
    # Only the kinds this person may file: a plan filed as a document (the ILP) is its owners' alone.
    kinds = [kind for kind in dashboard_service.uploadable_kinds(board) if policy.can_upload_evidence(board.roles, kind.value)]
    panel = (panels.not_yet(get_session(), enrollment)
             if plugin(enrollment.pathway).panel_state and policy.can_read_panel_outcome(board.roles) else None)
    return render_template(template, board=board, home=mine, drawing=drawing, problems=problems or [], decidable=decidable,
                           panel=panel,
                           readable=readable,
                           problem_title=problem_title, kinds=kinds, can_upload=bool(kinds),
                           uploadable={kind.value for kind in kinds},
                           closing={step.event: words for step in board.steps if (words := pathways.closes(enrollment, step.event))},
                           can_read_evidence=policy.can_read_evidence(board.roles), can_edit_goal=goal.may_edit(board.roles),
                           EvidenceKind=EvidenceKind), status


@bp.get("/enrollments/<int:enrollment_id>")
@login_required
def dashboard(enrollment_id: int) -> tuple[str, int]:
    """Where the enrolment stands, what is missing, by when, and who can clear it."""
    return _page(_enrollment(enrollment_id))


@bp.get("/enrollments/<int:enrollment_id>/checklist")
@login_required
def checklist(enrollment_id: int) -> tuple[str, int]:
    """Every step out of where the enrolment stands, every requirement, every deadline."""
    return _page(_enrollment(enrollment_id), template="candidate/checklist.html")


@bp.post("/enrollments/<int:enrollment_id>/steps/<event>")
@login_required
def ask_for_step(enrollment_id: int, event: str) -> Response | tuple[str, int]:
    """Ask to take a step; when it is blocked, say every reason instead."""
    enrollment = _enrollment(enrollment_id)
    expected = request.form.get("version", type=int)
    if expected is None:
        abort(400, "The form is missing the enrolment's version. Reload the page and try again.")
    closing = pathways.closes(enrollment, event)
    if closing and request.form.get("understood") != "yes":
        # A step that closes an option for good is confirmed on a page that says what it closes.
        return render_template("candidate/confirm_step.html", enrollment=enrollment, event=event, closing=closing,
                               words=_event_label(enrollment, event), version=expected), 200
    try:
        transition = queueing.ask_for_step(get_session(), enrollment.id, event, current_user,  # type: ignore[arg-type]
                                          expected_version=expected, reason=request.form.get("reason"))
    except PathwayError as error:
        get_session().rollback()
        return _page(_enrollment(enrollment_id), error.status, error.reasons or [error.message],
                     error.message if error.reasons else None)
    flash(f"Done: “{_event_label(enrollment, transition.event)}”.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/evidence")
@login_required
@idempotent
def upload_evidence(enrollment_id: int) -> Response | tuple[str, int]:
    """Upload a document against a requirement; a replacement keeps the old version."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    kind = request.form.get("kind", "")
    if not policy.can_upload_evidence(policy.roles_on(session, current_user, enrollment), kind):
        abort(403, filing.refusal(kind))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise RejectedUpload("Choose a file to upload.")
        row = filing.submit(session, enrollment, kind, upload.filename, upload.read(), current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except (RejectedUpload, documents.EvidenceError) as error:
        session.rollback()
        return _page(enrollment, getattr(error, "status", 400), [str(error)], "The document was not uploaded.")
    flash(f"Uploaded {EvidenceKind(row.kind).label} (version {row.version}).", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id) + "#evidence")


def _event_label(enrollment: Enrollment, event: str) -> str:
    """A step's name as people read it ("Begin Year 1"), never its key."""
    edges = pathway_map(enrollment.pathway, enrollment.pathway_version).edges
    return next((edge.label for edge in edges if edge.event == event), "the step")


def _evidence(enrollment: Enrollment, evidence_id: int) -> Evidence:
    row = get_session().get(Evidence, evidence_id)
    if row is None or row.enrollment_id != enrollment.id:
        abort(404)
    return row


@bp.get("/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>")
@login_required
def download_evidence(enrollment_id: int, evidence_id: int) -> Response:
    """The document's bytes, for those allowed to read it; never rendered inline."""
    enrollment = _enrollment(enrollment_id)
    row = _evidence(enrollment, evidence_id)
    # The kind matters: a plan filed as a PDF (the ILP) is read only by those its table names.
    if not policy.can_read_evidence(policy.roles_on(get_session(), current_user, enrollment), row.kind):
        abort(404)
    response = named(send_file(documents.path_of(row), mimetype=row.content_type, as_attachment=True,
                               download_name=row.original_filename, max_age=0), row.original_filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/decision")
@login_required
def decide_evidence(enrollment_id: int, evidence_id: int) -> Response | tuple[str, int]:
    """Verify a document, or send it back with a reason the candidate will see."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    row = _evidence(enrollment, evidence_id)
    roles = policy.roles_on(session, current_user, enrollment)
    if not policy.can_read_evidence(roles, row.kind):
        abort(404)  # a filed plan (the ILP) they may not read is, to them, no document at all
    if not turns.may_decide(session, enrollment, row, roles):
        abort(403)
    decision = request.form.get("decision")
    if decision not in {"verify", "send_back"}:
        abort(400, "Choose to verify the document or to send it back.")
    try:
        filing.decide(session, row, current_user, verified=decision == "verify",  # type: ignore[arg-type]
                                reason=request.form.get("reason"))
        outbox.commit(session)
    except documents.EvidenceError as error:
        session.rollback()
        return _page(enrollment, 400, [str(error)], "The decision was not recorded.")
    flash("Verified." if decision == "verify" else "Sent back with your reason.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id) + "#evidence")
