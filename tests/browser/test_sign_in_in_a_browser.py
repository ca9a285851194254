"""Signing in, in a real browser, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, has_no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-password-2026"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_demo_candidate_signs_in_and_sees_their_pathway(live_server: str, browser, size) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(f"{live_server}/")
    assert "/auth/sign-in" in page.url  # sent to sign in first
    assert has_no_horizontal_scroll(page)
    screenshot(page, f"sign-in-{size['width']}")

    page.get_by_label("Email").fill("pip.teacher@demo.credential-tracker.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="Welcome, Paula Ibarra").is_visible()
    assert page.get_by_text("plan established").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, f"home-{size['width']}")

    page.get_by_role("link", name="Sequoia Valley PIP Support").click()
    assert page.get_by_role("heading", name="What comes next").is_visible()
    assert page.get_by_text("days left").first.is_visible()  # the permit's expiry countdown
    assert page.locator('[aria-current="step"]').inner_text().startswith("Plan established")
    assert has_no_horizontal_scroll(page)
    screenshot(page, f"dashboard-{size['width']}")
    page.get_by_role("link", name="Home").click()

    page.get_by_role("button", name="Sign out").click()
    assert "/auth/sign-in" in page.url
    context.close()


def test_a_wrong_password_shows_the_message_next_to_the_field(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/auth/sign-in")
    page.get_by_label("Email").fill("pip.teacher@demo.credential-tracker.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_text("That email and password do not match an account.")
    assert error.is_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    context.close()


def test_the_keyboard_reaches_the_skip_link_first(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/auth/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    context.close()
