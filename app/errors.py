"""Friendly error pages: a person learns what went wrong and what to do next."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import get_session

_ADVICE = {
    400: "The request could not be understood. Go back, check what you entered, and try again.",
    401: "Please sign in to continue.",
    403: "Your account does not have access to this page. If you think it should, ask your program director.",
    404: "There is nothing at this address. It may have moved, or the link may be mistyped.",
    405: "That action is not available here.",
    409: "Someone else changed this at the same time. Reload the page to see the latest and try again.",
    413: "That upload is too large.",
    422: "This step cannot be taken yet.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. It has been logged; please try again in a moment.",
}


def register_error_pages(app: Flask) -> None:
    """Render every HTTP error, CSRF failure and crash as a page (or JSON for API clients)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return _render(400, "Your form expired or was sent without its security token. "
                            "Reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if code == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            return _render(413, f"That upload is too large. Files may be at most {limit} MB.")
        detail = error.description if error.description and not _is_default(error) else None
        return _render(code, detail or _ADVICE.get(code, error.name))

    @app.errorhandler(Exception)
    def crash(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        try:
            get_session().rollback()
        except Exception:  # noqa: BLE001  the page must render even if the database is gone
            pass
        return _render(500, _ADVICE[500])


def _is_default(error: HTTPException) -> bool:
    return error.description == type(error).description


def _render(code: int, message: str):  # type: ignore[no-untyped-def]
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code
