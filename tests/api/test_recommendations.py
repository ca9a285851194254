"""CTC recommendations over the API: the program page's services, policy and audit."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Recommendation
from app.services.evidence import documents, filing
from tests.api.helpers import Api, api_as
from tests.app.director_fixtures import ready_casc
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from workflows.roles import Role

PROBLEM = "application/problem+json"
ATTEST = "I attest that the candidate completed every program requirement."


@pytest.fixture
def driver(app: Flask, session: Session, tmp_path) -> PathwayDriver:  # type: ignore[no-untyped-def]
    app.config["PACKET_FOLDER"] = str(tmp_path / "packets")
    return ready_casc(app, session)


def _submit(api: Api, driver: PathwayDriver, **body: object):  # type: ignore[no-untyped-def]
    return api.post(f"/programs/{driver.program.id}/recommendations",
                    json={"enrollment_ids": [driver.enrollment.id], "attestation": ATTEST, "attest": True, **body})


def test_the_director_submits_a_batch_and_the_analyst_follows_it_to_issued(
        app: Flask, session: Session, driver: PathwayDriver) -> None:
    director = api_as(app, session, driver.person(Role.PROGRAM_DIRECTOR))
    analyst = api_as(app, session, driver.person(Role.CREDENTIAL_ANALYST))
    submitted = _submit(director, driver)
    assert submitted.status_code == 201, submitted.json
    assert submitted.json["batch_id"] and [o["ok"] for o in submitted.json["outcomes"]] == [True]  # type: ignore[index]
    assert driver.refresh().state == "recommended"

    base = f"/programs/{driver.program.id}/recommendations"
    listed = analyst.get(base).json
    assert [(r["enrollment_id"], r["status"]) for r in listed["items"]] == [(driver.enrollment.id, "submitted")]  # type: ignore[index]
    rec_id = listed["items"][0]["id"]  # type: ignore[index]
    assert analyst.get(base, query_string={"status": "issued"}).json["items"] == []  # type: ignore[index]

    # Out of order, and stale: 409, nothing changes.
    assert analyst.post(f"{base}/{rec_id}/status", json={"status": "fee_paid"}).status_code == 409
    moved = analyst.post(f"{base}/{rec_id}/status", json={"status": "fitness_answered", "expected_status": "submitted"})
    assert moved.status_code == 200 and moved.json["status"] == "fitness_answered"  # type: ignore[index]
    stale = analyst.post(f"{base}/{rec_id}/status", json={"status": "fee_paid", "expected_status": "submitted"})
    assert stale.status_code == 409 and stale.content_type == PROBLEM and stale.json["type"].endswith("/conflict")  # type: ignore[index]
    assert analyst.post(f"{base}/{rec_id}/status", json={"status": "fee_paid"}).json["status"] == "fee_paid"  # type: ignore[index]

    # Issued fires `credential_issued`, whose rules want the issued credential verified: 422 until it is.
    blocked = analyst.post(f"{base}/{rec_id}/status", json={"status": "issued"})
    assert blocked.status_code == 422 and blocked.json["type"].endswith("/blocked-transition")  # type: ignore[index]
    session.expire_all()
    assert session.get(Recommendation, rec_id).status == "fee_paid"  # type: ignore[union-attr]
    with app.app_context():
        row = filing.submit(session, driver.refresh(), "issued_credential", "clear.pdf", pdf_bytes("issued"),
                            driver.person(Role.PROGRAM_DIRECTOR))
        session.flush()
        documents.decide(session, row, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    issued = analyst.post(f"{base}/{rec_id}/status", json={"status": "issued"})
    assert issued.status_code == 200 and issued.json["status"] == "issued"  # type: ignore[index]
    assert driver.refresh().state == "casc_issued"
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.enrollment_id == driver.enrollment.id)).all())
    assert {"recommendation.submitted", "recommendation.fitness_answered", "recommendation.fee_paid",
            "recommendation.issued"} <= actions


def test_a_return_needs_the_candidates_reason(app: Flask, session: Session, driver: PathwayDriver) -> None:
    director = api_as(app, session, driver.person(Role.PROGRAM_DIRECTOR))
    assert _submit(director, driver).status_code == 201
    base = f"/programs/{driver.program.id}/recommendations"
    rec_id = director.get(base).json["items"][0]["id"]  # type: ignore[index]
    assert director.post(f"{base}/{rec_id}/status", json={"status": "returned"}).status_code == 422
    returned = director.post(f"{base}/{rec_id}/status", json={"status": "returned", "reason": "Name misspelled"})
    assert returned.status_code == 200 and returned.json["return_reason"] == "Name misspelled"  # type: ignore[index]
    assert driver.refresh().state == "ready_for_recommendation"


def test_only_the_pathways_submitters_submit_and_only_program_viewers_list(
        app: Flask, session: Session, driver: PathwayDriver) -> None:
    base = f"/programs/{driver.program.id}/recommendations"
    analyst = api_as(app, session, driver.person(Role.CREDENTIAL_ANALYST))
    refused = _submit(analyst, driver)  # the analyst sees the page; on CASC only the director submits
    assert refused.status_code == 403 and refused.content_type == PROBLEM
    for role in (Role.MENTOR, Role.COACH):
        outsider = api_as(app, session, driver.person(role))
        assert outsider.get(base).status_code == 404  # no program role: as if there were no program
        assert _submit(outsider, driver).status_code == 404
    candidate = api_as(app, session, driver.candidate)
    assert candidate.get(base).status_code == 404
    assert session.exec(select(Recommendation)).all() == [] and driver.refresh().state == "ready_for_recommendation"


def test_a_batch_nobody_could_join_is_422_with_each_reason(app: Flask, session: Session,
                                                          driver: PathwayDriver) -> None:
    director = api_as(app, session, driver.person(Role.PROGRAM_DIRECTOR))
    assert _submit(director, driver).status_code == 201
    again = _submit(director, driver)  # no longer ready
    assert again.status_code == 422 and again.content_type == PROBLEM
    assert any("no longer ready" in r for r in again.json["reasons"])  # type: ignore[index]
    assert _submit(director, driver, attest=False).status_code == 422  # the attestation must be given
    assert len(session.exec(select(Recommendation)).all()) == 1
