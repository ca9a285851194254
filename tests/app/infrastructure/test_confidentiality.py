"""The ILP and the mentoring notes are unreadable by evaluators (site administrator, district HR) by
every path: page, PDF download, ZIP export, email, calendar feed, CSV; refusals answer 404."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import confidentiality, outbox, policy
from app.models import Evidence, LogEntry, Membership
from app.services.evidence import plans
from app.services.notifications import calendar_feed
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import signed_in
from tests.today import TODAY
from workflows.roles import EVALUATOR_ROLES, Role

GOAL = "Secret growth goal zebra"
NOTE = "Confidential mentoring note walrus"


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "induction")
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role="mentor", enrollment_id=driver.enrollment.id))
    session.commit()
    enrollment = driver.refresh()
    with app.app_context():
        plans.save(session, enrollment, "ilp", driver.candidate, summary={"cstp_version": "2024"}, expected_revision=0,
                   items=[{"standard": n, "goal": f"{GOAL} {n}", "actions": "Try circles"} for n in range(1, 7)])
        plans.submit(session, enrollment, "ilp", driver.candidate)  # files the ILP as a PDF
        session.add(LogEntry(enrollment_id=enrollment.id, kind="mentoring", occurred_on=TODAY, hours=1,
                             notes=NOTE, author_id=driver.candidate.id, signer_id=driver.person(Role.MENTOR).id))
        outbox.commit(session)
    return driver


def _ilp_pdf(session: Session, driver: PathwayDriver) -> Evidence:
    return session.exec(select(Evidence).where(Evidence.enrollment_id == driver.enrollment.id,
                                               Evidence.kind == "ilp")).one()


@pytest.mark.parametrize("role", sorted(EVALUATOR_ROLES))
def test_evaluators_read_neither_the_ilp_nor_the_notes_by_any_path(app: Flask, session: Session,
                                                                   induction: PathwayDriver, role: Role) -> None:
    client = signed_in(app, induction.person(role).email)
    base = f"/enrollments/{induction.enrollment.id}"
    pdf = _ilp_pdf(session, induction)
    # Pages that are the content itself answer 404, like a missing page.
    for path in (f"{base}/plans/ilp", f"{base}/self-assessments", f"{base}/evidence/{pdf.id}",
                 f"{base}/export/summary", f"{base}/export/evidence.zip"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert GOAL.encode() not in response.data and NOTE.encode() not in response.data
    # Pages they may open never carry the content.
    for path in (base, f"{base}/plans", f"{base}/logs", f"{base}/team", f"{base}/export"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert GOAL.encode() not in response.data and NOTE.encode() not in response.data, path
    # The dashboard does not even list the filed ILP (its name, status or a link to it).
    assert f"/evidence/{pdf.id}".encode() not in client.get(base).data
    # The calendar feed.
    with app.test_request_context():
        feed = calendar_feed.render(session, induction.refresh(), induction.person(role))
    assert GOAL not in feed and NOTE not in feed


def test_the_pdf_and_the_zip_carry_the_ilp_for_those_the_table_names(app: Flask, session: Session,
                                                                   induction: PathwayDriver) -> None:
    pdf = _ilp_pdf(session, induction)
    base = f"/enrollments/{induction.enrollment.id}"
    for role in (Role.MENTOR, Role.PROGRAM_DIRECTOR):
        assert signed_in(app, induction.person(role).email).get(f"{base}/evidence/{pdf.id}").status_code == 200
    director = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    archive = zipfile.ZipFile(io.BytesIO(director.get(f"{base}/export/evidence.zip").data))
    assert any(name.startswith("ilp/") for name in archive.namelist())
    summary = director.get(f"{base}/export/summary").get_data(as_text=True)
    assert GOAL in summary and NOTE not in summary  # the program reads goals, never the mentoring notes


def test_no_email_and_no_csv_carries_the_ilp_or_the_notes(app: Flask, session: Session,
                                                          induction: PathwayDriver) -> None:
    for mail in f.folder_mail(app):
        assert GOAL not in mail.as_string() and NOTE not in mail.as_string()
    director = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    for path in ("candidates.csv", "accreditation.csv"):
        response = director.get(f"/programs/{induction.program.id}/{path}")
        assert response.status_code == 200
        assert GOAL.encode() not in response.data and NOTE.encode() not in response.data


def test_every_table_keeps_email_csv_and_search_empty_and_evaluators_out_of_induction() -> None:
    for pathway, table in confidentiality.CONFIDENTIALITY.items():
        for content, channels in table.contents.items():
            for channel in (confidentiality.Channel.EMAIL, confidentiality.Channel.CSV, confidentiality.Channel.SEARCH):
                assert channels[channel] == frozenset(), (pathway, content, channel)
    for content in confidentiality.CONFIDENTIALITY["induction"].contents.values():
        for readers in content.values():
            assert not readers & EVALUATOR_ROLES and Role.VIEWER not in readers


def test_pip_support_notes_are_read_by_the_support_team_not_hr() -> None:
    assert policy.can_read_confidential_notes(frozenset({Role.SITE_ADMINISTRATOR}), "support_note")
    assert not policy.can_read_confidential_notes(frozenset({Role.DISTRICT_HR}), "support_note")
    assert not policy.can_read_confidential_notes(frozenset({Role.SITE_ADMINISTRATOR}), "mentoring")
