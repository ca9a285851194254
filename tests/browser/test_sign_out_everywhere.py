"""Signing out of every device, in a real browser: the phone and the laptop both end up signed out (issue 28)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import submit, unique_token, visit

pytestmark = pytest.mark.browser


def test_signing_out_of_every_device_signs_out_the_other_browser_too(page: Any, person: Any) -> None:
    # A new account of this run's own: other tests keep their demo people signed in.
    email = f"devices-{unique_token(page)}@example.org"
    visit(page, "/auth/sign-up", "sign-up-for-devices")
    page.get_by_label("Your name").fill("Dev Ices")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Choose a password").fill("demo-password-2026")
    page.get_by_label("Repeat the password").fill("demo-password-2026")
    submit(page, page.get_by_role("button", name="Create my account"), "signed-up-for-devices")
    other = person(None)
    other.goto("/auth/sign-in")
    other.get_by_label("Email").fill(email)
    other.get_by_label("Password").fill("demo-password-2026")
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url("**/")
    visit(page, "/auth/notifications", "email-settings-with-devices")
    assert page.get_by_role("heading", name="Signed-in devices").is_visible()
    submit(page, page.get_by_role("button", name="Sign out of every device"), "signed-out-everywhere")
    assert "/auth/sign-in" in page.url
    assert page.get_by_text("You are signed out on every device").is_visible()
    other.goto("/")
    assert "/auth/sign-in" in other.url
