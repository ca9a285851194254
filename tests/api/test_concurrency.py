"""Optimistic concurrency on every update: each documents a 409, and a stale read is refused, changing nothing."""

from __future__ import annotations

import io

from flask import Flask
from sqlmodel import Session

from app.api.openapi import document
from app.models import Evidence, Membership
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from workflows.roles import Role

PROBLEM = "application/problem+json"
# Operations that create something new or report per item: nothing there can be stale.
CREATES = {"upload_evidence", "add_log", "comment_task", "bulk_approve", "import_roster_rows", "import_roster_csv",
           "record_support"}


def test_every_update_operation_documents_409_and_a_version_or_status_to_send() -> None:
    for path, ops in document()["paths"].items():
        for method, op in ops.items():
            if method != "post" or op["operationId"] in CREATES:
                continue
            assert "409" in op["responses"], (path, op["operationId"])


def test_a_stale_document_decision_and_a_second_signature_are_409(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role=Role.MENTOR.value,
                           enrollment_id=driver.enrollment.id))
    session.commit()
    eid = driver.enrollment.id
    candidate = api_as(app, session, driver.candidate)
    analyst = api_as(app, session, driver.person(Role.CREDENTIAL_ANALYST))
    mentor = api_as(app, session, driver.person(Role.MENTOR))

    def upload(text: str) -> dict:
        answer = candidate.client.post(f"/api/v1/enrollments/{eid}/evidence", headers=candidate._headers(),
                                       data={"kind": "preliminary_credential", "file": (io.BytesIO(pdf_bytes(text)), "p.pdf")},
                                       content_type="multipart/form-data")
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[return-value]

    first = upload("first")
    decide = f"/enrollments/{eid}/evidence/{first['id']}/decision"
    stale = analyst.post(decide, json={"decision": "verify", "expected_status": "verified"})
    assert stale.status_code == 409 and stale.content_type == PROBLEM and stale.json["type"].endswith("/conflict")  # type: ignore[index]
    session.expire_all()
    assert session.get(Evidence, first["id"]).status == "submitted"  # type: ignore[union-attr]
    upload("second")  # a newer version: deciding on the old one is stale
    assert analyst.post(decide, json={"decision": "verify", "expected_status": "submitted"}).status_code == 409
    session.expire_all()
    assert session.get(Evidence, first["id"]).status == "submitted"  # type: ignore[union-attr]

    entry = candidate.post(f"/enrollments/{eid}/logs", json={
        "kind": "mentoring", "occurred_on": driver.facts().today.isoformat(), "hours": 1,
        "signer_id": driver.person(Role.MENTOR).id}).json
    sign = f"/enrollments/{eid}/logs/{entry['id']}/sign"  # type: ignore[index]
    assert mentor.post(sign).status_code == 200
    again = mentor.post(sign)
    assert again.status_code == 409 and again.content_type == PROBLEM
