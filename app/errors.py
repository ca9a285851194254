"""Friendly error pages: a person learns what went wrong and what to do next."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as db_errors
from werkzeug.exceptions import HTTPException

from app import inputs, storage
from app.api import problems

UNAVAILABLE = ("The service is briefly unavailable, nothing you did was lost. "
               "Please try again in a minute.")
RETRY_AFTER_SECONDS = 30

_ADVICE = {
    400: "The request could not be understood. Go back, check what you entered, and try again.",
    401: "Please sign in to continue.",
    403: "Your account does not have access to this page. If you think it should, ask your program director.",
    404: "There is nothing at this address. It may have moved, or the link may be mistyped.",
    405: "That action is not available here.",
    409: "Someone else changed this at the same time. Reload the page to see the latest and try again.",
    413: "That upload is too large.",
    507: storage.StorageFull.message,
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
        if isinstance(error, storage.StorageFull):  # nothing was kept: the person must know it was not saved
            app.logger.error("storage full on %s %s: %s", request.method, request.path, error)
            _forget_session()  # the transaction ends uncommitted, which removes any file it wrote
            return _render(507, storage.StorageFull.message)
        if inputs.out_of_range(error):  # a number too large for its column: the sender's to fix
            app.logger.warning("value out of range on %s %s: %s", request.method, request.path, error)
            _forget_session()
            return _render(400, inputs.OUT_OF_RANGE)
        if database_unavailable(error) or isinstance(error, (RedisConnectionError, RedisTimeoutError)):
            app.logger.error("database or Redis unavailable on %s %s: %s", request.method, request.path, error)
            return unavailable()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        _forget_session()
        return _render(500, _ADVICE[500])


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached (as opposed to a bug or bad data)."""
    if isinstance(error, (db_errors.OperationalError, db_errors.InterfaceError, db_errors.TimeoutError)):
        return True
    return isinstance(error, db_errors.DBAPIError) and error.connection_invalidated


def unavailable():  # type: ignore[no-untyped-def]
    """The friendly 503, made without the database: no signed-in user, no navigation, no session."""
    _forget_session()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):  # RFC 9457, like every other API error
        return problems.problem("unavailable", UNAVAILABLE, headers=headers)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=UNAVAILABLE, status=503), 503, headers
    # Straight from Jinja: Flask's render_template would run the context processors, which look
    # the signed-in person up in the database again.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        message=UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS)
    return page, 503, headers


def _forget_session() -> None:
    # The request's transaction is abandoned. The session is closed, never rolled back here: a
    # rollback on a dead connection would be one more wait on the database.
    session = g.pop("db_session", None)
    if session is not None:
        with contextlib.suppress(Exception):  # the page must render even if the database is gone
            session.close()


def _is_default(error: HTTPException) -> bool:
    return error.description == type(error).description


def _render(code: int, message: str):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/v1/"):
        return problems.for_status(code, message)  # RFC 9457, like every other API error
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=message, status=code), code
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception as error:
        # The page's navigation asks the database; if that is what is down, say so kindly.
        if database_unavailable(error):
            return unavailable()
        raise
