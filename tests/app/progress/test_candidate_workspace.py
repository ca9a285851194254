"""The enrolment workspace: what a candidate sees, what they may do, and what is refused."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import Evidence, LogEntry
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.roles import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "pip")


def page_of(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}"


def post_form(client: FlaskClient, page: str, action: str, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


def test_the_candidate_sees_where_they_are_and_what_is_missing(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    body = client.get(page_of(pip)).get_data(as_text=True)
    assert "Now at:" in body and "Vacancy search" in body
    # The diligent search is district HR's to file: it waits on them, named, and is not a step of hers.
    waiting = re.search(r'<section class="card waiting".*?</section>', body, re.DOTALL).group(0)
    assert "diligent search" in waiting and "District HR" in waiting
    steps = re.search(r'<section class="card next-steps".*?</section>', body, re.DOTALL).group(0)
    assert "diligent search" not in steps
    assert "Upload your official transcripts" in steps  # what she can file ahead, one tap from the form
    assert "Recent activity" in body and "enrolled" in body
    # Withdrawing is in the menu, not among her next steps.
    assert "Withdraw" not in steps and "More actions" in body
    checklist = client.get(page_of(pip) + "/checklist").get_data(as_text=True)
    assert "Still missing (1)" in checklist and "Who: District HR" in checklist
    assert "configurable" not in checklist  # the rule book's marks stay out of the words


def test_the_pip_expiry_is_the_headline_with_a_countdown(app: Flask, pip: PathwayDriver) -> None:
    for event, role in [("start_screening", Role.DISTRICT_HR), ("confirm_eligibility", Role.CREDENTIAL_ANALYST),
                        ("request_permit", Role.CREDENTIAL_ANALYST), ("permit_issued", Role.CREDENTIAL_ANALYST)]:
        pip.advance(event, role)
    body = signed_in(app, pip.candidate.email).get(page_of(pip)).get_data(as_text=True)
    headline = re.search(r'<section class="card headline[^"]*".*?</section>', body, re.DOTALL).group(0)
    assert "expir" in headline.lower()
    # A year away reads in months, with the date in words, never "365 days left".
    assert re.search(r"about \d+ months left", headline) and "days left" not in headline
    assert re.search(r"due \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}", headline)


@pytest.mark.parametrize("path", ["", "/evidence/1"])
def test_another_candidate_cannot_open_the_enrolment_or_its_documents(app: Flask, session: Session,
                                                                      pip: PathwayDriver, path: str) -> None:
    with app.app_context():
        pip.walker().provide("recruitment_records")
    other = PathwayDriver(app, session, "casc")
    client = signed_in(app, other.candidate.email)
    assert client.get(page_of(pip) + path).status_code == 404


def test_another_candidate_cannot_upload_or_ask_for_steps(app: Flask, session: Session, pip: PathwayDriver) -> None:
    other = PathwayDriver(app, session, "casc")
    client = signed_in(app, other.candidate.email)
    own_page = page_of(other)
    token = csrf_token(client, own_page)
    upload = client.post(f"{page_of(pip)}/evidence", data={"csrf_token": token, "kind": "recruitment_records",
                                                          "file": (io.BytesIO(pdf_bytes("x")), "x.pdf")})
    step = client.post(f"{page_of(pip)}/steps/start_screening", data={"csrf_token": token, "version": "1"})
    assert upload.status_code == step.status_code == 404
    assert session.exec(select(Evidence)).all() == []


def test_the_mentor_on_the_enrolment_may_open_it(app: Flask, pip: PathwayDriver) -> None:
    pip.walker().assign(Role.MENTOR)
    pip.session.commit()
    assert signed_in(app, pip.people[Role.MENTOR].email).get(page_of(pip)).status_code == 200


def test_a_blocked_step_answers_422_with_every_reason(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.people[Role.DISTRICT_HR].email)
    response = post_form(client, page_of(pip), f"{page_of(pip)}/steps/start_screening",
                         {"version": pip.enrollment.version_id})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and "diligent search" in body
    assert pip.refresh().state == "vacancy_search"


def test_an_enabled_step_advances_and_a_stale_page_is_refused(app: Flask, pip: PathwayDriver) -> None:
    pip.satisfy("start_screening")
    client = signed_in(app, pip.people[Role.DISTRICT_HR].email)
    page = page_of(pip)
    version = pip.refresh().version_id
    token = csrf_token(client, page)
    response = client.post(f"{page}/steps/start_screening", data={"csrf_token": token, "version": version})
    assert response.status_code == 302
    assert pip.refresh().state == "eligibility_screen"
    again = client.post(f"{page}/steps/start_screening", data={"csrf_token": token, "version": version})
    assert again.status_code == 409
    assert pip.refresh().state == "eligibility_screen"


def test_a_step_without_its_version_is_a_bad_request(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.people[Role.DISTRICT_HR].email)
    response = post_form(client, page_of(pip), f"{page_of(pip)}/steps/start_screening", {})
    assert response.status_code == 400


def upload(client: FlaskClient, driver: PathwayDriver, data: bytes, filename: str, kind: str = "recruitment_records"):  # type: ignore[no-untyped-def]
    return post_form(client, page_of(driver), f"{page_of(driver)}/evidence",
                     {"kind": kind, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def stored_files(app: Flask) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"just some text, not a document", "transcript.pdf", "not a PDF, PNG, JPEG or Word"),
    (b"MZ\x90\x00 an executable", "plan.docx", "not a PDF, PNG, JPEG or Word"),
    (b"", "empty.pdf", "The file is empty"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(app: Flask, session: Session, pip: PathwayDriver,
                                                                          data: bytes, filename: str, message: str) -> None:
    client = signed_in(app, pip.candidate.email)
    response = upload(client, pip, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.exec(select(Evidence)).all() == []
    assert stored_files(app) == []


def test_an_oversized_upload_is_refused(app: Flask, session: Session, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    big = pdf_bytes("big") + b"0" * (app.config["MAX_UPLOAD_MB"] * 1_048_576 + 10)
    response = upload(client, pip, big, "big.pdf")
    assert response.status_code == 413
    assert f"the limit is {app.config['MAX_UPLOAD_MB']} MB" in response.get_data(as_text=True)
    assert session.exec(select(Evidence)).all() == []
    assert stored_files(app) == []


def test_a_hostile_file_name_is_cleaned_and_the_file_stored_under_a_random_name(app: Flask, session: Session,
                                                                                pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    assert upload(client, pip, PNG, "../../etc/<script>passwd.png").status_code == 302
    row = session.exec(select(Evidence)).one()
    assert "/" not in row.original_filename and "<" not in row.original_filename
    assert row.original_filename.endswith(".png") and row.content_type == "image/png"
    assert stored_files(app) == [row.stored_name]
    assert "passwd" not in row.stored_name


def test_replacing_a_document_keeps_the_old_version_and_downloads_work(app: Flask, session: Session,
                                                                       pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    upload(client, pip, pdf_bytes("first"), "records.pdf")
    upload(client, pip, pdf_bytes("second"), "records-v2.pdf")
    rows = session.exec(select(Evidence).order_by(Evidence.version)).all()
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].superseded_at is not None and rows[1].superseded_at is None
    for row, content in zip(rows, (pdf_bytes("first"), pdf_bytes("second"))):
        response = client.get(f"{page_of(pip)}/evidence/{row.id}")
        assert response.status_code == 200 and response.data == content
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_analyst_verifies_and_the_candidate_cannot_verify_their_own(app: Flask, session: Session,
                                                                        pip: PathwayDriver) -> None:
    candidate = signed_in(app, pip.candidate.email)
    upload(candidate, pip, pdf_bytes("records"), "records.pdf")
    row = session.exec(select(Evidence)).one()
    action = f"{page_of(pip)}/evidence/{row.id}/decision"
    assert post_form(candidate, page_of(pip), action, {"decision": "verify"}).status_code == 403

    analyst = signed_in(app, pip.people[Role.CREDENTIAL_ANALYST].email)
    no_reason = post_form(analyst, page_of(pip), action, {"decision": "send_back", "reason": "  "})
    assert no_reason.status_code == 400 and "Say why" in no_reason.get_data(as_text=True)
    assert post_form(analyst, page_of(pip), action, {"decision": "verify"}).status_code == 302
    session.expire_all()
    assert session.get(Evidence, row.id).status == "verified"


def test_a_sent_back_document_shows_its_reason_to_the_candidate(app: Flask, session: Session, pip: PathwayDriver) -> None:
    candidate = signed_in(app, pip.candidate.email)
    upload(candidate, pip, pdf_bytes("records"), "records.pdf")
    row = session.exec(select(Evidence)).one()
    analyst = signed_in(app, pip.people[Role.CREDENTIAL_ANALYST].email)
    post_form(analyst, page_of(pip), f"{page_of(pip)}/evidence/{row.id}/decision",
              {"decision": "send_back", "reason": "Page 2 is missing."})
    body = candidate.get(page_of(pip)).get_data(as_text=True)
    assert "Page 2 is missing." in body
    assert "sent back your recruitment records" in body


def test_home_lists_the_candidates_someone_supports(app: Flask, pip: PathwayDriver) -> None:
    body = signed_in(app, pip.people[Role.CREDENTIAL_ANALYST].email).get("/").get_data(as_text=True)
    assert "Candidates you support" in body
    assert f'href="/enrollments/{pip.enrollment.id}"' in body


def test_an_upload_link_preselects_its_requirement(app: Flask, pip: PathwayDriver) -> None:
    body = signed_in(app, pip.candidate.email).get(f"{page_of(pip)}?kind=recruitment_records").get_data(as_text=True)
    assert '<option value="recruitment_records" selected>' in body


def test_the_candidate_logs_a_meeting_and_the_coach_signs_it_in_the_browser_forms(app: Flask, session: Session) -> None:
    casc = PathwayDriver(app, session, "casc")
    casc.walker().assign(Role.COACH)
    session.commit()
    coach = casc.people[Role.COACH]
    page = f"{page_of(casc)}/logs"
    candidate = signed_in(app, casc.candidate.email)
    bad = post_form(candidate, page, page, {"kind": "coaching", "occurred_on": "2999-01-01", "hours": "1",
                                           "signer_id": coach.id})
    assert bad.status_code == 400 and "in the future" in bad.get_data(as_text=True)
    garbled = post_form(candidate, page, page, {"kind": "coaching", "occurred_on": "yesterday", "hours": "1",
                                               "signer_id": coach.id})
    assert garbled.status_code == 400
    day = TODAY - timedelta(days=1)
    assert post_form(candidate, page, page, {"kind": "coaching", "occurred_on": day.isoformat(), "hours": "1",
                                            "signer_id": coach.id, "notes": "Budget talk."}).status_code == 302
    entry = session.exec(select(LogEntry)).one()
    assert entry.signed_at is None

    principal = signed_in(app, casc.people[Role.SITE_ADMINISTRATOR].email)
    body = principal.get(page).get_data(as_text=True)
    assert "Budget talk." not in body and "confidential" in body
    assert post_form(principal, page, f"{page}/{entry.id}/sign", {}).status_code == 403

    coach_client = signed_in(app, coach.email)
    assert "Budget talk." in coach_client.get(page).get_data(as_text=True)
    assert post_form(coach_client, page, f"{page}/{entry.id}/sign", {}).status_code == 302
    session.expire_all()
    assert session.get(LogEntry, entry.id).signed_at is not None
