"""Signing in with the district's account, against a real OpenID Connect provider (tests/identity_provider).

The provider is the certified Node.js `oidc-provider`, started once for this module: it shows its own
sign-in screen, issues codes and signs ID tokens with its key. Where a test needs a bad token, it takes
a real one on its way back (the one seam, `sign_on.fetch_tokens`) and spoils it as an attacker would:
a changed byte, a token meant for another client, one from another issuer signed with the same key,
one from an earlier sign-in, or a real one presented after it expired on the app's clock.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import clock
from app.models import AuditEvent, Membership, Organisation, User
from app.models.sign_on import SignOnAttempt, SignOnLink, SignOnProvider
from app.services.team import sign_on, sign_on_providers, staff_activity
from tests import identity_provider
from tests.conftest import Auth, csrf_token, make_user

RETURN = "http://localhost/auth/sign-in/district/return"
CLIENT = identity_provider.Client("riverside-tracker", "riverside-client-secret-2026", [RETURN])
# Registered at the same provider for another service: its tokens are not meant for this one.
OTHER_CLIENT = identity_provider.Client("another-service", "another-client-secret-2026", [RETURN])
ACCOUNTS = {
    "ana.ruiz@riverside.k12.ca.us": {"sub": "0001-ana", "email_verified": True, "name": "Ana Ruiz"},
    "new.teacher@riverside.k12.ca.us": {"sub": "0002-new", "email_verified": True, "name": "Nia Teacher"},
    "unconfirmed@riverside.k12.ca.us": {"sub": "0003-unconfirmed", "email_verified": False, "name": "Una"},
    "visitor@elsewhere.org": {"sub": "0004-visitor", "email_verified": True, "name": "Vic Visitor"},
    # Disabled by the district in the test that says so: nobody else signs in as them.
    "leaver@riverside.k12.ca.us": {"sub": "0005-leaver", "email_verified": True, "name": "Lee Leaver"},
}


@dataclass
class Providers:
    """The district's provider, and an impostor at another address holding the same signing key."""

    issuer: str
    impostor: str


@pytest.fixture(scope="module")
def providers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Providers]:
    """Two real providers for the module (skipped without Node.js, failed under CI=true)."""
    key = identity_provider.signing_key()
    folder = tmp_path_factory.mktemp("identity-provider")
    with identity_provider.running([CLIENT, OTHER_CLIENT], ACCOUNTS, key, folder) as issuer, \
            identity_provider.running([CLIENT], ACCOUNTS, key, folder) as impostor:
        yield Providers(issuer, impostor)


@pytest.fixture
def district(app: Flask, session: Session, providers: Providers) -> Organisation:
    """Riverside Unified, whose people sign in with riverside.k12.ca.us accounts."""
    organisation = Organisation(name="Riverside Unified", kind="district")
    session.add(organisation)
    session.commit()
    administrator = make_user(session, "admin@service.example", "Sam Admin")
    with app.app_context():
        sign_on_providers.save_settings(session, organisation, administrator, issuer=providers.issuer,
                                        client_id=CLIENT.client_id, secret=CLIENT.client_secret,
                                        email_domains="riverside.k12.ca.us", required_for_staff=False,
                                        inactive_after_days=None)
    return organisation


def _follow_provider(url: str, email: str) -> str:
    """Go through the provider's own sign-in screen as `email`; the address it sends the browser back to."""
    browser = requests.Session()
    answer = browser.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    action = re.search(r'action="([^"]+)"', answer.text)
    assert action, answer.text
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    answer = browser.post(base + action.group(1), data={"email": email}, allow_redirects=False, timeout=10)
    location = answer.headers["Location"]
    while not location.startswith(RETURN):
        answer = browser.get(location if location.startswith("http") else base + location, allow_redirects=False,
                             timeout=10)
        assert answer.status_code in (302, 303), answer.text
        location = answer.headers["Location"]
    return location


