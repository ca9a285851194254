"""Deciding from the queue: verify a document (its preview: inbox/previews.py), sign a log, see a bulk approval's result.

Every form answers with a redirect back to the queue (post/redirect/get), where the item has
gone and the counts have moved; the same access rules as the enrolment's own pages apply.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import outbox, policy
from app.db import get_session
from app.inbox.blueprint import bp
from app.inbox.routes import back_to_queue, require_inbox
from app.models import Enrollment, Evidence, LogEntry, SignOffTask, User
from app.services import PathwayError
from app.services.enrollments.words import day_in_words
from app.services.evidence import documents, filing
from app.services.evidence import logs as logs_service
from app.services.progress import turns
from app.services.signoffs import deciding, queueing
from workflows.facts import EvidenceKind

BULK_KEY = "inbox_bulk_result"


def _enrollment(enrollment_id: int) -> Enrollment:
    enrollment = get_session().get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(get_session(), current_user, enrollment):  # type: ignore[arg-type]
        abort(404)
    return enrollment


def _readable_document(enrollment: Enrollment, evidence_id: int) -> tuple[Evidence, frozenset]:  # type: ignore[type-arg]
    row = get_session().get(Evidence, evidence_id)
    if row is None or row.enrollment_id != enrollment.id:
        abort(404)
    roles = policy.roles_on(get_session(), current_user, enrollment)  # type: ignore[arg-type]
    if not policy.can_read_evidence(roles, row.kind):
        abort(404)  # a filed plan (the ILP) they may not read is, to them, no document at all
    return row, roles


@bp.post("/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/decision")
@login_required
def decide_evidence(enrollment_id: int, evidence_id: int) -> Response:
    """Verify a document from the queue, or send it back with a reason the candidate will see."""
    db = get_session()
    enrollment = _enrollment(enrollment_id)
    row, roles = _readable_document(enrollment, evidence_id)
    if not turns.may_decide(db, enrollment, row, roles):
        abort(403)
    decision = request.form.get("decision")
    if decision not in {"verify", "send_back"}:
        abort(400, "Choose to verify the document or to send it back.")
    try:
        filing.decide(db, row, current_user, verified=decision == "verify", reason=request.form.get("reason"))  # type: ignore[arg-type]
        outbox.commit(db)
    except documents.EvidenceError as error:
        db.rollback()
        abort(400, str(error))
    candidate = db.get(User, enrollment.candidate_id)
    label = EvidenceKind(row.kind).label
    name = candidate.name if candidate else "the candidate"
    flash(f"Verified {name}’s {label}." if decision == "verify"
          else f"Sent {name}’s {label} back with your reason.", "success")
    task_id = request.form.get("task_id", type=int)
    if task_id:  # decided on a sign-off's page: back to that page (a fixed route, a number)
        return redirect(url_for("inbox.task", task_id=task_id) + "#docs-heading")
    return back_to_queue()


@bp.post("/enrollments/<int:enrollment_id>/logs/<int:log_id>/sign")
@login_required
def sign_log(enrollment_id: int, log_id: int) -> Response:
    """The named mentor or coach signs an entry from the queue."""
    db = get_session()
    enrollment = _enrollment(enrollment_id)
    entry = db.get(LogEntry, log_id)
    if entry is None or entry.enrollment_id != enrollment.id:
        abort(404)
    try:
        logs_service.sign(db, entry, current_user)  # type: ignore[arg-type]
        outbox.commit(db)
    except PathwayError as error:
        db.rollback()
        abort(error.status, error.message)
    candidate = db.get(User, enrollment.candidate_id)
    flash(f"Signed {candidate.name if candidate else 'the candidate'}’s log of "
          f"{day_in_words(entry.occurred_on)}.", "success")
    return back_to_queue()


@bp.post("/enrollments/<int:enrollment_id>/logs/sign")
@login_required
def sign_logs(enrollment_id: int) -> Response:
    """The mentor or coach signs several of one candidate's entries from the queue: all or none."""
    db = get_session()
    enrollment = _enrollment(enrollment_id)
    ids = [int(v) for v in request.form.getlist("log_id") if v.isdigit() and len(v) < 10]
    try:
        signed = logs_service.sign_many(db, enrollment, current_user, ids)  # type: ignore[arg-type]
        outbox.commit(db)
    except PathwayError as error:
        db.rollback()
        if error.status == 403:
            abort(403, error.message)
        flash(error.message, "error")
        return back_to_queue()
    candidate = db.get(User, enrollment.candidate_id)
    flash(f"{candidate.name if candidate else 'The candidate'}: {logs_service.signed_words(signed)}", "success")
    return back_to_queue()


@bp.post("/bulk-approve")
@login_required
def bulk_approve() -> Response:
    """Approve the selected tasks whose checks pass; then show which were approved and which skipped, and why."""
    require_inbox()
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit()]
    if not ids:
        abort(400, "Select at least one sign-off to approve.")
    result = deciding.bulk_approve(get_session(), ids, current_user)  # type: ignore[arg-type]
    session[BULK_KEY] = {"approved": [[d.task.id, bool(d.transition_to)] for d in result.approved],
                         "skipped": [[s.task_id, s.title, list(s.reasons)] for s in result.skipped]}
    return redirect(url_for("inbox.bulk_result"))


@bp.get("/bulk-approve")
@login_required
def bulk_result() -> str:
    """What the last bulk approval did (shown once; reloading shows the queue's state, posts nothing)."""
    require_inbox()
    stored = session.pop(BULK_KEY, None)
    if stored is None:
        return redirect(url_for("inbox.index"))  # type: ignore[return-value]
    tasks = {t.id: t for t in get_session().exec(select(SignOffTask).where(
        SignOffTask.id.in_([i for i, _ in stored["approved"]] or [0]))).all()}  # type: ignore[union-attr]
    approved = [(tasks[i], moved) for i, moved in stored["approved"] if i in tasks]
    return render_template("inbox/bulk.html", approved=approved, skipped=stored["skipped"], title=queueing.title)
