"""The private calendar feed: a secret link per person and enrolment, RFC 5545 to the letter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, CalendarFeed, LogEntry, Membership, utcnow
from app.services.evidence import plans
from app.services.notifications import calendar_feed
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.deadlines import deadlines
from workflows.roles import Role

_FEED = re.compile(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=40)
    driver.walker().assign(Role.MENTOR)
    for event, role in [("start_screening", Role.DISTRICT_HR), ("confirm_eligibility", Role.CREDENTIAL_ANALYST),
                        ("request_permit", Role.CREDENTIAL_ANALYST), ("permit_issued", Role.CREDENTIAL_ANALYST)]:
        driver.advance(event, role)
    enrollment = driver.refresh()
    session.add(LogEntry(enrollment_id=enrollment.id, kind="review_meeting", occurred_on=TODAY - timedelta(days=3),
                         participants=["Candidate", "Dana Lee; principal, Site 4"], notes="Secret meeting notes",
                         author_id=driver.candidate.id, signer_id=driver.people[Role.MENTOR].id))
    plans.save(session, enrollment, "pip_action", driver.candidate, items=[
        {"action": "Book the CSET II exam, then the pre-service intake interview with the intern program office",
         "owner": "Candidate", "due": (TODAY + timedelta(days=20)).isoformat()},
        {"action": "Already done", "owner": "Candidate", "due": (TODAY + timedelta(days=5)).isoformat(), "done": "y"}],
        summary={}, expected_revision=0)
    session.commit()
    return driver


def export_page(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/export"


def make_feed(client: FlaskClient, driver: PathwayDriver) -> tuple[str, str]:
    response = client.post(f"/enrollments/{driver.enrollment.id}/calendar-feed",
                           data={"csrf_token": csrf_token(client, export_page(driver))})
    assert response.status_code == 302  # post/redirect/get: a reload does not replace the link again
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    url, token = _FEED.search(response.get_data(as_text=True)).groups()
    return url, token


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_feed_is_rfc_5545_and_holds_the_deadlines_and_meetings(app: Flask, session: Session,
                                                                   pip: PathwayDriver) -> None:
    _, token = make_feed(signed_in(app, pip.candidate.email), pip)
    response = app.test_client().get(f"/calendar/{token}.ics")  # no session: calendar apps cannot sign in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.data
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert any(line.startswith(b" ") for line in physical)  # the long action was folded
    lines = unfold(raw.decode())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events = re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT", "\r\n".join(lines), re.DOTALL)
    assert events and all("DTSTAMP:" in e and "UID:" in e for e in events)
    assert all(re.search(r"DTSTAMP:\d{8}T\d{6}Z", e) for e in events)
    uids = [re.search(r"UID:(\S+)", e).group(1) for e in events]
    assert len(uids) == len(set(uids))
    expiry = next(e for e in events if "pip_expiry" in e)
    due = next(d.due for d in deadlines(pip.facts()) if d.key == "pip_expiry")
    assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in expiry and f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}" in expiry
    assert "PIP expires" in expiry
    meeting = next(e for e in events if "review meeting" in e)
    assert f"DTSTART;VALUE=DATE:{TODAY - timedelta(days=3):%Y%m%d}" in meeting
    assert "Dana Lee\\; principal\\, Site 4" in meeting  # commas and semicolons escaped
    assert "Secret meeting notes" not in raw.decode()  # a link can travel: no notes in it
    assert any("Book the CSET II exam" in e for e in events) and not any("Already done" in e for e in events)


def test_uids_stay_the_same_from_one_fetch_to_the_next(app: Flask, pip: PathwayDriver) -> None:
    _, token = make_feed(signed_in(app, pip.candidate.email), pip)
    feed = app.test_client()

    def uids() -> list[str]:
        return re.findall(r"UID:(\S+)", feed.get(f"/calendar/{token}.ics").get_data(as_text=True))
    assert uids() == uids()


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = calendar_feed.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert calendar_feed.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_only_the_hash_is_stored_and_a_new_link_replaces_the_old(app: Flask, session: Session,
                                                                 pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    _, first = make_feed(client, pip)
    feed = session.exec(select(CalendarFeed)).one()
    assert first not in feed.token_hash and len(feed.token_hash) == 64
    _, second = make_feed(client, pip)
    page = client.get(export_page(pip)).get_data(as_text=True)
    assert "You have a calendar link" in page and second not in page  # shown once, never again
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 200
    actions = [a.action for a in session.exec(select(AuditEvent).where(AuditEvent.action.like("calendar_feed.%")).order_by(AuditEvent.id)).all()]  # type: ignore[attr-defined]
    assert actions == ["calendar_feed.created", "calendar_feed.rotated"]


def test_a_revoked_link_gets_404(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    _, token = make_feed(client, pip)
    assert client.post(f"/enrollments/{pip.enrollment.id}/calendar-feed/revoke",
                       data={"csrf_token": csrf_token(client, export_page(pip))}).status_code == 302
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404
    assert "Make a calendar link" in client.get(export_page(pip)).get_data(as_text=True)


def test_a_mentor_taken_off_the_team_loses_the_feed(app: Flask, session: Session, pip: PathwayDriver) -> None:
    _, token = make_feed(signed_in(app, pip.people[Role.MENTOR].email), pip)
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 200
    membership = session.exec(select(Membership).where(Membership.user_id == pip.people[Role.MENTOR].id,
                                                       Membership.enrollment_id == pip.enrollment.id)).one()
    membership.revoked_at = utcnow()
    session.add(membership)
    session.commit()
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 200, "../../etc"])
def test_unknown_tokens_get_404(app: Flask, token: str) -> None:
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


def test_another_candidate_cannot_make_or_stop_a_feed_on_the_enrolment(app: Flask, session: Session,
                                                                        pip: PathwayDriver) -> None:
    other = PathwayDriver(app, session, "pip")
    client = signed_in(app, other.candidate.email)
    token = csrf_token(client, export_page(other))
    for path in ("/calendar-feed", "/calendar-feed/revoke"):
        response = client.post(f"/enrollments/{pip.enrollment.id}{path}", data={"csrf_token": token})
        assert response.status_code == 404
        assert b"/calendar/" not in response.data
    assert client.get(export_page(pip)).status_code == 404
    assert session.exec(select(CalendarFeed)).all() == []


def test_a_deadline_dealt_with_is_not_listed_as_due(app: Flask, session: Session) -> None:
    """No mentor 40 days in, until the director carried the enrolment on past it with a reason:
    the feed no longer lists "Due: Mentor assigned"; once a mentor joins, it is done."""
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=40)
    enrollment = driver.refresh()

    def summary() -> str:
        with app.test_request_context():
            ics = calendar_feed.render(session, driver.refresh(), driver.candidate)
        return next(line for line in unfold(ics) if line.startswith("SUMMARY:") and "Mentor assigned" in line)

    assert summary() == "SUMMARY:Due: Mentor assigned"
    enrollment.flags = ["mentor_late_accepted"]
    session.add(enrollment)
    session.commit()
    assert summary() == "SUMMARY:No longer due: Mentor assigned"
    driver.walker().assign(Role.MENTOR)
    session.commit()
    assert summary() == "SUMMARY:Done: Mentor assigned"
