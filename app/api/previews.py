"""A document's preview over the API: the approver's preview page's twin (same readers, same audit).

The pages are the PNG images the preview page shows (the first ones only); the text is the whole
document's, as extracted for screen readers and search. `evidence.previewed` is audited per call.
"""

from __future__ import annotations

from flask import send_file
from pydantic import BaseModel
from werkzeug.wrappers import Response

from app.api.blueprint import operation
from app.api.records import readable_evidence
from app.downloads import named
from app.models import User
from app.services import NotFound
from app.services.evidence import previews


class PreviewOut(BaseModel):
    """What can be shown of one document version without opening it."""

    evidence_id: int
    kind: str  # "pages" (a PDF's first pages drawn as images), "image" (shown as itself), "none"
    pages: int  # images at /preview/{number}, from 1
    total_pages: int
    text: str
    message: str  # why nothing can be shown, in words for the person


@operation("GET", "/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/preview",
           summary="Preview a document", tag="evidence", response=PreviewOut)
def preview_evidence(user: User, enrollment_id: int, evidence_id: int) -> PreviewOut:
    """How many of its first pages are drawn as images, and its text; for those who may read the document."""
    row = readable_evidence(user, enrollment_id, evidence_id)
    shown = previews.of(row)
    return PreviewOut(evidence_id=row.id, kind=shown.kind, pages=shown.pages, total_pages=shown.total,  # type: ignore[arg-type]
                      text=shown.text, message=shown.message)


@operation("GET", "/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/preview/<int:number>",
           summary="A page of a document, as an image", tag="evidence", binary=True)
def preview_page(user: User, enrollment_id: int, evidence_id: int, number: int) -> Response:
    """Page `number` (from 1, up to the preview's `pages`) as a PNG image."""
    row = readable_evidence(user, enrollment_id, evidence_id)
    path = previews.page_image(row, number)
    if path is None:
        raise NotFound("That page has no preview.")
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return named(response, f"{row.original_filename.rsplit('.', 1)[0]}, page {number}.png", inline=True)
