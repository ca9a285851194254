"""Friendly error pages with the right status, HTML for people and JSON for API clients."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort

from app import create_app
from tests.conftest import Auth, make_user


def test_an_unknown_page_is_a_friendly_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body and 'href="/"' in body
    assert "<main" in body  # the site's layout, not a bare Werkzeug page


def test_json_clients_get_json_errors(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_an_oversized_request_is_refused_with_413_and_the_limit(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/auth/sign-in", data=too_big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert f"at most {app.config['MAX_UPLOAD_MB']} MB" in response.get_data(as_text=True)


def crashing_app(app_config: dict[str, Any]) -> Flask:
    application = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})

    @application.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    @application.get("/forbidden")
    def forbidden() -> str:
        abort(403)

    return application


def test_a_crash_is_a_friendly_500_that_leaks_nothing(app_config: dict[str, Any]) -> None:
    response = crashing_app(app_config).test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "secret internal detail" not in body and "Traceback" not in body


def test_forbidden_says_who_to_ask(app_config: dict[str, Any]) -> None:
    response = crashing_app(app_config).test_client().get("/forbidden")
    assert response.status_code == 403
    assert "ask your program director" in response.get_data(as_text=True)


def test_every_page_serves_its_own_assets_and_no_cdn(client, auth: Auth, session) -> None:  # type: ignore[no-untyped-def]
    make_user(session)
    auth.sign_in("ana@example.org")
    for path in ("/", "/auth/reset", "/no/such/page"):
        body = client.get(path).get_data(as_text=True)
        assert 'href="/static/css/app.css"' in body
        assert "https://" not in body and "//cdn" not in body
    assert client.get("/static/css/app.css").status_code == 200


def test_the_layout_has_landmarks_a_skip_link_and_a_viewport(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/auth/sign-in").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert 'name="viewport"' in body
    assert 'class="skip-link" href="#main"' in body
    assert '<main id="main"' in body and "<header" in body and "<footer" in body
    assert '<label for="email">Email</label>' in body
