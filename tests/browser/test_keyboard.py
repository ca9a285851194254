"""The candidate's main flow with the keyboard alone: Tab, Shift+Tab, Enter, Space, arrows and typing.

No click, no fill: every control is reached by tabbing (tab_to asserts a visible focus outline on each
one it passes) and operated by its keys.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import DEMO, DEMO_PASSWORD, check_page, focused, sign_in, size_name, tab_to

pytestmark = pytest.mark.browser


def _press_and_load(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _use_the_skip_link(page: Any) -> None:
    """The first Tab reaches the skip link, visibly and on screen; Enter moves focus past the header."""
    page.keyboard.press("Tab")
    here = focused(page)
    assert here is not None and here["name"] == "Skip to main content" and here["outline"], here
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_candidate_signs_in_opens_the_enrolment_and_logs_coaching_by_keyboard(page: Any) -> None:
    page.goto("/auth/sign-in")
    _use_the_skip_link(page)
    assert tab_to(page, "Email")["tag"] == "input"  # straight into the form: the header was skipped
    page.keyboard.type(DEMO["casc"])
    page.keyboard.press("Tab")
    assert focused(page)["label"] == "Password"
    page.keyboard.type(DEMO_PASSWORD)
    assert tab_to(page, "Keep me signed in")["type"] == "checkbox"
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    tab_to(page, "Sign in")
    _press_and_load(page, "Enter")
    assert page.get_by_role("heading", name="Welcome, Carmen Salazar").is_visible()

    # The sign-in form was posted from /auth/sign-in#main, and a redirect keeps the fragment: home opens
    # at #main, so the next Tab already starts inside the main content.
    tab_to(page, "Butte CASC Induction")
    _press_and_load(page, "Enter")
    assert page.get_by_role("heading", name=re.compile("^(Your next steps|Nothing for you to do right now)$")).is_visible()

    _use_the_skip_link(page)
    tab_to(page, "Logs")
    _press_and_load(page, "Enter")
    assert page.get_by_role("heading", name="Logs", level=1).is_visible()

    note = f"Coaching on the master schedule, by keyboard ({size_name(page)}-{uuid.uuid4().hex[:8]})."
    tab_to(page, "What")
    page.keyboard.press("ArrowDown")  # Coaching -> Professional learning
    assert page.evaluate("document.activeElement.value") == "professional_learning"
    tab_to(page, "Hours")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to(page, "Notes")
    page.keyboard.type(note)
    assert tab_to(page, "Hours", backwards=True)["tag"] == "input"  # back up to check the hours
    assert page.evaluate("document.activeElement.value") == "2"
    tab_to(page, "Add to the log")
    _press_and_load(page, "Enter")

    assert page.get_by_text("Logged. It counts once it is signed.").is_visible()
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text("Professional learning · 2 hours").is_visible()
    assert entry.get_by_text("Awaiting Colin Baker").is_visible()
    check_page(page, "keyboard-log-added")


def test_a_candidate_invites_a_team_member_and_withdraws_the_invitation_by_keyboard(page: Any) -> None:
    sign_in(page, DEMO["casc"])
    tab_to(page, "Butte CASC Induction")
    _press_and_load(page, "Enter")

    _use_the_skip_link(page)
    tab_to(page, "Team")  # the enrolment's section bar is the first thing in the main content
    _press_and_load(page, "Enter")
    assert page.get_by_role("heading", name="Carmen Salazar’s support team", level=1).is_visible()

    email = f"keyboard.{size_name(page)}.{uuid.uuid4().hex[:6]}@journeys.example.org"
    tab_to(page, "Their email")
    page.keyboard.type(email)
    tab_to(page, "Their role on your team")
    assert page.evaluate("document.activeElement.value") == "viewer"  # a candidate invites to view first
    page.keyboard.press("ArrowDown")  # Viewer -> Coach (proposed)
    assert page.evaluate("document.activeElement.value") == "coach"
    page.keyboard.press("ArrowDown")  # Coach -> Site administrator (proposed)
    assert page.evaluate("document.activeElement.value") == "site_administrator"
    tab_to(page, "Send invitation")
    _press_and_load(page, "Enter")
    assert page.get_by_text(f"Invitation sent to {email}.").is_visible()
    pending = page.locator("section[aria-labelledby=pending-heading] li", has_text=email)
    assert pending.locator(".badge").text_content().strip() == "Site administrator"
    check_page(page, "keyboard-invited")

    # The invitation's own buttons are reached and pressed the same way.
    _use_the_skip_link(page)
    tab_to(page, f"Withdraw the invitation to {email}")
    _press_and_load(page, "Space")
    assert page.get_by_text(f"The invitation to {email} is withdrawn; its link no longer works.").is_visible()
    assert page.locator("section[aria-labelledby=pending-heading] li", has_text=email).count() == 0
