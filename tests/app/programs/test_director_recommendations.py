"""Recommendations: batch -> packet -> fitness, fee, issued; returned and re-submitted; the 90-day purge."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import (
    AuditEvent,
    Enrollment,
    OutboxMessage,
    Recommendation,
    RecommendationBatch,
    SignOff,
)
from app.services.evidence import documents, filing
from app.services.notifications import reminders as notifications
from app.services.programs import recommendations
from tests.app.director_fixtures import post, ready_casc, signed_in
from tests.app.pathway_driver import PathwayDriver, at, pdf_bytes
from tests.today import TODAY
from workflows.roles import Role

ATTEST = "I attest that the candidate completed every program requirement."


@pytest.fixture
def driver(app: Flask, session: Session, tmp_path) -> PathwayDriver:  # type: ignore[no-untyped-def]
    app.config["PACKET_FOLDER"] = str(tmp_path / "packets")
    return ready_casc(app, session)


def submit(app: Flask, driver: PathwayDriver, **extra: object):  # type: ignore[no-untyped-def]
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/recommendations"
    data = {"enrollment_id": str(driver.enrollment.id), "attest": "yes", "attestation": ATTEST, **extra}
    return client, post(client, page, page, data)


def follow(client, driver: PathwayDriver, rec: Recommendation, action: str, **data: str):  # type: ignore[no-untyped-def]
    page = f"/programs/{driver.program.id}/recommendations"
    return post(client, page, f"{page}/{rec.id}/{action}", data)


def test_a_director_submits_a_batch_and_the_job_writes_the_packet(app: Flask, session: Session, driver: PathwayDriver) -> None:
    client, response = submit(app, driver)
    # Post/redirect/get: the answer is a redirect to the outcome, which a reload shows again without posting.
    assert response.status_code == 302 and "batch=" in response.location
    for _ in range(2):
        shown = client.get(response.location).get_data(as_text=True)
        assert "Recommended on" in shown and "Candidate" in shown
    assert len(session.exec(select(RecommendationBatch)).all()) == 1
    enrollment = driver.refresh()
    # Two CASC years passed on the app's clock to get here: "today" is the app's today.
    assert enrollment.state == "recommended" and enrollment.recommended_on == driver.facts().today
    rec = session.exec(select(Recommendation)).one()
    assert rec.status == "submitted" and rec.submitted_on == driver.facts().today
    # The attestation is the director's approval sign-off the step needed.
    assert session.exec(select(SignOff).where(SignOff.key == "recommendation_approved")).one().comment == ATTEST
    batch = session.get(RecommendationBatch, rec.batch_id)
    session.refresh(batch)
    assert batch.attestation == ATTEST and batch.packet_path and batch.packet_ready_at
    download = client.get(f"/programs/{driver.program.id}/recommendations/batches/{batch.id}/packet")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.get_data()))
    assert sorted(archive.namelist()) == ["recommendations.csv", f"summary-{rec.id}.html", f"summary-{rec.id}.pdf"]
    rows = list(csv.reader(io.StringIO(archive.read("recommendations.csv").decode("utf-8").lstrip("\ufeff"))))
    from app.services.programs.packets import PACKET_COLUMNS

    assert tuple(rows[0]) == PACKET_COLUMNS
    assert rows[1][0] == str(rec.id) and rows[1][6] == "Candidate" and rows[1][-1] == ATTEST
    assert "CTC recommendation summary" in archive.read(f"summary-{rec.id}.html").decode()
    from app.services.evidence.previews import text_of

    printed = " ".join(text_of(archive.read(f"summary-{rec.id}.pdf")).split())
    assert "CTC recommendation summary" in printed and ATTEST in printed and driver.candidate.email in printed
    # Idempotent: running the handler again changes nothing.
    from app.services.notifications import registry

    before = (driver.app.config["PACKET_FOLDER"], batch.packet_ready_at)
    with app.app_context():
        registry.run("recommendation.packet", session, {"batch_id": batch.id})
    session.refresh(batch)
    assert (driver.app.config["PACKET_FOLDER"], batch.packet_ready_at) == before


def test_no_attestation_no_submission(app: Flask, session: Session, driver: PathwayDriver) -> None:
    _, response = submit(app, driver, attest="")
    assert response.status_code == 400 and "Tick the attestation box" in response.get_data(as_text=True)
    _, response = submit(app, driver, attestation="ok")
    assert response.status_code == 400
    assert session.exec(select(Recommendation)).all() == [] and driver.refresh().state == "ready_for_recommendation"


def test_the_life_cycle_runs_to_issued(app: Flask, session: Session, driver: PathwayDriver) -> None:
    client, _ = submit(app, driver)
    rec = session.exec(select(Recommendation)).one()
    # Out of order: the fee before the fitness questions is refused.
    assert follow(client, driver, rec, "fee_paid").status_code == 409
    assert follow(client, driver, rec, "fitness_answered").status_code == 302
    assert follow(client, driver, rec, "fee_paid").status_code == 302
    session.refresh(rec)
    assert rec.status == "fee_paid" and rec.fitness_answered_on == rec.fee_paid_on == driver.facts().today
    # Issued is the analyst's step, once the issued credential is verified.
    analyst = signed_in(app, driver.person(Role.CREDENTIAL_ANALYST).email)
    blocked = follow(analyst, driver, rec, "issued")
    assert blocked.status_code == 422 and "credential" in blocked.get_data(as_text=True).lower()
    with app.app_context():
        row = filing.submit(session, driver.refresh(), "issued_credential", "clear.pdf", pdf_bytes("issued"),
                              driver.person(Role.PROGRAM_DIRECTOR))
        session.flush()
        documents.decide(session, row, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    assert follow(analyst, driver, rec, "issued").status_code == 302
    session.refresh(rec)
    assert rec.status == "issued" and driver.refresh().state == "casc_issued"
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.enrollment_id == driver.enrollment.id)).all()
    assert {"recommendation.submitted", "recommendation.fitness_answered", "recommendation.fee_paid",
            "recommendation.issued"} <= set(actions)


def test_returned_with_a_reason_then_resubmitted(app: Flask, session: Session, driver: PathwayDriver) -> None:
    client, _ = submit(app, driver)
    rec = session.exec(select(Recommendation)).one()
    assert follow(client, driver, rec, "returned", reason="").status_code == 400
    assert follow(client, driver, rec, "returned", reason="Middle name misspelled").status_code == 302
    session.refresh(rec)
    enrollment = driver.refresh()
    assert rec.status == "returned" and rec.return_reason == "Middle name misspelled"
    assert enrollment.state == "ready_for_recommendation" and enrollment.recommended_on is None
    page = client.get(f"/programs/{driver.program.id}/recommendations").get_data(as_text=True)
    assert "submitted again: the recommendation of" in page and "was returned by the candidate" in page
    assert f"recommendation #{rec.id}" not in page and f"· #{rec.id}" not in page  # no ids on screen
    _, again = submit(app, driver)
    assert again.status_code == 302
    newer = session.exec(select(Recommendation).order_by(Recommendation.id.desc())).first()
    assert newer.id != rec.id and newer.replaces_id == rec.id and driver.refresh().state == "recommended"


def test_reminders_before_day_90_then_the_purge(app: Flask, session: Session, driver: PathwayDriver) -> None:
    submit(app, driver)
    rec = session.exec(select(Recommendation)).one()
    day = driver.refresh().recommended_on
    with app.app_context():
        # Day 30: 60 days left, the reminder goes out; nothing is purged yet.
        assert recommendations.purge_expired(session, at(day + timedelta(days=30))) == 0
        notifications.schedule_reminders(session, at(day + timedelta(days=30)))
    keys = session.exec(select(OutboxMessage.dedupe_key).where(OutboxMessage.job == "email.deadline_reminder")).all()
    assert any("recommendation_window" in key and key.endswith("-60") for key in keys)
    with app.app_context():
        assert recommendations.purge_expired(session, at(day + timedelta(days=89))) == 0
        assert recommendations.purge_expired(session, at(day + timedelta(days=90))) == 1
        assert recommendations.purge_expired(session, at(day + timedelta(days=91))) == 0  # once
    session.refresh(rec)
    enrollment = driver.refresh()
    assert rec.status == "purged" and rec.purged_on == day + timedelta(days=90)
    assert enrollment.state == "ready_for_recommendation" and enrollment.recommended_on is None
    purge = session.exec(select(AuditEvent).where(AuditEvent.event == "recommendation_purged")).one()
    assert purge.actor_id is None


def test_a_paid_recommendation_is_not_purged(app: Flask, session: Session, driver: PathwayDriver) -> None:
    client, _ = submit(app, driver)
    rec = session.exec(select(Recommendation)).one()
    follow(client, driver, rec, "fitness_answered")
    follow(client, driver, rec, "fee_paid")
    with app.app_context():
        assert recommendations.purge_expired(session, at(TODAY + timedelta(days=120))) == 0
    assert driver.refresh().state == "recommended"


def test_the_daily_reminder_job_runs_the_purge(app: Flask, session: Session, driver: PathwayDriver) -> None:
    submit(app, driver)
    session.expire_all()
    enrollment = session.get(Enrollment, driver.enrollment.id)
    enrollment.recommended_on = TODAY - timedelta(days=100)
    session.commit()
    rec = session.exec(select(Recommendation)).one()
    rec.submitted_on = enrollment.recommended_on
    session.commit()
    from app.jobs.reminders import run_reminders

    with app.app_context():
        assert run_reminders().get("recommendation.purged") == 1
    session.refresh(rec)
    assert rec.status == "purged"


def test_the_recommendation_follows_an_issuance_recorded_on_the_record_itself(app: Flask, session: Session,
                                                                             driver: PathwayDriver) -> None:
    client, _ = submit(app, driver)
    rec = session.exec(select(Recommendation)).one()
    follow(client, driver, rec, "fitness_answered")
    follow(client, driver, rec, "fee_paid")
    with app.app_context():
        row = filing.submit(session, driver.refresh(), "issued_credential", "clear.pdf", pdf_bytes("issued"),
                            driver.person(Role.PROGRAM_DIRECTOR))
        session.flush()
        documents.decide(session, row, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    # The analyst takes the step from the candidate's record, not from the recommendations list.
    driver.advance("credential_issued", Role.CREDENTIAL_ANALYST)
    session.refresh(rec)
    assert driver.refresh().state == "casc_issued"
    assert (rec.status, rec.issued_on) == ("issued", driver.facts().today)  # not "fee paid, waiting for the CTC"
    issued = session.exec(select(AuditEvent).where(AuditEvent.action == "recommendation.issued")).all()
    assert len(issued) == 1
