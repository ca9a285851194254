"""Sessions end on the server: an old cookie, replayed after sign-out, signs nobody in (issue 28)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, SignIn, User, utcnow
from app.services.team import accounts
from tests.app.team.test_auth import read_mail, reset_link_in
from tests.conftest import Auth, csrf_token, make_user


def _cookies(client: FlaskClient) -> dict[str, str]:
    return {name: cookie.value for name in ("session", "remember_token")
            if (cookie := client.get_cookie(name)) is not None}


def _replay(app: Flask, cookies: dict[str, str]) -> int:
    """Status of the home page for a new browser holding only these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost")
    return other.get("/").status_code


def _signed_in_remembered(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = app.test_client()
    assert Auth(client).sign_in("ana@example.org", remember=True).status_code == 302
    cookies = _cookies(client)
    assert set(cookies) == {"session", "remember_token"}
    assert _replay(app, cookies) == 200  # the copies work while the sign-in lasts
    assert _replay(app, {"remember_token": cookies["remember_token"]}) == 200
    return client, cookies


def test_after_sign_out_neither_the_old_session_cookie_nor_the_remember_cookie_signs_in(
        app: Flask, session: Session) -> None:
    make_user(session)
    client, cookies = _signed_in_remembered(app)
    assert Auth(client).sign_out().status_code == 302
    assert _replay(app, {"session": cookies["session"]}) == 302
    assert _replay(app, {"remember_token": cookies["remember_token"]}) == 302
    assert _replay(app, cookies) == 302
    assert "auth.signed_out" in session.exec(select(AuditEvent.action)).all()


def test_signing_out_on_one_device_leaves_the_others_signed_in(app: Flask, session: Session) -> None:
    make_user(session)
    phone, _ = _signed_in_remembered(app)
    laptop, laptop_cookies = _signed_in_remembered(app)
    Auth(phone).sign_out()
    assert laptop.get("/").status_code == 200
    assert _replay(app, laptop_cookies) == 200


def test_sign_out_of_every_device_ends_every_session_and_remember_cookie(app: Flask, session: Session) -> None:
    make_user(session)
    phone, phone_cookies = _signed_in_remembered(app)
    laptop, laptop_cookies = _signed_in_remembered(app)
    response = laptop.post("/auth/sign-out-everywhere", data={"csrf_token": csrf_token(laptop, "/auth/notifications")})
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    for cookies in (phone_cookies, laptop_cookies):
        assert _replay(app, cookies) == 302
        assert _replay(app, {"remember_token": cookies["remember_token"]}) == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.signed_out_everywhere")).one()
    assert event.details == {"sign_ins": 2}
    # Signing in again afterwards works as ever.
    assert Auth(phone).sign_in("ana@example.org").status_code == 302
    assert phone.get("/").status_code == 200


def test_sign_out_of_every_device_needs_the_form_token(app: Flask, session: Session) -> None:
    make_user(session)
    phone, phone_cookies = _signed_in_remembered(app)
    assert phone.post("/auth/sign-out-everywhere").status_code == 400
    assert _replay(app, phone_cookies) == 200


def test_a_password_reset_ends_every_earlier_session_and_remember_cookie(app: Flask, session: Session) -> None:
    make_user(session)
    _, cookies = _signed_in_remembered(app)
    client = app.test_client()
    client.post("/auth/reset", data={"email": "ana@example.org", "csrf_token": csrf_token(client, "/auth/reset")})
    link = reset_link_in(read_mail(app.config["MAIL_FOLDER"])[-1])
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase",
           "csrf_token": csrf_token(client, link)}
    assert client.post(link, data=new).status_code == 302
    assert _replay(app, cookies) == 302
    assert _replay(app, {"remember_token": cookies["remember_token"]}) == 302


def test_a_password_change_by_the_service_ends_sign_ins_too(app: Flask, session: Session) -> None:
    user = make_user(session)
    _, cookies = _signed_in_remembered(app)
    accounts.reset_password(session, session.get(User, user.id), "changed elsewhere 123")
    assert _replay(app, cookies) == 302


def test_a_remember_cookie_stops_at_the_remember_period_even_if_never_signed_out(
        app: Flask, session: Session) -> None:
    make_user(session)
    _, cookies = _signed_in_remembered(app)
    sign_in = session.exec(select(SignIn)).one()
    sign_in.started_at = sign_in.started_at.replace(year=sign_in.started_at.year - 1)
    session.commit()
    assert _replay(app, {"remember_token": cookies["remember_token"]}) == 302


def test_only_a_digest_of_the_key_is_kept(app: Flask, session: Session) -> None:
    make_user(session)
    _, cookies = _signed_in_remembered(app)
    sign_in = session.exec(select(SignIn)).one()
    assert len(sign_in.key_digest) == 64
    session.expire_all()
    assert sign_in.key_digest not in str(cookies)


def test_an_id_too_large_for_any_account_in_a_cookie_signs_nobody_in(app: Flask, session: Session) -> None:
    make_user(session)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = f"{2**63}:whatever"
    assert client.get("/").status_code == 302


def test_the_daily_sweep_forgets_sign_ins_long_over_and_keeps_the_live_ones(app: Flask, session: Session) -> None:
    from datetime import timedelta

    from app.services.notifications.reminders import daily_sweep

    make_user(session)
    _, ended_cookies = _signed_in_remembered(app)
    _, live_cookies = _signed_in_remembered(app)
    [ended, _live] = session.exec(select(SignIn).order_by(SignIn.id)).all()
    ended.ended_at = utcnow()  # ended now, on the app's clock (as sign-out records it)
    session.commit()
    with app.app_context():
        counts = daily_sweep(session, utcnow() + timedelta(days=2))
    assert counts.get("sign_ins.forgotten") == 1
    session.expire_all()
    assert len(session.exec(select(SignIn)).all()) == 1
    assert _replay(app, live_cookies) == 200 and _replay(app, ended_cookies) == 302
