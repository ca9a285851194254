"""The OpenAPI document describes every API route, and a fuzzer driven by it finds no 5xx and no
response outside it (a bounded number of examples per operation, on the lane's database)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.api.openapi import document
from app.models import Membership, Organisation, OrganisationKind, Program
from app.services.enrollments import pathways
from tests.api.helpers import token_for
from tests.conftest import make_user
from tests.today import TODAY
from workflows.roles import Role

# Enough to reach every documented status of an operation without making a lane slow.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))


def test_every_route_under_api_v1_is_in_the_document_and_nothing_else(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")  # type: ignore[index]
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}  # type: ignore[index]
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}  # type: ignore[operator]
    assert routed == documented


@pytest.fixture
def people(app: Flask, session: Session) -> dict[str, str]:
    """A PIP candidate with district HR over them (two accounts: password hashing is the slow part); tokens for both."""
    org = Organisation(name="Fuzz district", kind=OrganisationKind.DISTRICT)
    session.add(org)
    session.flush()
    program = Program(organisation_id=org.id, name="Fuzz PIP", pathway="pip")  # type: ignore[arg-type]
    session.add(program)
    session.flush()
    candidate, hr = make_user(session, "cand@example.org", "Cand"), make_user(session, "hr@example.org", "HR")
    session.add(Membership(user_id=hr.id, role=Role.DISTRICT_HR.value, organisation_id=org.id))  # type: ignore[arg-type]
    with app.app_context():
        pathways.enroll(session, candidate, program, TODAY - timedelta(days=5), candidate)
    session.commit()
    return {"candidate": token_for(app, session, candidate), "approver": token_for(app, session, hr)}


def _labels() -> list[str]:
    """Every documented operation, as schemathesis names it ("GET /api/v1/me")."""
    return [f"{method.upper()} {path}" for path, ops in document()["paths"].items() for method in ops]


@pytest.mark.parametrize("label", _labels())
def test_the_fuzzer_finds_no_server_error_and_nothing_outside_the_document(
        app: Flask, people: dict[str, str], label: str) -> None:
    """Schemathesis generates requests from the document as served and checks each response against it."""
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).find_operation_by_label(label)
    assert operation is not None
    token = people["approver"] if "/tasks" in label or "/programs" in label else people["candidate"]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                       response_schema_conformance])

    run()
