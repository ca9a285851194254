"""A document's preview for the approver, on any phone: its first pages as images, its text, the whole file.

The same people see a preview as may download the document (policy.can_read_evidence), the same
404 answers everyone else, and every preview page and page image is audited as a view
(app/personal_data.py: `evidence.previewed`), as the inline PDF was before it.
"""

from __future__ import annotations

from flask import abort, render_template, send_file
from flask_login import login_required
from werkzeug.wrappers import Response

from app.db import get_session
from app.downloads import named
from app.inbox.blueprint import bp
from app.inbox.queue_actions import _enrollment, _readable_document
from app.models import Enrollment, Program, User
from app.services.evidence import previews
from app.services.progress import turns
from workflows.facts import EvidenceKind, EvidenceStatus

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@bp.get("/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/preview")
@login_required
def preview_evidence(enrollment_id: int, evidence_id: int) -> tuple[str, int, dict[str, str]]:
    """The document to read before deciding: pages as images, its text folded below, a link to the whole."""
    session = get_session()
    # Held while the page is built (the session keeps rows only while someone does): the access checks
    # each ask for the enrolment's program, and read it once, not once each.
    held = session.get(Enrollment, enrollment_id)
    program = session.get(Program, held.program_id) if held is not None else None  # noqa: F841
    enrollment = _enrollment(enrollment_id)
    row, roles = _readable_document(enrollment, evidence_id)
    candidate = session.get(User, enrollment.candidate_id)
    return render_template("inbox/preview.html", enrollment=enrollment, document=row, preview=previews.of(row),
                           label=EvidenceKind(row.kind).label, candidate_name=candidate.name if candidate else "",
                           may_decide=turns.may_decide(session, enrollment, row, roles)
                           and row.superseded_at is None and row.status == EvidenceStatus.SUBMITTED.value), 200, _PRIVATE


@bp.get("/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/preview/<int:number>.png")
@login_required
def preview_page(enrollment_id: int, evidence_id: int, number: int) -> Response:
    """Page `number` of the document, drawn as an image (the first pages only)."""
    row, _ = _readable_document(_enrollment(enrollment_id), evidence_id)
    path = previews.page_image(row, number)
    if path is None:
        abort(404, "That page has no preview. Open the whole document to read it.")
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers.update(_PRIVATE)
    return named(response, f"{row.original_filename.rsplit('.', 1)[0]}, page {number}.png", inline=True)
