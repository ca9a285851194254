"""Signing in, in a real browser, on a phone and on a desktop (the `page` fixture runs each at both sizes)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DEMO, DEMO_PASSWORD, check_page, focused, submit, visit

pytestmark = pytest.mark.browser


def test_a_demo_candidate_signs_in_and_sees_their_pathway(page: Any) -> None:
    visit(page, "/", "first-visit")
    assert "/auth/sign-in" in page.url  # sent to sign in first

    page.get_by_label("Email").fill(DEMO["pip"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"), "signed-in")
    assert page.url.split("#")[0].endswith("/")
    assert page.get_by_role("heading", name="Welcome, Paula Ibarra").is_visible()
    assert page.get_by_text("plan established").is_visible()

    submit(page, page.get_by_role("link", name="Sequoia Valley PIP Support", exact=True), "signed-in-dashboard")
    assert page.get_by_role("heading", name=re.compile("^(Your next steps|Nothing for you to do right now)$")).is_visible()
    # The permit's expiry countdown, in days or (far off) in months.
    assert re.search(r"left|overdue|Due today", page.locator(".headline .countdown").inner_text())
    assert page.locator('[aria-current="step"]').inner_text().startswith("Plan established")
    page.get_by_role("link", name="Home").click()

    page.get_by_role("button", name="Sign out").click()
    assert "/auth/sign-in" in page.url


def test_a_wrong_password_shows_the_message_next_to_the_field(page: Any) -> None:
    page.goto("/auth/sign-in")
    page.get_by_label("Email").fill(DEMO["pip"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_text("That email and password do not match an account.")
    assert error.is_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    # The message is tied to the field, so a screen reader reads it with the field.
    described_by = page.get_by_label("Password").get_attribute("aria-describedby") or ""
    assert "password-error" in described_by.split()


def test_the_keyboard_reaches_the_skip_link_first(page: Any) -> None:
    page.goto("/auth/sign-in")
    page.keyboard.press("Tab")
    here = focused(page)
    assert here is not None and here["name"] == "Skip to main content" and here["outline"]
    check_page(page, "skip-link-focused")  # the screenshot shows the focused skip link
