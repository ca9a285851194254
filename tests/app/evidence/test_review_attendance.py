"""PIP review meetings confirmed by the people who attended (seed 000: the tracker reviewed "with
your district, direct supervisor, mentor and support provider"; issue 29). A role the candidate
lists stands once someone holding it confirms; until then it is in their inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, LogEntry, OutboxMessage
from tests.api.helpers import api_as
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.pip.keys import Count
from workflows.roles import Role

LISTED = ["district_hr", "site_administrator", "mentor", "prep_program_support_provider"]
CONFIRMING = (Role.DISTRICT_HR, Role.SITE_ADMINISTRATOR, Role.PREP_PROGRAM_SUPPORT_PROVIDER)


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=60)
    driver.walker().assign(Role.MENTOR)
    session.commit()
    return driver


def _page(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/meetings"


def _record(app: Flask, session: Session, driver: PathwayDriver, roles: list[str] = LISTED) -> LogEntry:
    client = signed_in(app, driver.candidate.email)
    response = client.post(_page(driver), data={
        "csrf_token": csrf_token(client, _page(driver)), "occurred_on": (TODAY - timedelta(days=3)).isoformat(),
        "participants": "Dana Lee, principal\nSam HR", "notes": "Reviewed the tracker.",
        "signer_id": str(driver.people[Role.MENTOR].id), "attendee_roles": roles})
    assert response.status_code == 302
    return _meeting(session)


def _meeting(session: Session) -> LogEntry:
    session.expire_all()
    return session.exec(select(LogEntry).where(LogEntry.kind == "review_meeting")).one()


def _answer(app: Flask, driver: PathwayDriver, role: Role, entry: LogEntry, present: str):  # type: ignore[no-untyped-def]
    client = signed_in(app, driver.person(role).email)
    return client.post(f"{_page(driver)}/{entry.id}/attendance",
                       data={"csrf_token": csrf_token(client, _page(driver)), "present": present})


def _inbox(app: Flask, driver: PathwayDriver, role: Role) -> str:
    return signed_in(app, driver.person(role).email).get("/inbox").get_data(as_text=True)


def test_each_listed_role_is_asked_and_the_review_counts_once_all_confirmed(app: Flask, session: Session,
                                                                           pip: PathwayDriver) -> None:
    entry = _record(app, session, pip)
    day = f"{entry.occurred_on.day} {entry.occurred_on:%B %Y}"
    for role in (*CONFIRMING, Role.MENTOR):
        assert f"Confirm you were at the review meeting of {day}" in _inbox(app, pip, role), role
    told = {m.payload["recipient_id"] for m in session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.turn"))
            if m.payload.get("kind") == "attend"}
    assert told == {pip.person(role).id for role in (*CONFIRMING, Role.MENTOR)}
    mail = next(m for m in f.folder_mail(app) if m["To"] == pip.people[Role.DISTRICT_HR].email
                and "review meeting" in m["Subject"])
    assert f"/enrollments/{pip.enrollment.id}/meetings#review-{entry.id}" in mail.get_body(("plain",)).get_content()
    assert "Confirm you were at" not in _inbox(app, pip, Role.CANDIDATE)
    client = signed_in(app, pip.people[Role.MENTOR].email)
    client.post(f"/enrollments/{pip.enrollment.id}/logs/{entry.id}/sign",
                data={"csrf_token": csrf_token(client, _page(pip)), "from": "meetings"})
    assert "Confirm you were at" not in _inbox(app, pip, Role.MENTOR)  # signing it confirmed the mentor
    for role in CONFIRMING:
        assert pip.facts().counts[Count.REVIEWS_HELD] == 0
        assert _answer(app, pip, role, entry, "yes").status_code == 302
        assert "Confirm you were at" not in _inbox(app, pip, role)
    assert pip.facts().counts[Count.REVIEWS_HELD] == 1
    assert _meeting(session).attendance == {role.value: pip.person(role).id for role in (*CONFIRMING, Role.MENTOR)}
    body = signed_in(app, pip.candidate.email).get(_page(pip)).get_data(as_text=True)
    assert f"Site administrator (confirmed by {pip.people[Role.SITE_ADMINISTRATOR].name})" in body
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action == "review.attended")).all()
    assert len(actions) == len(CONFIRMING)


def test_someone_who_was_not_there_takes_their_role_off_and_the_review_does_not_count(
        app: Flask, session: Session, pip: PathwayDriver) -> None:
    entry = _record(app, session, pip)
    assert _answer(app, pip, Role.SITE_ADMINISTRATOR, entry, "no").status_code == 302
    assert _meeting(session).attendee_roles == ["district_hr", "mentor", "prep_program_support_provider"]
    assert "Confirm you were at" not in _inbox(app, pip, Role.SITE_ADMINISTRATOR)
    body = signed_in(app, pip.candidate.email).get(_page(pip)).get_data(as_text=True)
    assert "direct supervisor (site administrator) was not there" in body
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "review.not_attended")).one().actor_id == \
        pip.people[Role.SITE_ADMINISTRATOR].id


@pytest.mark.parametrize(("role", "present", "status", "message"), [
    (Role.CANDIDATE, "yes", 403, "Only people listed"),
    (Role.CREDENTIAL_ANALYST, "yes", 403, "Only people listed"),  # the district was listed as HR, not as them
    (Role.DISTRICT_HR, "maybe", 400, "Say whether you were at the meeting"),
])
def test_only_those_listed_answer_and_a_wrong_answer_changes_nothing(app: Flask, session: Session, pip: PathwayDriver,
                                                                     role: Role, present: str, status: int,
                                                                     message: str) -> None:
    entry = _record(app, session, pip)
    response = _answer(app, pip, role, entry, present)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert _meeting(session).attendance == {} and _meeting(session).attendee_roles == LISTED


def test_answering_twice_is_refused(app: Flask, session: Session, pip: PathwayDriver) -> None:
    entry = _record(app, session, pip)
    assert _answer(app, pip, Role.DISTRICT_HR, entry, "yes").status_code == 302
    again = _answer(app, pip, Role.DISTRICT_HR, entry, "no")
    assert again.status_code == 409 and "already confirmed" in again.get_data(as_text=True)
    assert _meeting(session).attendee_roles == LISTED


def test_the_api_confirms_as_the_page_does(app: Flask, session: Session, pip: PathwayDriver) -> None:
    entry = _record(app, session, pip)
    path = f"/enrollments/{pip.enrollment.id}/logs/{entry.id}/attendance"
    refused = api_as(app, session, pip.person(Role.CREDENTIAL_ANALYST)).post(path, json={"present": True})
    assert refused.status_code == 403
    done = api_as(app, session, pip.person(Role.DISTRICT_HR)).post(path, json={"present": True})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["confirmed_roles"] == ["district_hr"] and done.get_json()["attendee_roles"] == LISTED
    unclear = api_as(app, session, pip.person(Role.SITE_ADMINISTRATOR)).post(path, json={"present": "perhaps"})
    assert unclear.status_code == 422 and _meeting(session).attendance == {"district_hr": pip.person(Role.DISTRICT_HR).id}


def test_a_meeting_recorded_before_confirmations_counts_as_the_mentor_signed_it(app: Flask, session: Session,
                                                                               pip: PathwayDriver) -> None:
    session.add(LogEntry(enrollment_id=pip.enrollment.id, kind="review_meeting", occurred_on=TODAY - timedelta(days=5),
                         participants=["A", "B"], attendee_roles=LISTED, author_id=pip.candidate.id,
                         signer_id=pip.people[Role.MENTOR].id, signed_at=pip.enrollment.created_at))
    session.commit()
    assert pip.facts().counts[Count.REVIEWS_HELD] == 1
    assert "Confirm you were at" not in _inbox(app, pip, Role.DISTRICT_HR)
