"""Hardened responses: security headers on every kind of response, a CSP the pages keep, no session fixation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app import create_app
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token, make_user, signed_in

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"
# Rendered only into files and emails, never served under the CSP (emails need inline styles).
NOT_SERVED = {"director/packet_summary.html"}


def assert_hardened(response: Any) -> None:
    """The headers every response carries."""
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].startswith("'self'")
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/auth/sign-in", 200),
    ("GET", "/static/css/app.css", 200),
    ("GET", "/no/such/page", 404),
    ("GET", "/healthz", 200),
    ("POST", "/auth/sign-in", 400),  # no CSRF token
    ("GET", "/enrollments/1", 302),  # to sign-in
])
def test_every_kind_of_response_carries_the_security_headers(client: FlaskClient, method: str, path: str,
                                                              status: int) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_a_json_error_and_a_signed_in_page_are_hardened_too(app: Flask, session: Session) -> None:
    make_user(session)
    client = signed_in(app, "ana@example.org")
    assert_hardened(client.get("/"))
    assert_hardened(client.get("/no/such/page", headers={"Accept": "application/json"}))


def test_hsts_is_sent_only_when_cookies_are_https_only(app_config: dict[str, Any]) -> None:
    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    hsts = secure.test_client().get("/auth/sign-in").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")
    secure.extensions["db_engine"].dispose()


def test_no_served_template_has_an_inline_script_style_or_event_handler() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith("email/") or name in NOT_SERVED:
            continue
        text = path.read_text()
        for pattern, what in [(r"<script(?![^>]*\bsrc=)", "inline <script>"), (r"\sstyle\s*=", "style attribute"),
                              (r"\son[a-z]+\s*=", "event handler attribute"), (r"javascript:", "javascript: URL"),
                              (r"<style(?![^>]*nonce=\"\{\{ csp_nonce\(\) \}\}\")", "<style> without the nonce")]:
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{name}: {what}")
    assert offenders == []


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "pip")


@pytest.mark.parametrize("section", ["", "/logs", "/meetings"])
def test_pages_with_progress_meters_render_without_inline_styles(app: Flask, pip: PathwayDriver, section: str) -> None:
    response = signed_in(app, pip.candidate.email).get(f"/enrollments/{pip.enrollment.id}{section}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "style=" not in body and "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", body)  # scripts only from the app's own files
    assert 'href="/static/css/meters.css"' in body


def test_the_self_contained_export_styles_itself_with_this_responses_nonce(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    nonces = []
    for _ in range(2):
        response = client.get(f"/enrollments/{pip.enrollment.id}/export/summary")
        assert response.status_code == 200
        nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        assert f'<style nonce="{nonce}">' in response.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # fresh per response, so a nonce seen once is worth nothing later


# --- Sessions ----------------------------------------------------------------------------------------

def test_signing_in_starts_a_new_session_so_a_planted_one_is_worthless(app: Flask, session: Session,
                                                                      client: FlaskClient) -> None:
    make_user(session)
    planted_token = csrf_token(client, "/auth/sign-in")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = True
    before = client.get_cookie("session").value
    assert Auth(client).sign_in("ana@example.org").status_code == 302
    assert client.get_cookie("session").value != before
    with client.session_transaction() as fresh:
        assert "planted_by_attacker" not in fresh
        assert fresh.get("csrf_token") is None or fresh["csrf_token"] != planted_token
    # A token handed out before sign-in (which an attacker who planted the session knows) no longer works.
    refused = client.post("/auth/sign-out", data={"csrf_token": planted_token})
    assert refused.status_code == 400
    assert client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def test_signing_up_starts_a_new_session_too(client: FlaskClient) -> None:
    token = csrf_token(client, "/auth/sign-up")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = True
    response = client.post("/auth/sign-up", data={"csrf_token": token, "name": "Bea Lin", "email": "bea@example.org",
                                                  "password": "correct horse battery",
                                                  "confirm": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with client.session_transaction() as fresh:
        assert "planted_by_attacker" not in fresh