def _to_provider(client: FlaskClient, organisation: Organisation, **query: str) -> str:
    started = client.get(f"/auth/sign-in/district/{organisation.id}", query_string=query)
    assert started.status_code == 302, started.get_data(as_text=True)
    return started.headers["Location"]


def _come_back(client: FlaskClient, location: str) -> Any:
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_district(client: FlaskClient, organisation: Organisation, email: str) -> Any:
    """The whole trip: start here, sign in at the provider, come back; the app's answer to the return."""
    return _come_back(client, _follow_provider(_to_provider(client, organisation), email))


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


def _refusals(session: Session) -> list[str | None]:
    session.expire_all()
    return [e.reason for e in session.exec(select(AuditEvent).where(AuditEvent.action == "sign_on.refused"))]


def _signed_in_as(client: FlaskClient) -> bool:
    return client.get("/auth/notifications").status_code == 200


# --- First sign-in and linking ----------------------------------------------------------------------------

def test_first_sign_in_links_the_existing_account_with_that_verified_email(
        client: FlaskClient, session: Session, district: Organisation) -> None:
    ana = make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    answer = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert _signed_in_as(client)
    link = session.exec(select(SignOnLink)).one()
    assert (link.user_id, link.subject) == (ana.id, "0001-ana")
    assert _actions(session)[-2:] == ["sign_on.linked", "sign_on.signed_in"]

    # Next time the provider's subject finds her; no second link.
    Auth(client).sign_out()
    again = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert again.status_code == 302 and _signed_in_as(client)
    session.expire_all()
    assert len(session.exec(select(SignOnLink)).all()) == 1
    assert _actions(session)[-1] == "sign_on.signed_in"


def test_someone_new_signs_up_through_the_provider_and_goes_on_to_enrol(
        client: FlaskClient, session: Session, district: Organisation) -> None:
    answer = sign_in_with_district(client, district, "new.teacher@riverside.k12.ca.us")
    assert answer.status_code == 302 and answer.headers["Location"] == "/enrol"
    user = session.exec(select(User).where(User.email == "new.teacher@riverside.k12.ca.us")).one()
    assert user.name == "Nia Teacher" and user.password_hash == ""
    assert not user.check_password("")  # no password of its own: the district's sign-in is the way in
    assert "account.created" in _actions(session)


def test_an_invitation_link_carries_through_the_provider(
        client: FlaskClient, session: Session, district: Organisation) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    location = _follow_provider(_to_provider(client, district, next="/auth/notifications"),
                                "ana.ruiz@riverside.k12.ca.us")
    answer = _come_back(client, location)
    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/notifications"


@pytest.mark.parametrize(("email", "reason"), [("unconfirmed@riverside.k12.ca.us", "email_not_verified"),
                                               ("visitor@elsewhere.org", "email_domain_not_allowed")])
def test_an_email_the_provider_does_not_vouch_for_is_not_linked(
        client: FlaskClient, session: Session, district: Organisation, email: str, reason: str) -> None:
    if email.endswith("elsewhere.org"):
        make_user(session, email, "Vic Visitor")  # an account here that the district must not be able to take
    answer = sign_in_with_district(client, district, email)
    assert answer.status_code == 401
    assert not _signed_in_as(client)
    assert session.exec(select(SignOnLink)).all() == []
    assert _refusals(session) == [reason]


def test_a_closed_account_is_refused(client: FlaskClient, session: Session, district: Organisation) -> None:
    ana = make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    ana.active = False
    session.add(ana)
    session.commit()
    answer = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert answer.status_code == 401 and "This account is closed" in answer.get_data(as_text=True)
    assert not _signed_in_as(client) and _refusals(session) == ["account_inactive"]


# --- Tokens that must be refused ---------------------------------------------------------------------------

