"""The API blueprint, and `operation`: the one way to add a route, so the OpenAPI document lists it.

Each operation declares its path, its typed query, body and response models, and the problem
statuses it may answer; the wrapper authenticates the bearer token, applies the per-token rate limit,
validates the input against the models (422 with field errors) and serialises the response through
its model. `openapi.document()` is generated from the same declarations.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from limits import parse
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from app.api import problems
from app.db import get_session
from app.models import ApiToken, User
from app.services import Blocked, Conflict, PathwayError
from app.services.team import api_tokens

bp = Blueprint("api", __name__)

API_LIMIT = "300 per minute"  # per token; RATE_LIMIT_API_TOKEN (RATE_LIMITS["api_token"]) overrides
COMMON = (400, 401, 403, 404, 422, 429, 503)  # every operation: unreadable, bad token, roles, unseen, invalid,
# too many, database or Redis briefly down


@dataclass
class Operation:
    """One documented route."""

    method: str
    rule: str
    endpoint: str
    summary: str
    description: str
    tag: str
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    multipart: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    binary: bool
    errors: tuple[int, ...] = field(default=COMMON)
    body_optional: bool = False
    csv_body: bool = False  # the multipart upload may also come as a text/csv body

    @property
    def path(self) -> str:
        """The OpenAPI path: /api/v1/enrollments/{enrollment_id}."""
        return "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[tuple[str, str]]:
        """(name, converter) of each path parameter: int, or string."""
        return [(name, kind or "string") for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)]


OPERATIONS: list[Operation] = []


class Invalid(Exception):
    """Input that does not match the operation's model: 422 with the field errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid input")
        self.errors = errors


def _field_errors(error: ValidationError, where: str) -> list[dict[str, Any]]:
    return [{"loc": [where, *[str(p) if not isinstance(p, int) else p for p in e["loc"]]], "message": e["msg"]}
            for e in error.errors(include_url=False)]


def _parse_query(model: type[BaseModel]) -> BaseModel:
    data = {key: request.args.get(key) for key in request.args if key in model.model_fields}
    unknown = [key for key in request.args if key not in model.model_fields]
    if unknown:
        raise Invalid([{"loc": ["query", key], "message": "Unknown parameter."} for key in unknown])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Invalid(_field_errors(error, "query")) from None


def _parse_body(model: type[BaseModel], optional: bool = False) -> BaseModel:
    if optional and not request.get_data():
        return model.model_validate({})  # an optional body left out: its defaults
    if not request.mimetype == "application/json":
        raise Invalid([{"loc": ["body"], "message": "Send the body as application/json."}])
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise Invalid([{"loc": ["body"], "message": "The body is not valid JSON."}])
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as error:
        raise Invalid(_field_errors(error, "body")) from None


def _token() -> tuple[User, ApiToken]:
    """The caller, from `Authorization: Bearer <token>`; its use is stamped and committed at once."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise api_tokens.Unauthorised("Send your API token as `Authorization: Bearer <token>`.")
    session = get_session()
    user, token = api_tokens.authenticate(session, secret.strip(), get_remote_address())
    session.commit()  # the use is recorded whatever the command then does
    return user, token


def _limit() -> str:
    configured = current_app.config.get("RATE_LIMITS") or {}
    return configured.get("api_token") or API_LIMIT


def _rate_limited(key: str, limit: str) -> int | None:
    """Seconds to wait when `key` is over `limit` (the app's limiter storage), else None (and counted)."""
    limiter = current_app.extensions.get("rate_limiter")
    if limiter is None or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    item = parse(limit)
    try:
        if limiter.limiter.hit(item, "api", key):
            return None
        reset_at, _ = limiter.limiter.get_window_stats(item, "api", key)
    except Exception:
        current_app.logger.warning("API rate limit store unavailable", exc_info=True)
        return None
    return max(1, int(reset_at - time.time()))


def operation(method: str, rule: str, *, summary: str, tag: str, query: type[BaseModel] | None = None,
              body: type[BaseModel] | None = None, multipart: type[BaseModel] | None = None,
              response: type[BaseModel] | None = None, status: int = 200, binary: bool = False,
              errors: tuple[int, ...] = (), body_optional: bool = False,
              csv_body: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `view(user, **path_params, query=..., body=...)` at /api/v1`rule` and document it."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def run(**kwargs: Any) -> Response | tuple[Response, int]:
            address = get_remote_address()
            try:
                user, token = _token()
            except api_tokens.Unauthorised:
                # Unknown tokens count per address, like failed sign-ins: guessing stays slow.
                wait = _rate_limited(f"address:{address}", current_app.config["RATE_LIMITS"]["sign_in_address"])
                if wait:
                    return _too_many(wait)
                raise
            wait = _rate_limited(f"token:{token.id}", _limit())
            if wait:
                return _too_many(wait)
            g.api_user, g.api_token = user, token
            if query is not None:
                kwargs["query"] = _parse_query(query)
            if body is not None:
                kwargs["body"] = _parse_body(body, body_optional)
            result = view(user, **kwargs)
            if isinstance(result, Response):
                return result
            return jsonify(result.model_dump(mode="json")), status

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=run, methods=[method])
        declared = tuple(sorted(set(COMMON) | set(errors)))
        OPERATIONS.append(Operation(method, rule, view.__name__, summary, (view.__doc__ or "").strip(), tag,
                                    query, body, multipart, response, status, binary, declared, body_optional,
                                    csv_body))
        return run

    return register


def _too_many(wait: int) -> Response:
    return problems.problem("rate-limited", f"Too many requests with this token. Wait {wait} seconds.",
                            headers={"Retry-After": str(wait)})


def check_version(current: int, expected: int | None, what: str) -> None:
    """Optimistic concurrency: 409 when the caller's `expected_version` is not the record's version now."""
    if expected is not None and expected != current:
        raise Conflict(f"The {what} changed since you read it (version {expected}, now {current}). "
                       "Read it again, then retry.")


def unmet_rules(blocked: Blocked) -> list[dict[str, Any]] | None:
    """The unmet rules behind a Blocked step, when the command recorded them (set by the API's views)."""
    return getattr(blocked, "api_unmet", None)


@bp.errorhandler(Invalid)
def invalid(error: Invalid) -> Response:
    """422 with every field error."""
    get_session().rollback()
    return problems.problem("validation", "Some fields are not valid; see `errors`.", errors=error.errors)


@bp.errorhandler(PathwayError)
def refused(error: PathwayError) -> Response:
    """A service refused the command: its kind's status, with the reasons (and unmet rules for a blocked step)."""
    get_session().rollback()
    # A command's plain refusal (400 in the services) is well-formed input the rules refuse: 422.
    status = 422 if error.status == 400 else error.status
    if isinstance(error, Blocked):
        return problems.problem("blocked-transition", error.message, reasons=error.reasons or None,
                                unmet=unmet_rules(error) or [])
    extra = {"reasons": error.reasons} if error.reasons else {}
    return problems.problem(problems.kind_for(status), error.message, status=status, **extra)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """abort() and werkzeug errors inside an API view, as problems."""
    get_session().rollback()
    code = error.code or 500
    detail = error.description if error.description != type(error).description else None
    return problems.for_status(code, detail)
