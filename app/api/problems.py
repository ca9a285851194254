"""Errors as RFC 9457 problem details (application/problem+json), one stable `type` per kind of error."""

from __future__ import annotations

from typing import Any

from flask import Response, json

MEDIA_TYPE = "application/problem+json"
BASE = "https://credential-tracker.example/problems/"

# status -> (type slug, title): the slug is part of the API's contract, the title is for people.
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "The request could not be read."),
    "unauthorized": (401, "A valid API token is needed."),
    "forbidden": (403, "Your roles do not allow this."),
    "not-found": (404, "There is nothing here you may see."),
    "method-not-allowed": (405, "That method is not available here."),
    "conflict": (409, "It changed meanwhile."),
    "payload-too-large": (413, "That upload is too large."),
    "unsupported-media-type": (415, "Send the body in the media type the operation documents."),
    "validation": (422, "Some fields are not valid."),
    "blocked-transition": (422, "The step's rules are not all met."),
    "not-possible": (422, "That cannot be done."),
    "rate-limited": (429, "Too many requests."),
    "server-error": (500, "Something went wrong on our side."),
    "unavailable": (503, "The service is briefly unavailable."),
    "storage-full": (507, "Storage is full; the file was not saved."),
}
_BY_STATUS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
              409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type", 422: "not-possible",
              429: "rate-limited", 500: "server-error", 503: "unavailable", 507: "storage-full"}


def kind_for(status: int) -> str:
    """The problem type slug used for a bare HTTP status."""
    return _BY_STATUS.get(status, "server-error" if status >= 500 else "bad-request")


def problem(kind: str, detail: str | None = None, status: int | None = None,
            headers: dict[str, str] | None = None, **extensions: Any) -> Response:
    """A problem+json response of `kind`, with a detail for people and extension members."""
    code, title = KINDS[kind]
    code = status or code
    body = {"type": BASE + kind, "title": title, "status": code, **({"detail": detail} if detail else {}), **extensions}
    response = Response(json.dumps(body), status=code, mimetype=MEDIA_TYPE)
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def for_status(status: int, detail: str | None = None) -> Response:
    """A problem for a bare HTTP error (routing 404/405, 413...), used for every path under /api/."""
    return problem(kind_for(status), detail, status=status)