def _on_the_way_back(monkeypatch: pytest.MonkeyPatch,
                     spoil: Callable[[dict[str, Any], SignOnAttempt], dict[str, Any]]) -> None:
    """Spoil the token response between the provider and the app."""
    real = sign_on.fetch_tokens

    def fetch(provider: SignOnProvider, metadata: dict[str, Any], redirect_uri: str, attempt: SignOnAttempt,
              authorization_response: str) -> dict[str, Any]:
        return spoil(real(provider, metadata, redirect_uri, attempt, authorization_response), attempt)

    monkeypatch.setattr(sign_on, "fetch_tokens", fetch)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_an_id_token_changed_on_the_way_is_refused(
        client: FlaskClient, session: Session, district: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    make_user(session, "principal@riverside.k12.ca.us", "The Principal")

    def become_the_principal(token: dict[str, Any], _attempt: SignOnAttempt) -> dict[str, Any]:
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "principal@riverside.k12.ca.us"
        return {**token, "id_token": ".".join([header, _b64(json.dumps(claims).encode()), signature])}

    _on_the_way_back(monkeypatch, become_the_principal)
    answer = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert answer.status_code == 401 and "could not be verified" in answer.get_data(as_text=True)
    assert not _signed_in_as(client)
    assert session.exec(select(SignOnLink)).all() == []
    assert _refusals(session) == ["id_token_bad_signature"]


def test_an_id_token_that_has_expired_on_the_apps_clock_is_refused(
        app: Flask, client: FlaskClient, session: Session, district: Organisation,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")

    def arrive_two_hours_later(token: dict[str, Any], _attempt: SignOnAttempt) -> dict[str, Any]:
        # The provider's ID tokens live an hour; this one reaches the app's check two hours on.
        with app.app_context():
            clock.advance(seconds=2 * 3600)
        return token

    _on_the_way_back(monkeypatch, arrive_two_hours_later)
    answer = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert answer.status_code == 401 and not _signed_in_as(client)
    assert _refusals(session) == ["id_token_expired_token_exp"]


def test_an_id_token_meant_for_another_service_is_refused(
        client: FlaskClient, session: Session, district: Organisation, providers: Providers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    # The person is sent to the provider for the other service (same nonce, same PKCE challenge)...
    url = _to_provider(client, district)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["client_id"] = OTHER_CLIENT.client_id
    location = _follow_provider(urlunsplit(parts._replace(query=urlencode(query))), "ana.ruiz@riverside.k12.ca.us")

    # ...and the code is exchanged as that service: a real token, audience "another-service".
    def as_the_other_service(_token: dict[str, Any], attempt: SignOnAttempt) -> dict[str, Any]:
        metadata = requests.get(f"{providers.issuer}/.well-known/openid-configuration", timeout=10).json()
        other = OAuth2Session(OTHER_CLIENT.client_id, OTHER_CLIENT.client_secret, redirect_uri=RETURN)
        return dict(other.fetch_token(metadata["token_endpoint"], authorization_response=location,
                                      code_verifier=attempt.code_verifier))

    monkeypatch.setattr(sign_on, "fetch_tokens", lambda provider, metadata, uri, attempt, response:
                        as_the_other_service({}, attempt))
    answer = _come_back(client, location)
    assert answer.status_code == 401 and not _signed_in_as(client)
    assert _refusals(session) == ["id_token_invalid_claim_aud"]


def test_an_id_token_from_another_issuer_is_refused_even_with_the_same_key(
        client: FlaskClient, session: Session, district: Organisation, providers: Providers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    # An impostor at another address, holding the district's signing key, signs the person in...
    url = _to_provider(client, district).replace(providers.issuer, providers.impostor)
    location = _follow_provider(url, "ana.ruiz@riverside.k12.ca.us")
    impostor = requests.get(f"{providers.impostor}/.well-known/openid-configuration", timeout=10).json()
    real = sign_on.fetch_tokens

    # ...and its tokens are handed to the app in place of the district's.
    def from_the_impostor(provider: SignOnProvider, metadata: dict[str, Any], redirect_uri: str,
                          attempt: SignOnAttempt, response: str) -> dict[str, Any]:
        return real(provider, {**metadata, "token_endpoint": impostor["token_endpoint"]}, redirect_uri, attempt,
                    response)

    monkeypatch.setattr(sign_on, "fetch_tokens", from_the_impostor)
    answer = _come_back(client, location)
    assert answer.status_code == 401 and not _signed_in_as(client)
    assert _refusals(session) == ["id_token_invalid_claim_iss"]


# --- Replays ------------------------------------------------------------------------------------------------

def test_a_return_replayed_with_the_same_cookie_is_refused(
        app: Flask, client: FlaskClient, session: Session, district: Organisation) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    location = _follow_provider(_to_provider(client, district), "ana.ruiz@riverside.k12.ca.us")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert _come_back(client, location).status_code == 302

    # Someone who copied the browser's cookie and the return address tries them again.
    replayer = app.test_client()
    replayer.set_cookie("session", cookie.value)
    answer = _come_back(replayer, location)
    assert answer.status_code == 400 and "already used" in answer.get_data(as_text=True)
    assert not _signed_in_as(replayer)
    assert _refusals(session) == ["state_replayed_or_expired"]


def test_a_return_to_a_browser_that_did_not_start_it_is_refused(
        app: Flask, client: FlaskClient, session: Session, district: Organisation) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    # An attacker's own finished sign-in, sent to someone else's browser (login CSRF).
    location = _follow_provider(_to_provider(app.test_client(), district), "ana.ruiz@riverside.k12.ca.us")
    answer = _come_back(client, location)
    assert answer.status_code == 400 and "did not start in this browser" in answer.get_data(as_text=True)
    assert not _signed_in_as(client) and _refusals(session) == ["state_mismatch"]


def test_an_earlier_id_token_replayed_into_a_new_sign_in_is_refused_by_its_nonce(
        client: FlaskClient, session: Session, district: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    earlier: list[dict[str, Any]] = []

    def keep(token: dict[str, Any], _attempt: SignOnAttempt) -> dict[str, Any]:
        earlier.append(token)
        return token

    _on_the_way_back(monkeypatch, keep)
    assert sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us").status_code == 302
    Auth(client).sign_out()

    _on_the_way_back(monkeypatch, lambda _token, _attempt: earlier[0])
    answer = sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us")
    assert answer.status_code == 401 and not _signed_in_as(client)
    assert _refusals(session) == ["id_token_invalid_claim_nonce"]


# --- Staff who must use the district's sign-in ---------------------------------------------------------------

def _require_for_staff(app: Flask, session: Session, district: Organisation) -> None:
    provider = session.exec(select(SignOnProvider)).one()
    administrator = session.exec(select(User).where(User.email == "admin@service.example")).one()
    with app.app_context():
        sign_on_providers.save_settings(session, district, administrator, issuer=provider.issuer,
                                        client_id=provider.client_id, secret=None,
                                        email_domains=provider.email_domains, required_for_staff=True,
                                        inactive_after_days=None)


def test_an_organisation_that_requires_its_sign_in_refuses_its_staff_a_password(
        app: Flask, client: FlaskClient, session: Session, district: Organisation) -> None:
    hr = make_user(session, "hr@riverside.k12.ca.us", "Hal Resources")
    session.add(Membership(user_id=hr.id, role="district_hr", organisation_id=district.id))
    session.commit()
    _require_for_staff(app, session, district)

    answer = Auth(client).sign_in("hr@riverside.k12.ca.us")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "Riverside Unified asks its staff to sign in with their district account" in page
    assert f"/auth/sign-in/district/{district.id}" in page and "Sign in with Riverside Unified" in page
    assert not _signed_in_as(client)
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.password_refused")).one()
    assert refused.actor_id == hr.id and refused.reason == "district_sign_in_required"
    # A wrong password says what it always says: nothing about the district.
    wrong = Auth(client).sign_in("hr@riverside.k12.ca.us", "not the password at all")
    assert wrong.status_code == 401 and "asks its staff" not in wrong.get_data(as_text=True)


def test_required_sign_in_leaves_candidates_and_other_districts_staff_their_passwords(
        app: Flask, session: Session, district: Organisation) -> None:
    from tests.conftest import signed_in

    candidate = make_user(session, "candidate@riverside.k12.ca.us", "Cam Candidate")
    visiting = make_user(session, "mentor@elsewhere.org", "Mo Mentor")
    session.add(Membership(user_id=candidate.id, role="candidate", organisation_id=district.id))
    session.add(Membership(user_id=visiting.id, role="mentor", organisation_id=district.id))
    session.commit()
    _require_for_staff(app, session, district)
    signed_in(app, "candidate@riverside.k12.ca.us")
    signed_in(app, "mentor@elsewhere.org")


def test_staff_who_must_use_the_district_sign_in_can(
        app: Flask, client: FlaskClient, session: Session, district: Organisation) -> None:
    ana = make_user(session, "ana.ruiz@riverside.k12.ca.us", "Ana Ruiz")
    session.add(Membership(user_id=ana.id, role="program_director", organisation_id=district.id))
    session.commit()
    _require_for_staff(app, session, district)
    assert sign_in_with_district(client, district, "ana.ruiz@riverside.k12.ca.us").status_code == 302
    assert _signed_in_as(client)


# --- The sign-in page and the settings ---------------------------------------------------------------------

def test_the_email_finds_its_districts_sign_in(client: FlaskClient, district: Organisation,
                                               providers: Providers) -> None:
    token = csrf_token(client, "/auth/sign-in")
    found = client.post("/auth/sign-in/district", data={"email": "Ana.Ruiz@Riverside.k12.ca.us ", "password": "",
                                                        "csrf_token": token})
    link = re.search(r'href="(/auth/sign-in/district/\d+[^"]*)">Sign in with Riverside Unified<',
                     found.get_data(as_text=True))
    assert found.status_code == 200 and link, found.get_data(as_text=True)
    started = client.get(link.group(1).replace("&amp;", "&"))
    assert started.status_code == 302 and started.headers["Location"].startswith(providers.issuer)
    assert "login_hint=ana.ruiz%40riverside.k12.ca.us" in started.headers["Location"]
    assert "code_challenge_method=S256" in started.headers["Location"]
    missing = client.post("/auth/sign-in/district", data={"email": "someone@nowhere.org", "csrf_token": token})
    assert missing.status_code == 400
    assert "does not sign in with its own accounts here" in missing.get_data(as_text=True)
    offered = client.get(f"/auth/sign-in?organisation={district.id}").get_data(as_text=True)
    assert "Sign in with Riverside Unified" in offered


def test_the_client_secret_is_kept_encrypted_and_never_audited(
        app: Flask, session: Session, district: Organisation) -> None:
    provider = session.exec(select(SignOnProvider)).one()
    assert CLIENT.client_secret not in provider.client_secret_encrypted
    with app.app_context():
        assert sign_on_providers.client_secret(provider) == CLIENT.client_secret
    saved = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_on.settings_saved")).one()
    assert CLIENT.client_secret not in json.dumps(saved.details) and saved.details["secret_changed"] is True


def test_the_administrator_tries_the_settings_and_stays_themselves(
        client: FlaskClient, session: Session, district: Organisation) -> None:
    administrator = session.exec(select(User).where(User.email == "admin@service.example")).one()
    session.add(Membership(user_id=administrator.id, role="service_administrator"))
    session.commit()
    Auth(client).sign_in("admin@service.example")
    page = f"/admin/sign-on/{district.id}"
    started = client.post(f"{page}/try", data={"csrf_token": csrf_token(client, page)})
    assert started.status_code == 302
    answer = _come_back(client, _follow_provider(started.headers["Location"], "ana.ruiz@riverside.k12.ca.us"))
    assert answer.status_code == 302 and answer.headers["Location"] == page
    shown = client.get(page).get_data(as_text=True)
    assert "works: it vouched for ana.ruiz@riverside.k12.ca.us" in shown
    assert session.exec(select(SignOnLink)).all() == []  # nobody was linked or signed in
    tried = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_on.tried")).one()
    assert tried.actor_id == administrator.id


@pytest.mark.parametrize(("change", "message"), [
    ({"issuer": "http://accounts.example.org"}, "starting with https://"),
    ({"email_domains": "not a domain"}, "email domains"),
])
def test_settings_that_cannot_work_are_refused_with_a_reason(
        client: FlaskClient, session: Session, district: Organisation, change: dict[str, str], message: str) -> None:
    administrator = session.exec(select(User).where(User.email == "admin@service.example")).one()
    session.add(Membership(user_id=administrator.id, role="service_administrator"))
    session.commit()
    Auth(client).sign_in("admin@service.example")
    page = f"/admin/sign-on/{district.id}"
    form = {"issuer": "https://accounts.example.org", "client_id": "c", "email_domains": "riverside.k12.ca.us",
            "csrf_token": csrf_token(client, page), **change}
    answer = client.post(page, data=form)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(SignOnProvider)).one().issuer.startswith("http://127.0.0.1")


# --- The API twin of the settings page ------------------------------------------------------------------------

def test_service_administrators_set_up_a_sign_in_through_the_api_and_the_secret_never_comes_back(
        app: Flask, session: Session) -> None:
    from tests.api.helpers import token_for

    organisation = Organisation(name="Coastal Unified", kind="district")
    administrator = make_user(session, "admin@service.example", "Sam Admin")
    teacher = make_user(session, "teacher@coastal.k12.ca.us", "Tia Teacher")
    session.add_all([organisation, Membership(user_id=administrator.id, role="service_administrator")])
    session.commit()
    path = f"/api/v1/organisations/{organisation.id}/sign-on"
    admin = {"Authorization": f"Bearer {token_for(app, session, administrator)}"}
    client = app.test_client()

    assert client.get(path, headers=admin).status_code == 404  # passwords only, so far
    body = {"issuer": "https://accounts.google.com", "client_id": "coastal", "client_secret": "coastal-secret-2026",
            "email_domains": ["coastal.k12.ca.us"], "required_for_staff": True}
    saved = client.put(path, headers=admin, json=body)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["email_domains"] == ["coastal.k12.ca.us"] and saved.get_json()["required_for_staff"]
    read = client.get(path, headers=admin)
    assert read.status_code == 200 and "coastal-secret-2026" not in read.get_data(as_text=True)
    assert "client_secret" not in read.get_json()

    refused = client.put(path, headers=admin, json={**body, "issuer": "ftp://accounts.google.com"})
    assert refused.status_code == 422 and "https://" in refused.get_json()["detail"]
    teacher_headers = {"Authorization": f"Bearer {token_for(app, session, teacher)}"}
    assert client.put(path, headers=teacher_headers, json=body).status_code == 403
    assert client.get(path, headers=teacher_headers).status_code == 403
    session.expire_all()
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sign_on.settings_saved")).all()) == 1


# --- Staff who sign in nowhere for the organisation's period ----------------------------------------------------

def test_staff_who_sign_in_nowhere_for_the_chosen_period_are_flagged_to_the_director_never_removed(
        app: Flask, session: Session) -> None:
    from datetime import timedelta

    from app.models import Program
    from app.services.notifications.reminders import daily_sweep
    from tests.conftest import signed_in
    from tests.today import now

    organisation = Organisation(name="Coastal Unified", kind="district")
    session.add(organisation)
    session.commit()
    program = Program(organisation_id=organisation.id, name="Coastal Induction", pathway="induction")
    administrator = make_user(session, "admin@service.example", "Sam Admin")
    session.add(program)
    session.commit()
    with app.app_context():
        sign_on_providers.save_settings(session, organisation, administrator, issuer="https://accounts.google.com",
                                        client_id="coastal", secret="coastal-secret-2026",
                                        email_domains="coastal.k12.ca.us", required_for_staff=False,
                                        inactive_after_days=30)
    long_ago, lately = now() - timedelta(days=60), now() - timedelta(days=2)
    director = make_user(session, "director@coastal.k12.ca.us", "Dee Director")
    gone = make_user(session, "hr@coastal.k12.ca.us", "Hal Resources")
    busy = make_user(session, "mentor@coastal.k12.ca.us", "Mia Mentor")
    new = make_user(session, "new.coach@coastal.k12.ca.us", "Cy Coach")
    gone.last_sign_in_at, busy.last_sign_in_at, director.last_sign_in_at = now() - timedelta(days=45), lately, lately
    session.add_all([gone, busy, director,
                     Membership(user_id=director.id, role="program_director", program_id=program.id,
                                created_at=long_ago),
                     Membership(user_id=gone.id, role="district_hr", organisation_id=organisation.id,
                                created_at=long_ago),
                     Membership(user_id=busy.id, role="mentor", program_id=program.id, created_at=long_ago),
                     Membership(user_id=new.id, role="coach", program_id=program.id,
                                created_at=now() - timedelta(days=5))])
    session.commit()

    with app.app_context():
        assert daily_sweep(session).get("staff.flagged_inactive") == 1
        assert staff_activity.flag_inactive_staff(session) == 0  # once, until they sign in again
    session.expire_all()
    flagged = session.exec(select(Membership).where(Membership.flagged_at.is_not(None))).all()  # type: ignore[union-attr]
    assert [(m.user_id, m.flag_reason, m.revoked_at) for m in flagged] == [(gone.id, "inactive", None)]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "sign_on.staff_flagged")).one().reason == \
        "inactive"

    seen = signed_in(app, "director@coastal.k12.ca.us").get("/programs/").get_data(as_text=True)
    assert "Staff to check" in seen and "Hal Resources, district HR at Coastal Unified" in seen.replace("\n", " ")
    assert "Mia Mentor" not in seen and "Cy Coach" not in seen

    signed_in(app, "hr@coastal.k12.ca.us")  # back: the flag goes
    session.expire_all()
    assert session.exec(select(Membership).where(Membership.flagged_at.is_not(None))).all() == []  # type: ignore[union-attr]
    assert "sign_on.staff_flag_cleared" in _actions(session)
    assert "Staff to check" not in signed_in(app, "director@coastal.k12.ca.us").get("/programs/").get_data(as_text=True)


def test_a_sign_on_key_of_its_own_lets_the_secret_key_rotate(app_config: dict[str, Any]) -> None:
    from app import create_app

    provider = SignOnProvider(organisation_id=1, issuer="https://accounts.google.com", client_id="c",
                              client_secret_encrypted="", email_domains="coastal.k12.ca.us")

    def secret_as(config: dict[str, Any], encrypt: bool = False) -> str:
        app = create_app({**app_config, **config})
        try:
            with app.app_context():
                if encrypt:
                    provider.client_secret_encrypted = sign_on_providers.encrypt_secret("coastal-secret-2026")
                return sign_on_providers.client_secret(provider)
        finally:
            app.extensions["db_engine"].dispose()

    assert secret_as({"SIGN_ON_KEY": "a-key-of-its-own"}, encrypt=True) == "coastal-secret-2026"
    assert secret_as({"SIGN_ON_KEY": "a-key-of-its-own", "SECRET_KEY": "rotated"}) == "coastal-secret-2026"
    with pytest.raises(sign_on_providers.SignOnRefused):  # without it, a new SECRET_KEY cannot read the secret
        secret_as({"SECRET_KEY": "rotated"})


def test_starting_sign_ins_from_one_address_is_limited(app_config: dict[str, Any], session: Session) -> None:
    from app import create_app

    app = create_app({**app_config, "RATE_LIMITS": {"district_sign_in": "2 per minute"}})
    try:
        client = app.test_client()
        # No provider here: each start is a 404, and still counts.
        statuses = [client.get("/auth/sign-in/district/1").status_code for _ in range(3)]
        assert statuses == [404, 404, 429]
    finally:
        app.extensions["db_engine"].dispose()


def test_the_daily_sweep_forgets_attempts_older_than_a_day(app: Flask, session: Session) -> None:
    from datetime import timedelta

    from app.services.notifications.reminders import daily_sweep
    from tests.today import now

    organisation = Organisation(name="Coastal Unified", kind="district")
    session.add(organisation)
    session.commit()
    provider = SignOnProvider(organisation_id=organisation.id, issuer="https://accounts.google.com", client_id="c",
                              client_secret_encrypted="x", email_domains="coastal.k12.ca.us")
    session.add(provider)
    session.commit()
    for name, age in (("old", timedelta(days=2)), ("fresh", timedelta(minutes=5))):
        session.add(SignOnAttempt(state=name, nonce=name, code_verifier=name, provider_id=provider.id,
                                  created_at=now() - age))
    session.commit()
    with app.app_context():
        assert daily_sweep(session).get("sign_on.attempts_forgotten") == 1
    session.expire_all()
    assert [a.state for a in session.exec(select(SignOnAttempt))] == ["fresh"]



def test_a_district_that_disables_an_account_has_its_staff_roles_flagged_to_the_director_never_removed(
        app: Flask, client: FlaskClient, session: Session, district: Organisation, providers: Providers) -> None:
    from app.models import Program
    from app.services.notifications.reminders import daily_sweep
    from tests.conftest import signed_in

    provider = session.exec(select(SignOnProvider)).one()
    administrator = session.exec(select(User).where(User.email == "admin@service.example")).one()
    with app.app_context():
        sign_on_providers.save_settings(session, district, administrator, issuer=provider.issuer,
                                        client_id=provider.client_id, secret=None,
                                        email_domains=provider.email_domains, required_for_staff=False,
                                        inactive_after_days=None, check_accounts=True)
    program = Program(organisation_id=district.id, name="Riverside Induction", pathway="induction")
    session.add(program)
    session.commit()
    director = make_user(session, "director@riverside.k12.ca.us", "Dee Director")
    leaver = make_user(session, "leaver@riverside.k12.ca.us", "Lee Leaver")
    session.add_all([Membership(user_id=director.id, role="program_director", program_id=program.id),
                     Membership(user_id=leaver.id, role="mentor", program_id=program.id)])
    session.commit()

    # Signing in asks for offline access (with consent, as OpenID Connect requires) and keeps the refresh token.
    start = _to_provider(client, district)
    assert "offline_access" in start and "prompt=consent" in start
    assert _come_back(client, _follow_provider(start, "leaver@riverside.k12.ca.us")).status_code == 302
    session.expire_all()
    link = session.exec(select(SignOnLink)).one()
    assert (link.refresh_token_encrypted or "").startswith("gAAAAA")  # a Fernet token: stored encrypted

    with app.app_context():
        assert daily_sweep(session).get("staff.flagged_disabled") is None  # still enabled: nothing to flag
    requests.post(f"{providers.issuer}/test-only/disable", data={"email": "leaver@riverside.k12.ca.us"},
                  timeout=10).raise_for_status()
    with app.app_context():
        assert daily_sweep(session).get("staff.flagged_disabled") == 1
        assert sign_on.check_accounts(session) == 0  # refused once: not asked again until they sign in
    session.expire_all()
    role = session.exec(select(Membership).where(Membership.user_id == leaver.id)).one()
    assert (role.flag_reason, role.revoked_at) == ("disabled_at_provider", None)
    assert "sign_on.account_refused_by_provider" in _actions(session)
    page = signed_in(app, "director@riverside.k12.ca.us").get("/programs/").get_data(as_text=True)
    assert "Lee Leaver, mentor at Riverside Unified: the district's sign-in says their account is disabled" in \
        " ".join(page.split())
