"""A client holding only the OpenAPI document and tokens takes a PIP candidate through a step, and
no record of one candidate is reachable by another."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.signoffs.test_tasks import BEFORE
from workflows.roles import Role

PROBLEM = "application/problem+json"


def _driver(app: Flask, session: Session) -> PathwayDriver:
    """A PIP candidate whose permit is issued: next comes establishing the plan."""
    driver = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        driver.advance(event, role)
    return driver


def test_a_candidate_uploads_logs_asks_and_the_approvers_sign_and_the_step_advances(app: Flask, session: Session) -> None:
    driver = _driver(app, session)
    eid = driver.enrollment.id
    candidate = api_as(app, session, driver.candidate)
    analyst = api_as(app, session, driver.person(Role.CREDENTIAL_ANALYST))
    support = api_as(app, session, driver.person(Role.PREP_PROGRAM_SUPPORT_PROVIDER))

    listed = candidate.get("/enrollments").json
    assert [e["id"] for e in listed["items"]] == [eid] and listed["items"][0]["mine"] is True  # type: ignore[index]
    detail = candidate.get(f"/enrollments/{eid}").json
    step = next(e for e in detail["events"] if e["event"] == "establish_plan")  # type: ignore[index]
    assert step["enabled"] is False and step["may_ask"] is True
    assert {u["evidence_kind"] for u in step["unmet"]} >= {"personalized_plan"}
    assert all(u["message"] and u["source"] and u["clears"] for u in step["unmet"])

    # Upload (multipart), then the analyst lists, downloads and verifies it.
    data = pdf_bytes("personalized plan")
    up = candidate.client.post(f"/api/v1/enrollments/{eid}/evidence", headers=candidate._headers(),
                               data={"kind": "personalized_plan", "file": (io.BytesIO(data), "plan.pdf")},
                               content_type="multipart/form-data")
    assert up.status_code == 201, up.json
    doc = up.json
    assert doc["sha256"] == hashlib.sha256(data).hexdigest() and doc["status"] == "submitted"  # type: ignore[index]
    plans = [d for d in analyst.get(f"/enrollments/{eid}/evidence").json["items"] if d["kind"] == "personalized_plan"]  # type: ignore[index]
    assert [(d["id"], d["current"]) for d in plans] == [(doc["id"], True)]  # type: ignore[index]
    file = analyst.get(f"/enrollments/{eid}/evidence/{doc['id']}/file")
    assert file.status_code == 200 and file.data == data  # type: ignore[index]
    assert analyst.post(f"/enrollments/{eid}/evidence/{doc['id']}/decision",  # type: ignore[index]
                        json={"decision": "verify"}).json["status"] == "verified"  # type: ignore[index]

    # A log entry the candidate keeps, signed by the person it names.
    today = (driver.facts().today).isoformat()
    entry = candidate.post(f"/enrollments/{eid}/logs", json={
        "kind": "preservice", "occurred_on": today, "hours": 2, "notes": "Classroom management module",
        "signer_id": driver.person(Role.PREP_PROGRAM_SUPPORT_PROVIDER).id})
    assert entry.status_code == 201, entry.json
    assert entry.json["signed_at"] is None  # type: ignore[index]
    signed = support.post(f"/enrollments/{eid}/logs/{entry.json['id']}/sign")  # type: ignore[index]
    assert signed.status_code == 200 and signed.json["signed_at"]  # type: ignore[index]
    assert candidate.get(f"/enrollments/{eid}/logs").json["page"]["total"] == 1  # type: ignore[index]

    # Asking: blocked on the two sign-offs, which are queued to their holders.
    version = candidate.get(f"/enrollments/{eid}").json["version"]  # type: ignore[index]
    stale = candidate.post(f"/enrollments/{eid}/events/establish_plan", json={"expected_version": version + 5})
    assert stale.status_code == 409 and stale.content_type == PROBLEM and stale.json["type"].endswith("/conflict")  # type: ignore[index]
    asked = candidate.post(f"/enrollments/{eid}/events/establish_plan", json={"expected_version": version})
    assert asked.status_code == 422 and asked.content_type == PROBLEM
    assert asked.json["type"].endswith("/blocked-transition")  # type: ignore[index]
    assert {u["signoff"] for u in asked.json["unmet"]} == {"plan_established"}  # type: ignore[index]

    site, hr = (api_as(app, session, driver.person(r)) for r in (Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR))
    [site_task] = site.get("/tasks?tab=unclaimed").json["items"]  # type: ignore[index]
    [hr_task] = hr.get("/tasks?tab=unclaimed").json["items"]  # type: ignore[index]
    assert site.post(f"/tasks/{site_task['id']}/claim").json["claimed_by_id"] == driver.person(Role.SITE_ADMINISTRATOR).id  # type: ignore[index]
    assert [t["id"] for t in site.get("/tasks").json["items"]] == [site_task["id"]]  # type: ignore[index]
    first = site.post(f"/tasks/{site_task['id']}/approve", json={"comment": "Plan reviewed."})
    assert first.status_code == 200 and first.json["step_moved_to"] is None  # type: ignore[index]
    again = site.post(f"/tasks/{site_task['id']}/approve", json={})
    assert again.status_code == 409 and again.content_type == PROBLEM
    last = hr.post("/tasks/bulk-approve", json={"task_ids": [hr_task["id"]]})
    assert last.json == {"approved": [hr_task["id"]], "skipped": []}
    assert candidate.get(f"/enrollments/{eid}").json["state"] == "plan_established"  # type: ignore[index]

    # The district's feed shows the step, and follows on from a cursor.
    feed = hr.get(f"/events?enrollment_id={eid}&limit=100").json
    assert any(e["action"] == "enrollment.transition" and e["to_state"] == "plan_established" for e in feed["items"])  # type: ignore[index]
    assert hr.get(f"/events?cursor={feed['next_cursor']}").json["items"] == []  # type: ignore[index]


def test_no_record_of_one_candidate_is_reachable_by_another(app: Flask, session: Session) -> None:
    mine, theirs = _driver(app, session), _driver(app, session)
    with app.app_context():
        from app.services.evidence import filing

        doc = filing.submit(session, theirs.refresh(), "personalized_plan", "p.pdf", pdf_bytes("theirs"), theirs.candidate)
        session.commit()
    other = api_as(app, session, theirs.candidate)
    entry = other.post(f"/enrollments/{theirs.enrollment.id}/logs", json={
        "kind": "preservice", "occurred_on": theirs.facts().today.isoformat(), "hours": 1,
        "signer_id": theirs.person(Role.PREP_PROGRAM_SUPPORT_PROVIDER).id}).json
    me = api_as(app, session, mine.candidate)
    events_before = session.exec(select(AuditEvent.id)).all()
    eid = theirs.enrollment.id
    assert [e["id"] for e in me.get("/enrollments").json["items"]] == [mine.enrollment.id]  # type: ignore[index]
    for path in (f"/enrollments/{eid}", f"/enrollments/{eid}/evidence", f"/enrollments/{eid}/evidence/{doc.id}/file",
                 f"/enrollments/{eid}/logs"):
        answer = me.get(path)
        assert answer.status_code == 404 and answer.content_type == PROBLEM, path
        assert answer.json["type"].endswith("/not-found")  # type: ignore[index]
    for path, body in ((f"/enrollments/{eid}/events/establish_plan", {}),
                       (f"/enrollments/{eid}/logs", {"kind": "preservice", "occurred_on": "2026-01-01", "hours": 1}),
                       (f"/enrollments/{eid}/logs/{entry['id']}/sign", {}),  # type: ignore[index]
                       (f"/enrollments/{eid}/evidence/{doc.id}/decision", {"decision": "verify"})):
        assert me.post(path, json=body).status_code == 404, path
    # Their document under my enrolment's address is not found either.
    assert me.get(f"/enrollments/{mine.enrollment.id}/evidence/{doc.id}/file").status_code == 404
    assert me.get(f"/events?enrollment_id={eid}").json["items"] == []  # type: ignore[index]
    assert all(e["enrollment_id"] == mine.enrollment.id for e in me.get("/events?limit=100").json["items"])  # type: ignore[index]
    assert me.get("/tasks?tab=unclaimed").json["items"] == []  # type: ignore[index]
    assert len(session.exec(select(AuditEvent.id)).all()) == len(events_before)  # nothing was changed


def test_invalid_input_is_422_with_field_errors(app: Flask, session: Session) -> None:
    driver = _driver(app, session)
    api = api_as(app, session, driver.candidate)
    eid = driver.enrollment.id
    bad = api.post(f"/enrollments/{eid}/logs", json={"kind": "preservice", "occurred_on": "yesterday", "hours": -1})
    assert bad.status_code == 422 and bad.content_type == PROBLEM and bad.json["type"].endswith("/validation")  # type: ignore[index]
    assert {tuple(e["loc"]) for e in bad.json["errors"]} == {("body", "occurred_on"), ("body", "hours")}  # type: ignore[index]
    assert api.get("/enrollments?limit=1000").json["errors"][0]["loc"] == ["query", "limit"]  # type: ignore[index]
    assert api.post(f"/enrollments/{eid}/events/establish_plan", json={"surprise": 1}).status_code == 422
    future = (driver.facts().today + timedelta(days=3)).isoformat()
    refused = api.post(f"/enrollments/{eid}/logs", json={"kind": "preservice", "occurred_on": future, "hours": 1,
                                                          "signer_id": driver.person(Role.PREP_PROGRAM_SUPPORT_PROVIDER).id})
    assert refused.status_code == 422 and "future" in refused.json["detail"]  # type: ignore[index]
