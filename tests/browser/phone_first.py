"""Phone first: on a 390×844 screen the action a person came for is on the first screen, and the page
ends within four screens. Journeys call `assert_phone_first` on each role's main page; at desktop size
it only saves the screenshot (the layout there has room)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ARTIFACTS, PHONE, size_name

SCREENS = 4  # the longest a main page may be on a phone, in screens


def page_height(page: Any) -> int:
    """The page's full height in CSS pixels, as scrolled."""
    return int(page.evaluate("document.documentElement.scrollHeight"))


def assert_phone_first(page: Any, name: str, primary: Any, *, screens: int = SCREENS) -> None:
    """`primary` (a locator: the first control of the person's own work) starts on the first screen and
    the page is at most `screens` screens long, at phone size; a screenshot is saved at every size as
    test-artifacts/<size>-phone-first-<name>.png."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{size_name(page)}-phone-first-{name}.png"), full_page=True)
    if size_name(page) != "phone":
        return
    assert primary.count(), f"{name}: the page has no primary action to find"
    box = primary.first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"], \
        f"{name}: the primary action starts at {box and round(box['y'])} px, below the first screen"
    height = page_height(page)
    assert height <= screens * PHONE["height"], \
        f"{name}: the page is {height} px long at phone size, more than {screens} screens"
