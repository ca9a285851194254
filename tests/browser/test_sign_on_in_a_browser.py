"""Signing in with the district's account, on a phone, against a real OpenID Connect provider.

The whole flow in Chromium at 390×844: the service administrator sets up the district's provider and
tries it, then a mentor of the district signs in with the district account and is linked by email.
The provider's own screens are the provider's (not checked as ours); every page of the app is.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests import identity_provider, today
from tests.browser.conftest import (
    DEMO,
    PHONE,
    ROOT,
    LiveServer,
    assert_flash,
    check_page,
    free_port,
    serving,
    sign_in,
    sign_out,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

DISTRICT = "Sequoia Valley Unified School District"
ACCOUNTS = {DEMO["admin"]: {"sub": "sv-0001", "email_verified": True, "name": "Sam Admin"},
            DEMO["mentor"]: {"sub": "sv-0002", "email_verified": True, "name": "Mentor"}}


@pytest.fixture(scope="module")
def district_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, Any]]:
    """A live server of this module's own (its address registered at the provider), and the provider."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client = identity_provider.Client("sequoia-tracker", "sequoia-client-secret-2026",
                                      [f"{base}/auth/sign-in/district/return"])
    folder = tmp_path_factory.mktemp("live-sign-on")
    with identity_provider.running([client], ACCOUNTS, folder=folder) as issuer, \
            serving(folder, port=port, extra_env={"BASE_URL": base}) as server:
        yield server, issuer, client


@pytest.fixture
def phones(browser: Any, district_world: tuple[LiveServer, str, Any]) -> Iterator[Any]:
    """Opens a phone of its own for each person (a fresh profile at 390×844 on this module's server): the
    provider remembers who signed in on a browser, as a district's would."""
    contexts = []

    def phone() -> Any:
        context = browser.new_context(viewport=PHONE, base_url=district_world[0])
        context.set_default_timeout(10_000)
        context.clock.set_system_time(today.now())
        contexts.append(context)
        return context.new_page()

    try:
        yield phone
    finally:
        for context in contexts:
            context.close()


def _at_the_provider(page: Any, email: str | None = None) -> None:
    """The provider's own sign-in screen: confirm the email (pre-filled from the hint) and continue."""
    assert page.get_by_role("heading", name="District sign-in").is_visible()
    if email:
        page.get_by_label("District email").fill(email)
    with page.expect_navigation(url=lambda url: "/auth/sign-in/district/return" not in url):
        page.get_by_role("button", name="Continue").click()


def test_the_district_sets_up_its_sign_in_and_a_mentor_signs_in_with_it(
        phones: Any, district_world: tuple[LiveServer, str, Any]) -> None:
    server, issuer, client = district_world
    phone = phones()
    sign_in(phone, DEMO["admin"])
    visit(phone, "/admin/sign-on", "sign-on-organisations")
    submit(phone, phone.get_by_role("link", name=DISTRICT), "sign-on-settings")
    phone.get_by_label("Provider address (issuer)").fill(issuer)
    phone.get_by_label("Client id").fill(client.client_id)
    phone.get_by_label("Client secret").fill(client.client_secret)
    phone.get_by_label("Email domains it vouches for").fill("demo.credential-tracker.org")
    submit(phone, phone.get_by_role("button", name="Save"), "sign-on-settings-saved")
    assert_flash(phone, "can sign in with its own accounts")

    # Try it: through the provider and back, still signed in as the administrator.
    phone.get_by_role("button", name="Try signing in").click()
    phone.wait_for_url(lambda url: url.startswith(issuer))
    _at_the_provider(phone, DEMO["admin"])
    check_page(phone, "sign-on-tried")
    assert_flash(phone, f"it vouched for {DEMO['admin']}")
    sign_out(phone)

    # A mentor of the district, on their own phone: their email, then "Use my district account".
    phone = phones()
    phone.goto("/auth/sign-in")
    check_page(phone, "sign-in-with-district-offered")
    phone.get_by_label("Email").fill(DEMO["mentor"])
    submit(phone, phone.get_by_role("button", name="Use my district account"), "sign-in-district-found")
    phone.get_by_role("link", name=f"Sign in with {DISTRICT}").click()
    phone.wait_for_url(lambda url: url.startswith(issuer))
    assert phone.get_by_label("District email").input_value() == DEMO["mentor"]  # the hint came along
    _at_the_provider(phone)
    check_page(phone, "signed-in-with-district")
    assert_flash(phone, "Your district account is now linked")
    assert phone.get_by_role("button", name="Sign out").is_visible()
    sign_out(phone)

    # A link naming the district (as its own pages may give) offers its button straight away.
    with closing(sqlite3.connect(server.database)) as db:
        organisation_id = db.execute("SELECT id FROM organisation WHERE name = ?", (DISTRICT,)).fetchone()[0]
    visit(phone, f"/auth/sign-in?organisation={organisation_id}", "sign-in-with-district-button")
    assert phone.get_by_role("link", name=f"Sign in with {DISTRICT}").is_visible()

    # The district flags staff who sign in nowhere for 30 days; 40 days on, the daily sweep flags them.
    admin = phones()
    sign_in(admin, DEMO["admin"])
    admin.goto(f"/admin/sign-on/{organisation_id}")
    admin.get_by_label("Flag staff to the director after this many days without signing in").fill("30")
    submit(admin, admin.get_by_role("button", name="Save"), "sign-on-settings-inactivity")
    bin_dir = Path(sys.executable).parent
    for command in (["clock", "advance", "--days", "40"], ["reminders", "run"]):
        done = subprocess.run([bin_dir / "flask", *command], cwd=ROOT, env=server.env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    director = phones()
    sign_in(director, DEMO["director"])
    visit(director, "/programs/", "programs-staff-to-check")
    assert director.get_by_role("heading", name="Staff to check").is_visible()
