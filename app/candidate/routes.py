"""Enrolment pages: the dashboard, asking for a step, and evidence."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import policy
from app.db import get_session
from app.models import Enrollment, Evidence
from app.services import dashboard as dashboard_service
from app.services import evidence as evidence_service
from app.services import outbox, pathways
from app.services.uploads import RejectedUpload
from workflows.facts import EvidenceKind

from . import bp


def _enrollment(enrollment_id: int) -> Enrollment:
    """The enrolment, if the signed-in person may see it; 404 otherwise, so nothing leaks."""
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(session, current_user, enrollment):
        abort(404)
    return enrollment


def _page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
          problem_title: str | None = None) -> tuple[str, int]:
    board = dashboard_service.build(get_session(), enrollment, current_user)
    clears = dashboard_service.clearing_roles(enrollment)
    decidable = {versions[0].id for kind, versions in board.evidence.items()
                 if versions[0].uploaded_by_id != current_user.id
                 and policy.can_decide_evidence(board.roles, clears.get(kind))}
    return render_template("candidate/dashboard.html", board=board, problems=problems or [], decidable=decidable,
                           problem_title=problem_title, kinds=dashboard_service.uploadable_kinds(board),
                           can_upload=policy.can_upload_evidence(board.roles),
                           can_read_evidence=policy.can_read_evidence(board.roles),
                           EvidenceKind=EvidenceKind), status


@bp.get("/enrollments/<int:enrollment_id>")
@login_required
def dashboard(enrollment_id: int) -> tuple[str, int]:
    """Where the enrolment stands, what is missing, by when, and who can clear it."""
    return _page(_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/steps/<event>")
@login_required
def ask_for_step(enrollment_id: int, event: str) -> Response | tuple[str, int]:
    """Ask to take a step; when it is blocked, say every reason instead."""
    enrollment = _enrollment(enrollment_id)
    expected = request.form.get("version", type=int)
    if expected is None:
        abort(400, "The form is missing the enrolment's version. Reload the page and try again.")
    try:
        transition = pathways.apply_event(get_session(), enrollment.id, event, current_user,  # type: ignore[arg-type]
                                          expected_version=expected, reason=request.form.get("reason"))
    except pathways.PathwayError as error:
        get_session().rollback()
        return _page(_enrollment(enrollment_id), error.status, error.reasons or [error.message],
                     error.message if error.reasons else None)
    flash(f"Done: {transition.event.replace('_', ' ')}.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/evidence")
@login_required
def upload_evidence(enrollment_id: int) -> Response | tuple[str, int]:
    """Upload a document against a requirement; a replacement keeps the old version."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    if not policy.can_upload_evidence(policy.roles_on(session, current_user, enrollment)):
        abort(403)
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise RejectedUpload("Choose a file to upload.")
        row = evidence_service.submit(session, enrollment, kind, upload.filename, upload.read(), current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except (RejectedUpload, evidence_service.EvidenceError) as error:
        session.rollback()
        return _page(enrollment, getattr(error, "status", 400), [str(error)], "The document was not uploaded.")
    flash(f"Uploaded {EvidenceKind(row.kind).label} (version {row.version}).", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id) + "#evidence")


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
    if not policy.can_read_evidence(policy.roles_on(get_session(), current_user, enrollment)):
        abort(404)
    row = _evidence(enrollment, evidence_id)
    response = send_file(evidence_service.path_of(row), mimetype=row.content_type, as_attachment=True,
                         download_name=row.original_filename, max_age=0)
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
    clears = dashboard_service.clearing_roles(enrollment).get(row.kind)
    if not policy.can_decide_evidence(policy.roles_on(session, current_user, enrollment), clears):
        abort(403)
    decision = request.form.get("decision")
    if decision not in {"verify", "send_back"}:
        abort(400, "Choose to verify the document or to send it back.")
    try:
        evidence_service.decide(session, row, current_user, verified=decision == "verify",  # type: ignore[arg-type]
                                reason=request.form.get("reason"))
        outbox.commit(session)
    except evidence_service.EvidenceError as error:
        session.rollback()
        return _page(enrollment, 400, [str(error)], "The decision was not recorded.")
    flash("Verified." if decision == "verify" else "Sent back with your reason.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id) + "#evidence")
