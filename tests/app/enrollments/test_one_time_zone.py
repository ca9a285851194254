"""One time zone: every date on pages and in emails is on the organisation's calendar, the one its
deadlines count in ("enrolled 6 December" never beside "since 7 December" for the same evening)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from sqlmodel import Session, select

from app.jobs.notifications import send_invitation
from app.models import FactRecord, Organisation
from app.services.enrollments import words
from app.services.team import invitations
from tests.app.director_fixtures import post
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import signed_in
from workflows.roles import Role

EVENING_IN_CALIFORNIA = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)  # 20 December, 19:00 in Los Angeles


def test_a_stored_moment_is_said_on_the_organisations_calendar(app: Flask) -> None:
    """An invitation that lapses at 19:00 on 20 December in California works "until 20 December",
    in the email and on the page alike, not "21 December" (its day in UTC)."""
    with app.app_context():
        words.use_zone("America/Los_Angeles")
        assert words.day_in_words(EVENING_IN_CALIFORNIA) == "20 December 2026"
        assert words.short_day(EVENING_IN_CALIFORNIA) == "20 Dec"
        assert words.local_time(EVENING_IN_CALIFORNIA) == "19:00"
        assert words.day_in_words(EVENING_IN_CALIFORNIA.replace(tzinfo=None)) == "20 December 2026"  # naive is UTC
    with app.app_context():
        words.use_zone("Pacific/Auckland")
        assert words.day_in_words(EVENING_IN_CALIFORNIA) == "21 December 2026"


def test_the_facts_page_says_when_a_fact_was_entered_on_the_organisations_calendar(app: Flask, session: Session) -> None:
    """An organisation in Auckland: a fact entered at 10:00 in California was entered the next day there."""
    driver = PathwayDriver(app, session, "pip")
    organisation = session.get(Organisation, driver.program.organisation_id)
    assert organisation is not None
    organisation.timezone = "Pacific/Auckland"
    session.add(organisation)
    session.commit()
    client = signed_in(app, driver.person(Role.CREDENTIAL_ANALYST).email)
    page = f"/enrollments/{driver.enrollment.id}/facts"
    assert post(client, page, f"{page}/prior_emergency_permits", {"value": "0"}).status_code == 302
    row = session.exec(select(FactRecord).where(FactRecord.enrollment_id == driver.enrollment.id)).one()
    there = row.recorded_at.astimezone(ZoneInfo("Pacific/Auckland")).date()
    utc = row.recorded_at.astimezone(UTC).date()
    text = client.get(page).get_data(as_text=True)
    with app.app_context():
        assert f"on {words.day_in_words(there)}" in text
        if there != utc:
            assert f"on {words.day_in_words(utc)}" not in text


def test_an_invitations_last_day_is_the_same_in_its_email_and_on_its_page(app: Flask, session: Session) -> None:
    """The invitee opens the link without signing in: the page says the last day on the organisation's
    calendar, the day the email gave, whatever zone the service runs in."""
    driver = PathwayDriver(app, session, "induction")
    organisation = session.get(Organisation, driver.program.organisation_id)
    assert organisation is not None
    organisation.timezone = "Pacific/Kiritimati"  # UTC+14: most of a UTC day is the next day there
    session.add(organisation)
    session.commit()
    with app.test_request_context():
        invitation = invitations.invite(session, driver.refresh(), driver.candidate, "mo.mentor@example.org", "mentor")
        session.commit()
        email = send_invitation(session, invitation.id)
        token = invitations.token_for(invitation)
    last_day = invitation.expires_at.astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    with app.app_context():
        said = words.day_in_words(last_day)
    assert email is not None and email.context["expires_on"] == last_day
    page = app.test_client().get(f"/invitations/{token}").get_data(as_text=True)
    assert f"until {said}" in page
