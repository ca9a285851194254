"""Each role's main page on a phone: the action they came for on the first screen, the page within four
screens, and a screenshot of each (tests/browser/phone_first.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO, LiveServer, demo_enrollment_id, sign_in, visit
from tests.browser.phone_first import assert_phone_first

pytestmark = pytest.mark.browser

# The first control of each role's own work: the candidate's next step, the first thing waiting in the
# inbox (or its empty message), the director's first program.
CANDIDATE_ACTION = "#next-heading ~ * a, #next-heading ~ * button, #next-heading"
INBOX_ACTION = "#queue button, #queue a, #queue p"


@pytest.mark.parametrize("who", ["induction", "pip", "casc"])
def test_the_candidate_home_is_phone_first(page: Any, live_server: LiveServer, who: str) -> None:
    sign_in(page, DEMO[who])
    visit(page, f"/enrollments/{demo_enrollment_id(live_server, who)}", f"phone-home-{who}")
    assert_phone_first(page, f"home-{who}", page.locator(CANDIDATE_ACTION))


@pytest.mark.parametrize("who", ["mentor", "coach", "principal", "analyst", "hr", "intern_program", "panel"])
def test_the_inbox_of_each_approver_is_phone_first(page: Any, live_server: LiveServer, who: str) -> None:
    sign_in(page, DEMO[who])
    visit(page, "/inbox", f"phone-inbox-{who.replace('_', '-')}")
    assert_phone_first(page, f"inbox-{who.replace('_', '-')}", page.locator(INBOX_ACTION))


def test_the_director_program_page_is_phone_first(page: Any, live_server: LiveServer) -> None:
    sign_in(page, DEMO["director"])
    visit(page, "/programs/", "phone-programs")
    assert_phone_first(page, "programs", page.locator(".program-overview h2 a"))


@pytest.mark.parametrize("who", ["induction", "casc"])
def test_the_log_book_puts_its_form_first_and_folds_the_rest(page: Any, live_server: LiveServer, who: str) -> None:
    sign_in(page, DEMO[who])
    visit(page, f"/enrollments/{demo_enrollment_id(live_server, who)}/logs", f"phone-logs-{who}")
    assert_phone_first(page, f"logs-{who}", page.get_by_label("What", exact=True))
    # The sections are one strip on a phone: the page itself never scrolls sideways, the strip may.
    strip = page.locator(".section-nav ul")
    assert strip.evaluate("s => s.getBoundingClientRect().height") < 80
    assert page.locator('.section-nav [aria-current="page"]').is_visible()
