"""Signing in and out, remember-me, password reset links, and CSRF."""

from __future__ import annotations

import email
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, User
from app.services.team import accounts
from tests.conftest import Auth, csrf_token, make_user


def read_mail(folder: str) -> list[email.message.Message]:
    """Every message the folder backend wrote, oldest first."""
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(Path(folder).glob("*.eml"),
                                                                       key=lambda p: p.stat().st_mtime)]


def reset_link_in(message: email.message.Message) -> str:
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    match = re.search(r"http://localhost(/auth/reset/\S+)", text.get_payload(decode=True).decode())
    assert match, "no reset link in the email"
    return match.group(1)


def test_pages_need_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_sign_in_with_the_right_password_opens_the_home_page(client: FlaskClient, auth: Auth, session: Session) -> None:
    make_user(session)
    response = auth.sign_in("ANA@example.org ")  # case and spaces do not matter
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Welcome, Ana Ruiz" in page.get_data(as_text=True)
    actions = session.exec(select(AuditEvent.action)).all()
    assert "auth.signed_in" in actions


def test_wrong_password_and_unknown_email_get_the_same_answer(auth: Auth, session: Session) -> None:
    make_user(session)
    wrong_password = auth.sign_in("ana@example.org", "not the password")
    unknown_user = auth.sign_in("nobody@example.org", "not the password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)
    assert auth.client.get("/").status_code == 302  # still signed out


def test_sign_out_ends_the_session(client: FlaskClient, auth: Auth, session: Session) -> None:
    make_user(session)
    auth.sign_in("ana@example.org")
    assert auth.sign_out().status_code == 302
    assert client.get("/").status_code == 302


def test_sign_out_by_get_is_not_allowed(client: FlaskClient, auth: Auth, session: Session) -> None:
    make_user(session)
    auth.sign_in("ana@example.org")
    assert client.get("/auth/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_remember_me_sets_a_long_lived_cookie_that_signs_back_in(app: Flask, session: Session) -> None:
    make_user(session)
    first = app.test_client()
    Auth(first).sign_in("ana@example.org", remember=True)
    remember = first.get_cookie("remember_token")
    assert remember is not None and remember.expires is not None
    # A new browser session that kept only the remember cookie is signed in.
    second = app.test_client()
    second.set_cookie("remember_token", remember.value, domain="localhost")
    assert second.get("/").status_code == 200


def test_without_remember_me_there_is_no_remember_cookie(client: FlaskClient, auth: Auth, session: Session) -> None:
    make_user(session)
    auth.sign_in("ana@example.org")
    assert client.get_cookie("remember_token") is None


def test_a_missing_csrf_token_is_refused_and_signs_nobody_in(client: FlaskClient, session: Session) -> None:
    make_user(session)
    response = client.post("/auth/sign-in", data={"email": "ana@example.org", "password": "correct horse battery"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_forged_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    make_user(session)
    client.get("/auth/sign-in")
    response = client.post("/auth/sign-in", data={"email": "ana@example.org", "password": "correct horse battery",
                                                  "csrf_token": "forged"})
    assert response.status_code == 400


def test_password_reset_link_works_once(app: Flask, client: FlaskClient, auth: Auth, session: Session) -> None:
    make_user(session)
    token = csrf_token(client, "/auth/reset")
    response = client.post("/auth/reset", data={"email": "ana@example.org", "csrf_token": token})
    assert response.status_code == 302
    [message] = read_mail(app.config["MAIL_FOLDER"])
    assert message["To"] == "ana@example.org"
    assert message.is_multipart()
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}
    link = reset_link_in(message)

    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase",
           "csrf_token": csrf_token(client, link)}
    assert client.post(link, data=new).status_code == 302
    assert auth.sign_in("ana@example.org", "a brand new passphrase").status_code == 302
    auth.sign_out()

    # A fresh form token: signing in started a new session, so the one from before no longer works.
    again = client.post(link, data={**new, "password": "yet another passphrase", "confirm": "yet another passphrase",
                                    "csrf_token": csrf_token(client, "/auth/reset")})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert auth.sign_in("ana@example.org", "yet another passphrase").status_code == 401


def test_an_expired_reset_link_is_refused(app: Flask, client: FlaskClient, session: Session) -> None:
    from freezegun import freeze_time

    user = make_user(session)
    with app.test_request_context():
        from app.auth.tokens import make_reset_token

        with freeze_time("2026-01-01 08:00:00"):
            token = make_reset_token(user)
    with freeze_time("2026-01-01 09:00:01"):
        response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_tampered_reset_link_is_refused(client: FlaskClient) -> None:
    response = client.get("/auth/reset/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_reset_request_does_not_reveal_whether_an_account_exists(app: Flask, client: FlaskClient, session: Session) -> None:
    make_user(session)
    answers = []
    for address in ("ana@example.org", "nobody@example.org"):
        response = client.post("/auth/reset", data={"email": address, "csrf_token": csrf_token(client, "/auth/reset")},
                               follow_redirects=True)
        answers.append((response.status_code, response.get_data(as_text=True).count("If an account uses that email")))
    assert answers[0] == answers[1] == (200, 1)
    assert len(read_mail(app.config["MAIL_FOLDER"])) == 1


def test_a_short_new_password_is_refused_and_the_old_one_still_works(app: Flask, client: FlaskClient,
                                                                      auth: Auth, session: Session) -> None:
    user = make_user(session)
    with app.test_request_context():
        from app.auth.tokens import make_reset_token

        link = f"/auth/reset/{make_reset_token(user)}"
    response = client.post(link, data={"password": "short", "confirm": "short", "csrf_token": csrf_token(client, link)})
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert auth.sign_in("ana@example.org").status_code == 302


def test_changing_the_password_signs_out_other_devices(app: Flask, session: Session) -> None:
    user = make_user(session)
    laptop = app.test_client()
    Auth(laptop).sign_in("ana@example.org")
    assert laptop.get("/").status_code == 200
    accounts.reset_password(session, session.get(User, user.id), "changed elsewhere 123")
    assert laptop.get("/").status_code == 302


def test_an_open_redirect_through_next_is_not_followed(client: FlaskClient, session: Session) -> None:
    make_user(session)
    data = {"email": "ana@example.org", "password": "correct horse battery",
            "csrf_token": csrf_token(client, "/auth/sign-in")}
    response = client.post("/auth/sign-in?next=//evil.example/phish", data=data)
    assert response.headers["Location"] == "/"


def test_a_forged_host_header_does_not_reach_the_reset_link(app: Flask, client: FlaskClient, session: Session) -> None:
    make_user(session)
    forged = {"Host": "evil.example"}
    page = client.get("/auth/reset", headers=forged).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/reset", data={"email": "ana@example.org", "csrf_token": token}, headers=forged)
    assert response.status_code == 302
    [message] = read_mail(app.config["MAIL_FOLDER"])
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "evil.example" not in body
    assert "http://localhost/auth/reset/" in body
