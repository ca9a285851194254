"""The director's school calendar page in a browser, at phone and desktop size: it fits, it is accessible,
and a calendar that cannot work is refused with every problem listed and nothing saved (the live server is
shared, so this journey changes nothing)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DEMO, check_page, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_the_director_opens_the_calendar_from_settings_and_a_bad_year_is_refused(page: Any) -> None:
    sign_in(page, DEMO["director"])
    visit(page, "/programs/", "calendar-programs")
    submit(page, page.get_by_role("link", name="Butte CASC Induction"), "calendar-cohort")
    submit(page, page.get_by_role("navigation", name="Program").get_by_role("link", name="Settings"), "calendar-settings")
    submit(page, page.get_by_role("link", name="School calendar"), "school-calendar")
    assert page.get_by_role("heading", name=re.compile(r"^School year \d{4}–\d\d$")).is_visible()
    assert page.get_by_label("First day of school").input_value()
    assert page.get_by_role("group", name="Winter break").is_visible()
    check_page(page, "school-calendar-checked")

    first = page.get_by_label("First day of school").input_value()
    page.get_by_label("Last day of school").fill(first)  # not after the first day
    page.locator("#break-4-name").fill("Family week")  # a new row, with no dates
    submit(page, page.get_by_role("button", name="Save the calendar"), "school-calendar-refused", status=400)
    problems = page.get_by_role("alert")
    assert problems.get_by_text("Nothing was saved").is_visible()
    assert problems.get_by_text("The last day of school must be after the first day.").is_visible()
    assert problems.get_by_text("Enter the first day of Family week.").is_visible()
    assert page.get_by_label("Last day of school").input_value() == first  # what was typed stays
