"""Exports: the printable record, a ZIP of the documents, and a private calendar feed."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import outbox, policy
from app.candidate.blueprint import bp
from app.db import get_session
from app.downloads import named
from app.models import PATHWAY_LABELS, Enrollment, Pathway, User
from app.services import NotPermitted
from app.services.notifications import calendar_feed
from app.services.progress import export as export_service
from app.services.progress import record_document
from app.urls import external_url
from workflows.registry import plugin

from .routes import _enrollment

_NEW_FEED = "new_calendar_feed"
_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _page(enrollment: Enrollment, new_feed_url: str | None = None) -> str:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    return render_template("candidate/export.html", enrollment=enrollment,
                           candidate=session.get(User, enrollment.candidate_id),
                           can_export=policy.can_export_record(roles), can_follow=policy.can_follow_calendar(roles),
                           feed=calendar_feed.live_feed(session, current_user, enrollment),  # type: ignore[arg-type]
                           new_feed_url=new_feed_url)


@bp.get("/enrollments/<int:enrollment_id>/export")
@login_required
def export(enrollment_id: int) -> str:
    """What can be taken away: the record, the documents, the calendar (a new feed link shown once)."""
    enrollment = _enrollment(enrollment_id)
    fresh = flask_session.pop(_NEW_FEED, None)
    return _page(enrollment, new_feed_url=fresh["url"] if fresh and fresh.get("enrollment") == enrollment.id else None)


def _exporter(enrollment_id: int) -> Enrollment:
    enrollment = _enrollment(enrollment_id)
    if not policy.can_export_record(policy.roles_on(get_session(), current_user, enrollment)):
        abort(404)  # like every page a role may not see
    return enrollment


@bp.get("/enrollments/<int:enrollment_id>/export/summary")
@login_required
def export_summary(enrollment_id: int) -> Response:
    """The record as one self-contained HTML page, to print or download, or as a PDF (`format=pdf`)."""
    session = get_session()
    enrollment = _exporter(enrollment_id)
    wants_pdf = request.args.get("format") == "pdf"
    if request.args.get("format") not in (None, "pdf"):
        abort(400, "The record comes as a page (no format) or as a PDF (format=pdf).")
    record = export_service.summary(session, enrollment, current_user)  # type: ignore[arg-type]
    session.commit()
    if wants_pdf:  # the same record, the same audit (record.exported), as a file to keep or send
        response = make_response(record_document.record_pdf(record))
        response.headers.update(_PRIVATE)
        response.headers["Content-Type"] = "application/pdf"
        return named(response, record_document.file_name(record))
    html = render_template("candidate/export_summary.html", record=record, board=record.board,
                           pathway_label=PATHWAY_LABELS[Pathway(enrollment.pathway)],
                           standards=plugin(enrollment.pathway).standards, kind_label=export_service.log_kind_label)
    response = make_response(html)
    response.headers.update(_PRIVATE)
    if request.args.get("download"):
        day = record.generated_at.date().isoformat()
        response.headers["Content-Disposition"] = f'attachment; filename="record-{enrollment.id}-{day}.html"'
    return response


@bp.get("/enrollments/<int:enrollment_id>/export/evidence.zip")
@login_required
def export_evidence(enrollment_id: int) -> Response:
    """Every document version the person may read, with a manifest of SHA-256 checksums."""
    session = get_session()
    enrollment = _exporter(enrollment_id)
    data = export_service.evidence_zip(session, enrollment, current_user)  # type: ignore[arg-type]
    session.commit()
    response = make_response(data)
    response.headers.update(_PRIVATE)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-{enrollment.id}.zip"'
    return response


@bp.post("/enrollments/<int:enrollment_id>/calendar-feed")
@login_required
def create_calendar_feed(enrollment_id: int) -> Response:
    """Make (or replace) the person's private feed link; it is shown once, on the page this leads to."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    try:
        token = calendar_feed.create(session, current_user, enrollment)  # type: ignore[arg-type]
        outbox.commit(session)
    except NotPermitted as error:
        session.rollback()
        abort(403, error.message)
    # Post/redirect/get: the link rides in the signed session to the next page only, then it is gone,
    # so a reload neither posts again (replacing the link just made) nor shows the secret twice.
    flask_session[_NEW_FEED] = {"enrollment": enrollment.id, "url": external_url("candidate.calendar", token=token)}
    return redirect(url_for("candidate.export", enrollment_id=enrollment.id) + "#calendar")


@bp.post("/enrollments/<int:enrollment_id>/calendar-feed/revoke")
@login_required
def revoke_calendar_feed(enrollment_id: int) -> Response:
    """Stop the person's feed link at once."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    stopped = calendar_feed.revoke(session, current_user, enrollment)  # type: ignore[arg-type]
    outbox.commit(session)
    flash("The calendar link no longer works." if stopped else "There was no calendar link to stop.", "success")
    return redirect(url_for("candidate.export", enrollment_id=enrollment.id))


@bp.get("/calendar/<token>.ics")
def calendar(token: str) -> Response:
    """The feed itself, for calendar apps: no session, the secret link is the key."""
    session = get_session()
    found = calendar_feed.resolve(session, token)
    if found is None:
        abort(404)
    user, enrollment = found
    response = make_response(calendar_feed.render(session, enrollment, user))
    response.headers.update(_PRIVATE)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="enrollment-{enrollment.id}.ics"'
    return response
