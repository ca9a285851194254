"""PIP review meetings: date, participants and notes; at least three, each signed by the mentor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import LogEntry
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.roles import Role


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=60)
    driver.walker().assign(Role.MENTOR)
    session.commit()
    return driver


def page(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/meetings"


def post_meeting(client: FlaskClient, driver: PathwayDriver, **overrides: str | list[str]):  # type: ignore[no-untyped-def]
    data = {"occurred_on": (TODAY - timedelta(days=2)).isoformat(), "participants": "Dana Lee, principal\nSam HR",
            "notes": "Reviewed the tracker; CSET II booked.", "signer_id": str(driver.people[Role.MENTOR].id),
            # The whole support team the rule book names was there (a review counts only then).
            "attendee_roles": ["district_hr", "site_administrator", "mentor", "prep_program_support_provider"]}
    data.update(overrides)
    return client.post(page(driver), data={"csrf_token": csrf_token(client, page(driver)), **data})


def meetings(session: Session) -> list[LogEntry]:
    session.expire_all()
    return list(session.exec(select(LogEntry).where(LogEntry.kind == "review_meeting")).all())


def test_the_candidate_records_a_meeting_and_it_counts_once_signed(app: Flask, session: Session,
                                                                   pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    assert "0 of 3" in client.get(page(pip)).get_data(as_text=True)
    assert post_meeting(client, pip).status_code == 302
    [entry] = meetings(session)
    assert entry.participants == [pip.candidate.name, "Dana Lee, principal", "Sam HR"]  # the candidate is named
    assert entry.hours == 0 and entry.signed_at is None
    body = client.get(page(pip)).get_data(as_text=True)
    assert "0 of 3" in body and "1 awaiting a signature" in body and "Dana Lee, principal" in body

    mentor = signed_in(app, pip.people[Role.MENTOR].email)
    mentor_page = mentor.get(page(pip)).get_data(as_text=True)
    assert "Sign this meeting record" in mentor_page and "CSET II booked" in mentor_page
    signed = mentor.post(f"/enrollments/{pip.enrollment.id}/logs/{entry.id}/sign",
                         data={"csrf_token": csrf_token(mentor, page(pip)), "from": "meetings"})
    assert signed.status_code == 302 and signed.headers["Location"].endswith(page(pip))  # back where it was signed
    # Signed, and the mentor's presence confirmed by signing; the others listed confirm theirs.
    body = client.get(page(pip)).get_data(as_text=True)
    assert "0 of 3" in body and "Counts once confirmed by" in body and "Mentor (confirmed by" in body
    for role in (Role.DISTRICT_HR, Role.SITE_ADMINISTRATOR, Role.PREP_PROGRAM_SUPPORT_PROVIDER):
        person = signed_in(app, pip.people[role].email)
        assert "Yes, I was there" in person.get(page(pip)).get_data(as_text=True)
        answered = person.post(f"{page(pip)}/{entry.id}/attendance",
                               data={"csrf_token": csrf_token(person, page(pip)), "present": "yes"})
        assert answered.status_code == 302, role
    assert "1 of 3" in client.get(page(pip)).get_data(as_text=True)


@pytest.mark.parametrize(("overrides", "status", "message"), [
    ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, 400, "in the future"),
    ({"occurred_on": (TODAY - timedelta(days=90)).isoformat()}, 400, "before your enrolment began"),
    ({"occurred_on": "last week"}, 400, "Enter the meeting"),
    ({"participants": ""}, 400, "Name who took part besides you"),
    ({"participants": "  \n\n"}, 400, "Name who took part besides you"),
    ({"participants": "Candidate"}, 400, "Name who took part besides you"),  # only the candidate
    ({"participants": "\n".join(f"Person {i}" for i in range(25))}, 400, "at most 20"),
    ({"signer_id": "999999"}, 400, "Choose who will sign"),
])
def test_bad_meetings_are_refused_with_a_message_and_nothing_is_stored(app: Flask, session: Session, pip: PathwayDriver,
                                                                       overrides: dict, status: int, message: str) -> None:
    client = signed_in(app, pip.candidate.email)
    response = post_meeting(client, pip, **overrides)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert meetings(session) == []


def test_a_second_meeting_on_the_same_date_is_refused(app: Flask, session: Session, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    assert post_meeting(client, pip).status_code == 302
    response = post_meeting(client, pip, participants="Someone else")
    assert response.status_code == 409 and "already logged" in response.get_data(as_text=True)
    assert len(meetings(session)) == 1


def test_the_mentor_cannot_log_a_meeting_for_the_candidate(app: Flask, session: Session, pip: PathwayDriver) -> None:
    mentor = signed_in(app, pip.people[Role.MENTOR].email)
    assert "Record a review meeting" not in mentor.get(page(pip)).get_data(as_text=True)
    assert post_meeting(mentor, pip).status_code == 403
    assert meetings(session) == []


def test_meetings_belong_to_the_pip_pathway(app: Flask, session: Session) -> None:
    induction = PathwayDriver(app, session, "induction")
    assert signed_in(app, induction.candidate.email).get(page(induction)).status_code == 404


def test_another_candidate_gets_404_and_nothing_is_stored(app: Flask, session: Session, pip: PathwayDriver) -> None:
    other = PathwayDriver(app, session, "pip")
    client = signed_in(app, other.candidate.email)
    assert client.get(page(pip)).status_code == 404
    response = client.post(page(pip), data={"csrf_token": csrf_token(client, page(other)),
                                            "occurred_on": TODAY.isoformat(), "participants": "A\nB",
                                            "signer_id": str(pip.people[Role.MENTOR].id)})
    assert response.status_code == 404
    assert meetings(session) == []
