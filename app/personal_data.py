"""Every download of personal data is audited: who took which file, from which enrolment or program.

Declared here by endpoint rather than in each view, so the list of what counts as personal data is
one table to review. The record exports (summary page, evidence ZIP) audit themselves as
`record.exported` in their service. The calendar feed is not listed: calendar apps fetch it every
hour or so on their own, and its creation and revocation are audited instead.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from sqlmodel import Session
from werkzeug.wrappers import Response

from . import outbox
from .db import engine
from .models import AuditEvent

DOWNLOADS = {
    "candidate.download_evidence": "evidence.downloaded",
    "inbox.preview_evidence": "evidence.previewed",  # its pages drawn as images and its text: a view all the same
    "inbox.preview_page": "evidence.previewed",  # one page's image, in the queue or on the preview page
    "api.preview_evidence": "evidence.previewed",
    "api.preview_page": "evidence.previewed",
    "api.download_evidence": "evidence.downloaded",  # by an API token: its owner is the actor
    "director.candidates_csv": "report.exported",
    "director.accreditation_csv": "report.exported",
    "director.packet": "packet.downloaded",
}


def init_app(app: Flask) -> None:
    """Audit each successful download on the DOWNLOADS endpoints (a missing endpoint stops the start)."""
    missing = set(DOWNLOADS) - set(app.view_functions)
    if missing:
        raise LookupError(f"audited downloads name endpoints no route serves: {sorted(missing)}")

    @app.after_request
    def _audit_download(response: Response) -> Response:
        action = DOWNLOADS.get(request.endpoint or "")
        if action is None or response.status_code != 200:
            return response
        actor = current_user if current_user.is_authenticated else g.get("api_user")
        if actor is None:
            return response
        args = dict(request.view_args or {})
        # Its own session and commit, before the body is sent: a streamed CSV is still reading through
        # the request's session. Should this fail, the error page replaces the file, so nothing leaves
        # unrecorded.
        with Session(engine()) as session:
            enrollment_id = args.pop("enrollment_id", None)
            details = {"what": request.endpoint, **args}
            if g.get("api_token") is not None:
                details["api_token"] = g.api_token.id
            session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment_id,
                                   action=action, details=details))
            outbox.commit(session)
        return response
