"""The OpenAPI 3.1 document, generated from the operations and their pydantic models (never hand-kept)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel

from app.api import problems, schemas
from app.api.blueprint import OPERATIONS, Operation, bp

_REF = "#/components/schemas/{model}"
# Path parameters as Flask's converters take them: ids are positive 32-bit integers, names are words.
_PATH_SCHEMAS = {"int": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                 "string": {"type": "string", "pattern": "^[a-z_]{1,64}$"}}
_STATUS_TEXT = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 409: "Conflict",
                413: "Payload too large", 415: "Unsupported media type", 422: "Unprocessable content",
                429: "Too many requests", 503: "Briefly unavailable (database or Redis)"}


def _collect(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """A $ref to `model`, its schema (and the models it uses) added to `components`."""
    schema = model.model_json_schema(ref_template=_REF)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             **({"description": prop["description"]} if "description" in prop else {})}
            for name, prop in schema["properties"].items()]


def _operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    problem_ref = _collect(schemas.Problem, components)
    spec: dict[str, Any] = {
        "operationId": op.endpoint, "summary": op.summary, "tags": [op.tag],
        "description": op.description, "security": [{"bearer": []}],
        "parameters": [{"name": name, "in": "path", "required": True, "schema": _PATH_SCHEMAS[kind]}
                       for name, kind in op.path_params],
    }
    if op.query is not None:
        spec["parameters"] += _query_parameters(op.query, components)
    if op.body is not None:
        spec["requestBody"] = {"required": not op.body_optional,
                               "content": {"application/json": {"schema": _collect(op.body, components)}}}
    if op.multipart is not None:
        spec["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": _collect(op.multipart, components), "encoding": {"file": {"contentType": "*/*"}}}}}
        if op.csv_body:
            spec["requestBody"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    if op.binary:
        ok: dict[str, Any] = {"description": "The file", "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}}
    else:
        ok = {"description": "OK", "content": {"application/json": {"schema": _collect(op.response, components)}}}  # type: ignore[arg-type]
    responses: dict[str, Any] = {str(op.status): ok}
    for status in op.errors:
        responses[str(status)] = {"description": _STATUS_TEXT.get(status, "Error"),
                                  "content": {problems.MEDIA_TYPE: {"schema": problem_ref}}}
    spec["responses"] = responses
    return spec


def document() -> dict[str, Any]:
    """The whole document, from every registered operation."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, components)
    paths["/api/v1/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "The OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Credential Tracker API", "version": "1.0.0",
                 "description": "Enrolments, evidence, logs and sign-offs with the same rules as the web app. "
                                "Authenticate with a personal access token (made on your API tokens page) "
                                "as `Authorization: Bearer <token>`. Errors are RFC 9457 problem details "
                                "whose `type` is stable per kind of error."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The document; public, like any API's reference."""
    return jsonify(document())
