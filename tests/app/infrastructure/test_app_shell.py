"""The installable app's shell as served: the manifest, the service worker from the root, the offline page."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app.main.app_shell import SHELL_FILES
from tests.conftest import make_user, signed_in

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"


def test_the_manifest_names_the_app_and_its_icons(client: FlaskClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]} >= {("192x192", "any"), ("512x512", "any"),
                                                                              ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_the_worker_is_served_from_the_root_and_caches_only_the_shell(client: FlaskClient) -> None:
    response = client.get("/service-worker.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert "__VERSION__" not in script and "__SHELL__" not in script
    shell = re.search(r"const SHELL = \[(.*)\];", script).group(1)  # type: ignore[union-attr]
    assert '"/offline"' in shell and '"/static/css/app.css"' in shell
    assert not re.search(r'"/(?:enrollments|inbox|programs|auth)', shell), "no personal page is kept"
    csp = response.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp and "script-src 'self';" in csp


def test_every_stylesheet_and_script_of_the_pages_is_in_the_shell() -> None:
    base = (TEMPLATES / "base.html").read_text()
    linked = set(re.findall(r"filename='((?:css|js)/[^']+)'", base))
    assert linked and linked <= set(SHELL_FILES), linked - set(SHELL_FILES)


def test_the_offline_page_is_the_same_for_everyone(app: Flask, session: Session, client: FlaskClient) -> None:
    make_user(session)
    anonymous = client.get("/offline")
    assert anonymous.status_code == 200 and "You are offline" in anonymous.get_data(as_text=True)
    mine = signed_in(app, "ana@example.org").get("/offline").get_data(as_text=True)
    assert "Ana Ruiz" not in mine and "csrf_token" not in mine


def test_pages_link_the_manifest_and_say_who_may_send_what_waits(app: Flask, session: Session) -> None:
    user = make_user(session)
    page = signed_in(app, "ana@example.org").get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-user="{user.id}"' in page and "data-offline-outbox" in page
