"""Induction support records: observations, just-in-time contacts, the mentor's and the program's CSTP
assessments, goal reflections and feedback to the mentor. Each kind is recorded by the roles the pathway
names and read by those its confidentiality table names; evaluators read none, by page or API; the
candidate never reads the feedback to their mentor; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, LogEntry, Membership, SupportRecord
from app.services.evidence import plans
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.roles import EVALUATOR_ROLES, Role

FEEDBACK = "Feedback for the mentor heron"
REFLECTION = "Reflection on the observed lesson otter"
GOAL = "Use exit tickets every lesson"
RATINGS = {str(n): 3 for n in range(1, 7)}


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "induction")
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role="mentor", enrollment_id=driver.enrollment.id))
    session.commit()
    driver.refresh()
    return driver


def _payload(kind: str, **more: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": kind, "occurred_on": TODAY.isoformat()}
    base.update({
        "observation": {"colleague": "Ms. Lee, grade 3", "standard": 2, "text": REFLECTION},
        "just_in_time": {"minutes": 15, "topic": "Parent email"},
        "standards_assessment": {"ratings": RATINGS, "text": "Steady growth"},
        "goal_reflection": {"goal": GOAL, "text": "Half my lessons now"},
        "mentor_feedback": {"text": FEEDBACK},
        "data_cycle": {"topic": "Unit 3 exit tickets", "text": "Fractions on a number line: reteach Monday"},
        "connection": {"topic": "The district's math PLC, Tuesdays"},
    }[kind])
    base.update(more)
    return base


def _records(session: Session, driver: PathwayDriver) -> list[SupportRecord]:
    session.expire_all()
    return list(session.exec(select(SupportRecord).where(SupportRecord.enrollment_id == driver.enrollment.id)).all())


WRITERS = {
    "observation": {Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR},
    "just_in_time": {Role.MENTOR},
    "standards_assessment": {Role.MENTOR, Role.PROGRAM_DIRECTOR},
    "goal_reflection": {Role.CANDIDATE, Role.MENTOR},
    "mentor_feedback": {Role.PROGRAM_DIRECTOR},
    "data_cycle": {Role.CANDIDATE, Role.MENTOR},
    "connection": {Role.MENTOR},
}
PEOPLE = (Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR,
          Role.CREDENTIAL_ANALYST)


def _with_ilp(app: Flask, session: Session, driver: PathwayDriver) -> None:
    with app.app_context():
        plans.save(session, driver.refresh(), "ilp", driver.candidate, summary={"cstp_version": "2024"},
                   expected_revision=0,
                   items=[{"standard": 1, "goal": GOAL, "actions": "Exit tickets"}])
        session.commit()


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_kind_is_recorded_over_the_api_only_by_its_writers(app: Flask, session: Session,
                                                                 induction: PathwayDriver, kind: str) -> None:
    _with_ilp(app, session, induction)
    path = f"/enrollments/{induction.enrollment.id}/support"
    for role in PEOPLE:
        response = api_as(app, session, induction.person(role)).post(path, json=_payload(kind))
        if role in WRITERS[kind]:
            assert response.status_code == 201, (role, response.get_json())
            assert response.get_json()["author_role"] == role.value
        else:  # readers who do not write it: 403; evaluators and others who read none: 404
            expected = 403 if role in (Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR) else 404
            assert response.status_code == expected, (role, response.status_code)
    assert len(_records(session, induction)) == len(WRITERS[kind])
    audits = session.exec(select(AuditEvent).where(AuditEvent.action == "support_record.recorded",
                                                   AuditEvent.enrollment_id == induction.enrollment.id)).all()
    assert len(audits) == len(WRITERS[kind])
    assert all(REFLECTION not in str(a.details) and FEEDBACK not in str(a.details) for a in audits)


def test_the_candidate_never_reads_the_feedback_to_their_mentor(app: Flask, session: Session,
                                                                induction: PathwayDriver) -> None:
    path = f"/enrollments/{induction.enrollment.id}/support"
    director = api_as(app, session, induction.person(Role.PROGRAM_DIRECTOR))
    assert director.post(path, json=_payload("mentor_feedback")).status_code == 201
    assert api_as(app, session, induction.person(Role.MENTOR)).post(path, json=_payload("just_in_time")).status_code == 201
    listed = api_as(app, session, induction.candidate).get(path).get_json()
    assert [item["kind"] for item in listed["items"]] == ["just_in_time"]
    assert "mentor_feedback" not in listed["may_record"]
    page = signed_in(app, induction.candidate.email).get(path)
    assert page.status_code == 200 and FEEDBACK.encode() not in page.data and b"Parent email" in page.data
    for role in (Role.MENTOR, Role.PROGRAM_DIRECTOR):
        assert FEEDBACK.encode() in signed_in(app, induction.person(role).email).get(path).data
        kinds = [item["kind"] for item in api_as(app, session, induction.person(role)).get(path).get_json()["items"]]
        assert sorted(kinds) == ["just_in_time", "mentor_feedback"]


@pytest.mark.parametrize("role", sorted(EVALUATOR_ROLES))
def test_evaluators_read_no_support_record_by_page_api_or_export(app: Flask, session: Session,
                                                                 induction: PathwayDriver, role: Role) -> None:
    path = f"/enrollments/{induction.enrollment.id}/support"
    api_as(app, session, induction.candidate).post(path, json=_payload("observation"))
    api_as(app, session, induction.person(Role.PROGRAM_DIRECTOR)).post(path, json=_payload("mentor_feedback"))
    client = signed_in(app, induction.person(role).email)
    assert client.get(path).status_code == 404
    assert api_as(app, session, induction.person(role)).get(path).status_code == 404
    for page in (f"/enrollments/{induction.enrollment.id}", f"/enrollments/{induction.enrollment.id}/export"):
        body = client.get(page).data
        assert REFLECTION.encode() not in body and FEEDBACK.encode() not in body
        assert f'href="{path}"'.encode() not in body  # the section bar does not offer the page


def test_a_mentor_who_is_also_the_site_administrator_reads_none(app: Flask, session: Session,
                                                                induction: PathwayDriver) -> None:
    mentor = induction.person(Role.MENTOR)
    session.add(Membership(user_id=mentor.id, role="site_administrator", enrollment_id=induction.enrollment.id))
    session.commit()
    assert signed_in(app, mentor.email).get(f"/enrollments/{induction.enrollment.id}/support").status_code == 404


@pytest.mark.parametrize(("kind", "change", "words"), [
    ("just_in_time", {"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "in the future"),
    ("standards_assessment", {"ratings": {**RATINGS, "4": 9}}, "Rate CSTP 4"),
    ("observation", {"standard": None}, "focus"),
    ("observation", {"text": "  "}, "Write a reflection"),
    ("observation", {"colleague": ""}, "whom you observed"),
    ("just_in_time", {"topic": ""}, "what the contact was about"),
    ("mentor_feedback", {"text": ""}, "Write the feedback"),
    ("goal_reflection", {"goal": "A goal that is not in the ILP"}, "one of the ILP's goals"),
    ("data_cycle", {"text": ""}, "what the data showed"),
    ("data_cycle", {"topic": " "}, "which data you looked at"),
    ("connection", {"topic": ""}, "whom or what the teacher was connected to"),
    ("observation", {"occurred_on": (TODAY - timedelta(days=400)).isoformat()}, "before the enrolment began"),
    ("observation", {"occurred_on": (TODAY + timedelta(days=400)).isoformat(), "text": ""}, "more than a year ahead"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_changes(app: Flask, session: Session,
                                                                 induction: PathwayDriver, kind: str,
                                                                 change: dict[str, Any], words: str) -> None:
    _with_ilp(app, session, induction)
    writer = next(r for r in (Role.PROGRAM_DIRECTOR, Role.MENTOR, Role.CANDIDATE) if r in WRITERS[kind])
    response = api_as(app, session, induction.person(writer)).post(
        f"/enrollments/{induction.enrollment.id}/support", json=_payload(kind, **change))
    assert 400 <= response.status_code < 500
    assert words in str(response.get_json())
    assert _records(session, induction) == []


def test_an_observation_may_be_scheduled_ahead_without_a_reflection(app: Flask, session: Session,
                                                                    induction: PathwayDriver) -> None:
    ahead = (TODAY + timedelta(days=7)).isoformat()
    response = api_as(app, session, induction.person(Role.PROGRAM_DIRECTOR)).post(
        f"/enrollments/{induction.enrollment.id}/support", json=_payload("observation", occurred_on=ahead, text=""))
    assert response.status_code == 201
    page = signed_in(app, induction.candidate.email).get(f"/enrollments/{induction.enrollment.id}/support")
    assert b"(scheduled)" in page.data


def test_just_in_time_minutes_never_count_as_mentoring_hours(app: Flask, session: Session,
                                                             induction: PathwayDriver) -> None:
    mentor = api_as(app, session, induction.person(Role.MENTOR))
    assert mentor.post(f"/enrollments/{induction.enrollment.id}/support",
                       json=_payload("just_in_time", minutes=240)).status_code == 201
    assert session.exec(select(LogEntry).where(LogEntry.enrollment_id == induction.enrollment.id)).all() == []
    assert induction.facts().count("mentoring_hours") == 0


def test_the_page_form_saves_with_csrf_and_shows_the_record(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    path = f"/enrollments/{induction.enrollment.id}/support"
    mentor = signed_in(app, induction.person(Role.MENTOR).email)
    refused = mentor.post(path, data=_form("just_in_time"))
    assert refused.status_code == 400 and _records(session, induction) == []  # no CSRF token
    saved = mentor.post(path, data={**_form("just_in_time"), "csrf_token": csrf_token(mentor, path)})
    assert saved.status_code == 302
    assert b"Parent email" in mentor.get(path).data
    bad = mentor.post(path, data={**_form("just_in_time", minutes="0"), "csrf_token": csrf_token(mentor, path)})
    assert bad.status_code == 400 and b"minutes" in bad.data
    assert len(_records(session, induction)) == 1
    # A kind that is not theirs: refused (403), nothing saved.
    other = mentor.post(path, data={**_form("mentor_feedback"), "csrf_token": csrf_token(mentor, path)})
    assert other.status_code == 403 and len(_records(session, induction)) == 1


def _form(kind: str, **more: str) -> dict[str, str]:
    data = {key: str(value) for key, value in _payload(kind).items() if not isinstance(value, dict)}
    data.update(more)
    return data


def test_other_pathways_keep_no_support_records(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    assert signed_in(app, pip.candidate.email).get(f"/enrollments/{pip.enrollment.id}/support").status_code == 404


def test_the_accreditation_export_counts_each_kind_and_carries_no_words(app: Flask, session: Session,
                                                                        induction: PathwayDriver) -> None:
    import csv
    import io

    _with_ilp(app, session, induction)
    path = f"/enrollments/{induction.enrollment.id}/support"
    candidate, mentor, director = (api_as(app, session, induction.person(r))
                                   for r in (Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR))
    for api, kind, more in ((candidate, "observation", {}), (candidate, "observation", {}),
                            (director, "observation", {"occurred_on": (TODAY + timedelta(days=3)).isoformat(),
                                                       "text": ""}),  # scheduled: not counted yet
                            (mentor, "just_in_time", {}), (mentor, "just_in_time", {}), (mentor, "just_in_time", {}),
                            (mentor, "standards_assessment", {}),
                            (director, "standards_assessment", {}),  # the program's: not the mentor's
                            (director, "mentor_feedback", {}), (candidate, "goal_reflection", {}),
                            (candidate, "data_cycle", {}), (mentor, "data_cycle", {}), (mentor, "connection", {})):
        assert api.post(path, json=_payload(kind, **more)).status_code == 201
    client = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    text = client.get(f"/programs/{induction.program.id}/accreditation.csv").get_data().decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    record = dict(zip(header, row))
    assert {key: record[key] for key in ("observations", "just_in_time_contacts", "mentor_cstp_assessments",
                                         "feedback_to_mentor", "goal_reflections", "data_cycles", "referrals")} == {
        "observations": "2", "just_in_time_contacts": "3", "mentor_cstp_assessments": "1",
        "feedback_to_mentor": "1", "goal_reflections": "1", "data_cycles": "2", "referrals": "1"}
    assert FEEDBACK not in text and REFLECTION not in text
    page = client.get(f"/programs/{induction.program.id}/accreditation").get_data(as_text=True)
    assert "Just-in-time contacts" in page and FEEDBACK not in page
    # District HR, an evaluator, gets no export (the page's own rule).
    hr = signed_in(app, induction.person(Role.DISTRICT_HR).email)
    assert hr.get(f"/programs/{induction.program.id}/accreditation.csv").status_code in (403, 404)


def test_the_self_assessment_page_shows_the_mentors_latest_ratings_beside(app: Flask, session: Session,
                                                                          induction: PathwayDriver) -> None:
    path = f"/enrollments/{induction.enrollment.id}"
    mentor = api_as(app, session, induction.person(Role.MENTOR))
    assert mentor.post(f"{path}/support", json=_payload("standards_assessment",
                                                        ratings={**RATINGS, "5": 4})).status_code == 201
    page = signed_in(app, induction.candidate.email).get(f"{path}/self-assessments").get_data(as_text=True)
    assert "Beside the mentor&#39;s view" in page or "Beside the mentor's view" in page
    assert "<td>4</td>" in page  # the mentor's CSTP 5
    # Before any assessment by the mentor, the section is not there.
    other = PathwayDriver(app, session, "induction")
    empty = signed_in(app, other.candidate.email).get(f"/enrollments/{other.enrollment.id}/self-assessments")
    assert b"Beside the mentor" not in empty.data


def test_the_activity_list_mentions_a_record_only_to_its_readers(app: Flask, session: Session,
                                                                 induction: PathwayDriver) -> None:
    path = f"/enrollments/{induction.enrollment.id}"
    director = api_as(app, session, induction.person(Role.PROGRAM_DIRECTOR))
    assert director.post(f"{path}/support", json=_payload("mentor_feedback")).status_code == 201
    said = b"recorded support (on the Support page)"
    assert said in signed_in(app, induction.person(Role.MENTOR).email).get(path).data
    for role in (Role.CANDIDATE, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR):
        assert said not in signed_in(app, induction.person(role).email).get(path).data, role
    assert api_as(app, session, induction.person(Role.MENTOR)).post(
        f"{path}/support", json=_payload("just_in_time")).status_code == 201
    assert said in signed_in(app, induction.candidate.email).get(path).data  # the contact is hers to read
    assert said not in signed_in(app, induction.person(Role.DISTRICT_HR).email).get(path).data
