"""Signing up as a candidate, the enrolment wizard, and the email-settings page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, NotificationPreference, Program, User
from app.services.enrollments import words
from app.services.notifications import emails as notifications
from tests.app import notify_factories as f
from tests.conftest import csrf_token, make_user, signed_in
from tests.today import TODAY

PASSWORD = "correct horse battery"


def users(session: Session) -> list[User]:
    session.expire_all()
    return list(session.exec(select(User)).all())


def enrolments(session: Session) -> list[Enrollment]:
    session.expire_all()
    return list(session.exec(select(Enrollment)).all())


def new_user_signed_in(app: Flask, session: Session, email: str = "ana@example.org") -> FlaskClient:
    make_user(session, email)
    return signed_in(app, email)


# --- Sign-up ------------------------------------------------------------------------------------


def sign_up_form(client: FlaskClient, **overrides: str) -> dict[str, str]:
    return {"name": "Paula Ibarra", "email": "paula@example.org", "password": PASSWORD, "confirm": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/sign-up"), **overrides}


def test_signing_up_creates_a_plain_account_signs_in_and_opens_the_wizard(client: FlaskClient,
                                                                          session: Session) -> None:
    response = client.post("/auth/sign-up", data=sign_up_form(client, email=" Paula@Example.org "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/enrol")
    [user] = users(session)
    assert user.email == "paula@example.org" and user.name == "Paula Ibarra"
    assert user.check_password(PASSWORD)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "account.created")).one().actor_id == user.id
    page = client.get("/enrol").get_data(as_text=True)
    assert "Which pathway are you on?" in page and "Your account is ready" in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "not-an-email"}, "Enter a whole email address"),
    ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
    ({"confirm": "something else entirely"}, "The two passwords differ."),
    ({"name": "  "}, "Enter your name."),
])
def test_bad_sign_up_answers_get_a_message_and_no_account(client: FlaskClient, session: Session,
                                                          overrides: dict[str, str], message: str) -> None:
    response = client.post("/auth/sign-up", data=sign_up_form(client, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert users(session) == []


def test_signing_up_with_a_registered_email_says_to_sign_in_and_changes_nothing(client: FlaskClient,
                                                                                session: Session) -> None:
    make_user(session, "paula@example.org", "Paula", "the original password")
    response = client.post("/auth/sign-up", data=sign_up_form(client))
    assert response.status_code == 400
    assert "An account already uses this email" in response.get_data(as_text=True)
    [user] = users(session)
    assert user.check_password("the original password")


def test_sign_up_without_its_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    data = sign_up_form(client)
    del data["csrf_token"]
    assert client.post("/auth/sign-up", data=data).status_code == 400
    assert users(session) == []


def test_the_sign_in_page_offers_sign_up_and_a_signed_in_person_skips_it(app: Flask, session: Session,
                                                                          client: FlaskClient) -> None:
    assert "/auth/sign-up" in client.get("/auth/sign-in").get_data(as_text=True)
    assert new_user_signed_in(app, session).get("/auth/sign-up").status_code == 302


# --- The enrolment wizard -----------------------------------------------------------------------


def wizard_form(client: FlaskClient, pathway: str, chosen_program: Program, **overrides: Any) -> dict[str, Any]:
    data = {"pathway": pathway, "program": str(chosen_program.id), "credential_sought": "Clear credential",
            "authorization": "Mathematics", "employer": "Sequoia Valley USD",
            "enrolled_on": TODAY.isoformat(), "csrf_token": csrf_token(client, f"/enrol?pathway={pathway}")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_wizard_needs_sign_in(client: FlaskClient) -> None:
    assert "/auth/sign-in" in client.get("/enrol").headers["Location"]


def test_step_two_lists_only_the_chosen_pathways_programs_and_dates(app: Flask, session: Session) -> None:
    pip, casc = f.program(session, "pip"), f.program(session, "casc")
    session.commit()
    client = new_user_signed_in(app, session)
    page = client.get("/enrol?pathway=casc").get_data(as_text=True)
    assert casc.name in page and pip.name not in page
    assert "First administrative position started on" in page and "PIP permit" not in page
    page = client.get("/enrol?pathway=pip").get_data(as_text=True)
    assert pip.name in page and casc.name not in page and "PIP permit expires on" in page


def test_an_unknown_pathway_goes_back_to_step_one(app: Flask, session: Session) -> None:
    response = new_user_signed_in(app, session).get("/enrol?pathway=astronaut")
    assert response.status_code == 400 and "Choose one of the three pathways." in response.get_data(as_text=True)


@pytest.mark.parametrize(("pathway", "dates", "initial_state"), [
    ("pip", {"permit_issued_on": date(2025, 8, 1), "permit_expires_on": date(2026, 7, 1)}, "vacancy_search"),
    ("induction", {"preliminary_issued_on": date(2025, 6, 1), "preliminary_expires_on": date(2030, 6, 1)},
     "eligible"),
    ("casc", {"admin_position_started_on": date(2025, 7, 1), "pasc_issued_on": date(2025, 5, 1),
              "pasc_expires_on": date(2030, 5, 1)}, "pasc_or_coe_held"),
])
def test_each_pathway_starts_an_enrolment_with_its_goal_and_dates(app: Flask, session: Session, pathway: str,
                                                                  dates: dict[str, date], initial_state: str) -> None:
    program = f.program(session, pathway)
    session.commit()
    client = new_user_signed_in(app, session)
    data = wizard_form(client, pathway, program, enrolled_on="2025-08-15",
                       **{k: v.isoformat() for k, v in dates.items()})
    response = client.post("/enrol", data=data)
    assert response.status_code == 302
    [enrollment] = enrolments(session)
    assert response.headers["Location"].endswith(f"/enrollments/{enrollment.id}")
    assert (enrollment.pathway, enrollment.state, enrollment.program_id) == (pathway, initial_state, program.id)
    assert enrollment.enrolled_on == date(2025, 8, 15)
    assert (enrollment.credential_sought, enrollment.authorization, enrollment.employer) == (
        "Clear credential", "Mathematics", "Sequoia Valley USD")
    assert {k: getattr(enrollment, k) for k in dates} == dates
    assert enrollment.candidate_id == users(session)[0].id
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.enrollment_id == enrollment.id))]
    assert actions == ["enrollment.created", "enrollment.facts_recorded"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/enrollments/{enrollment.id}/team"' in page and "invite your support team" in page


def test_dates_of_another_pathway_are_not_stored(app: Flask, session: Session) -> None:
    program = f.program(session, "casc")
    session.commit()
    client = new_user_signed_in(app, session)
    client.post("/enrol", data=wizard_form(client, "casc", program, permit_issued_on="2025-01-01"))
    [enrollment] = enrolments(session)
    assert enrollment.permit_issued_on is None


def test_dates_out_of_order_are_refused_and_nothing_is_stored(app: Flask, session: Session) -> None:
    program = f.program(session, "pip")
    session.commit()
    client = new_user_signed_in(app, session)
    response = client.post("/enrol", data=wizard_form(client, "pip", program, permit_issued_on="2025-09-01",
                                                      permit_expires_on="2025-08-01"))
    assert response.status_code == 400
    assert "must come after" in response.get_data(as_text=True)
    assert enrolments(session) == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action.like("enrollment.%"))).all() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"enrolled_on": (TODAY + timedelta(days=800)).isoformat()}, "cannot be right"),
    ({"permit_expires_on": "1901-01-01"}, "cannot be right"),
    ({"enrolled_on": "31/12/2025"}, "Enter the date as a calendar date."),
    ({"permit_issued_on": "2025-13-45"}, "Not a valid date value."),
    ({"credential_sought": " "}, "Say which credential you are working toward."),
    ({"program": "999999"}, "Choose one of the listed programs."),
    ({"program": "abc"}, "Choose your program."),
])
def test_bad_wizard_answers_are_refused_with_a_message(app: Flask, session: Session, overrides: dict[str, str],
                                                        message: str) -> None:
    program = f.program(session, "pip")
    session.commit()
    client = new_user_signed_in(app, session)
    response = client.post("/enrol", data=wizard_form(client, "pip", program, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert enrolments(session) == []


def test_a_program_of_another_pathway_is_refused(app: Flask, session: Session) -> None:
    induction = f.program(session, "induction")
    f.program(session, "pip")
    session.commit()
    client = new_user_signed_in(app, session)
    response = client.post("/enrol", data=wizard_form(client, "pip", induction))
    assert response.status_code == 400
    assert enrolments(session) == []


def test_the_wizard_without_its_csrf_token_stores_nothing(app: Flask, session: Session) -> None:
    program = f.program(session, "pip")
    session.commit()
    client = new_user_signed_in(app, session)
    data = wizard_form(client, "pip", program)
    del data["csrf_token"]
    assert client.post("/enrol", data=data).status_code == 400
    assert enrolments(session) == []


def test_a_second_open_enrolment_in_the_same_program_is_refused(app: Flask, session: Session) -> None:
    program = f.program(session, "induction")
    session.commit()
    client = new_user_signed_in(app, session)
    assert client.post("/enrol", data=wizard_form(client, "induction", program)).status_code == 302
    response = client.post("/enrol", data=wizard_form(client, "induction", program))
    assert response.status_code == 409
    assert "already enrolled" in response.get_data(as_text=True)
    assert len(enrolments(session)) == 1


def test_a_pathway_without_programs_says_so_instead_of_showing_a_form(app: Flask, session: Session) -> None:
    page = new_user_signed_in(app, session).get("/enrol?pathway=casc").get_data(as_text=True)
    assert "No program is taking enrolments on this pathway" in page and 'name="program"' not in page
    assert "ask your program coordinator" in page and "set theirs up" not in page


def test_home_offers_to_start_an_enrolment_and_links_each_to_its_team(app: Flask, session: Session) -> None:
    client = new_user_signed_in(app, session)
    assert 'href="/enrol"' in client.get("/").get_data(as_text=True)
    program = f.program(session, "pip")
    session.commit()
    client.post("/enrol", data=wizard_form(client, "pip", program))
    [enrollment] = enrolments(session)
    assert f'href="/enrollments/{enrollment.id}/team"' in client.get("/").get_data(as_text=True)


# --- Email settings -----------------------------------------------------------------------------


def chosen(client: FlaskClient) -> str:
    """The delivery option the settings page shows as chosen."""
    page = client.get("/auth/notifications").get_data(as_text=True)
    [value] = [m.group(1) for m in re.finditer(r'<input[^>]*value="(\w+)"[^>]*>', page) if "checked" in m.group(0)]
    return value


def test_the_daily_digest_choice_is_saved_shown_and_can_be_undone(app: Flask, session: Session) -> None:
    client = new_user_signed_in(app, session)
    user = users(session)[0]
    assert chosen(client) == "routine"  # the default: routine items (logs to sign) in the digest
    assert notifications.delivery(session, user.id) == "routine"  # type: ignore[arg-type]
    token = csrf_token(client, "/auth/notifications")
    response = client.post("/auth/notifications", data={"delivery": "daily", "csrf_token": token})
    assert response.status_code == 302
    assert notifications.prefers_digest(session, user.id)  # type: ignore[arg-type]
    assert chosen(client) == "daily"
    client.post("/auth/notifications", data={"delivery": "each", "csrf_token": token})
    session.expire_all()
    assert session.get(NotificationPreference, user.id).daily_digest is False  # type: ignore[union-attr]
    assert chosen(client) == "each"
    client.post("/auth/notifications", data={"delivery": "routine", "csrf_token": token})
    session.expire_all()
    assert session.get(NotificationPreference, user.id) is None and chosen(client) == "routine"
    assert [e.details for e in session.exec(select(AuditEvent).where(
        AuditEvent.action == "notifications.preference_set")).all()] == [{"delivery": "daily"},
                                                                         {"delivery": "each"},
                                                                         {"delivery": "routine"}]


def test_a_bad_or_forged_settings_post_changes_nothing(app: Flask, session: Session) -> None:
    client = new_user_signed_in(app, session)
    user = users(session)[0]
    token = csrf_token(client, "/auth/notifications")
    assert client.post("/auth/notifications", data={"delivery": "hourly", "csrf_token": token}).status_code == 400
    assert client.post("/auth/notifications", data={"delivery": "daily"}).status_code == 400
    assert not notifications.prefers_digest(session, user.id)  # type: ignore[arg-type]


def test_the_wizard_warns_when_the_dates_entered_are_already_past_a_closing_deadline(app: Flask, session: Session) -> None:
    """A CASC position started 13 months ago: the wizard enrols, and says in words that the window
    closed, when, under which rule, and what can still be done."""
    program = f.program(session, "casc")
    session.commit()
    client = new_user_signed_in(app, session)
    started = TODAY - timedelta(days=400)
    response = client.post("/enrol", data=wizard_form(client, "casc", program, enrolled_on=TODAY.isoformat(),
                                                      admin_position_started_on=started.isoformat()))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The window to be admitted to the CASC program after starting the administrative position closed" in page
    with app.app_context():
        assert f"The date was {words.day_in_words(started + timedelta(days=365))}" in page
    assert "program director records an exception" in page and "flash-warning" in page


def test_the_wizard_says_nothing_of_a_window_still_open(app: Flask, session: Session) -> None:
    program = f.program(session, "casc")
    session.commit()
    client = new_user_signed_in(app, session)
    response = client.post("/enrol", data=wizard_form(client, "casc", program, enrolled_on=TODAY.isoformat(),
                                                      admin_position_started_on=(TODAY - timedelta(days=30)).isoformat()))
    assert "flash-warning" not in client.get(response.headers["Location"]).get_data(as_text=True)
