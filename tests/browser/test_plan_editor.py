"""Writing a plan on a phone: one part per screen, saved as it is typed, found again after a reload."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PHONE, LiveServer, check_page, place, sign_in, size_name, unique_token, visit

# The most a part's screen may take: two phone screens, all of it (header and tabs included).
MOST_PER_PART = PHONE["height"] * 2


def wait_until_saved(page: Any) -> None:
    """Everything typed is saved (the editor's status line says so, in its data-state)."""
    page.locator("#plan-saved[data-state=saved]").wait_for()


def shown_part(page: Any) -> Any:
    return page.locator(".plan-part:not([hidden])")


def page_height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def progress(page: Any) -> str:
    return " ".join(page.locator("#plan-progress").inner_text().split())


def test_a_candidate_writes_iip_1_part_by_part_on_a_phone_and_a_reload_keeps_every_word(
        page: Any, live_server: LiveServer) -> None:
    if size_name(page) != "phone":
        pytest.skip("the part-per-screen editor is measured at phone size")
    token = unique_token(page)
    enrollment_id, email = place(live_server, "casc-admitted", f"Dang Thi Hoa {token}")
    plan = f"/enrollments/{enrollment_id}/plans/iip1"
    sign_in(page, email)
    visit(page, plan, "plan-editor-part-1")
    assert progress(page) == "Part 1 of 4 · 0 of 4 answered"
    heights = {1: page_height(page)}
    shown_part(page).get_by_label(re.compile("^Leadership goal")).fill(f"A shared vision for reading ({token}).")
    wait_until_saved(page)
    assert re.fullmatch(r"Saved at \d\d:\d\d\.", page.locator("#plan-saved").inner_text())
    assert progress(page) == "Part 1 of 4 · 1 of 4 answered"
    assert page.get_by_role("button", name="Share with the team").is_visible()  # the first save made a draft

    for number in (1, 2, 3):
        page.get_by_role("button", name="Next").click()
        page.locator(f"#part-{number + 1}:not([hidden])").wait_for()  # once what is pending is saved
        part = shown_part(page)
        assert part.get_by_role("heading", level=2).inner_text().startswith(f"CPSEL {number}:")
        assert progress(page).startswith(f"Part {number + 1} of 4")
        part.get_by_label(re.compile("^Goal")).fill(f"Goal on CPSEL {number} ({token}).")
        part.get_by_label(re.compile("^Measurable actions")).type(f"Two actions on CPSEL {number}, checked monthly.")
        wait_until_saved(page)
        heights[number + 1] = page_height(page)
        check_page(page, f"plan-editor-part-{number + 1}")
    assert progress(page) == "Part 4 of 4 · 4 of 4 answered"
    assert page.get_by_role("button", name="Next").is_hidden()
    assert "section=4" in page.url  # a reload opens on the part the person was writing
    # A second goal on the same standard: a new row in the part, saved like the first.
    shown_part(page).get_by_role("button", name="Add another standard goal").click()
    shown_part(page).locator(".plan-item").last.get_by_label(re.compile("^Goal")).fill(f"Second goal ({token}).")
    wait_until_saved(page)
    assert all(height <= MOST_PER_PART for height in heights.values()), heights

    visit(page, f"{plan}?section=2", "plan-editor-reloaded")
    assert progress(page) == "Part 2 of 4 · 4 of 4 answered"
    assert page_height(page) <= MOST_PER_PART, f"a written part, reloaded: {page_height(page)} px"
    assert shown_part(page).get_by_label(re.compile("^Goal")).input_value() == f"Goal on CPSEL 1 ({token})."
    assert page.get_by_text("Revision").is_visible()
    page.get_by_role("button", name="Previous").click()
    page.locator("#part-1:not([hidden])").wait_for()
    assert shown_part(page).get_by_label(re.compile("^Leadership goal")).input_value() == (
        f"A shared vision for reading ({token}).")
    visit(page, f"{plan}?section=4", "plan-editor-reloaded-part-4")
    goals = [field.input_value() for field in shown_part(page).get_by_label(re.compile("^Goal")).all()]
    assert goals == [f"Goal on CPSEL 3 ({token}).", f"Second goal ({token})."]


def test_a_stale_page_says_so_in_place_and_keeps_what_was_typed(page: Any, person: Any,
                                                                live_server: LiveServer) -> None:
    if size_name(page) != "phone":
        pytest.skip("measured at phone size")
    token = unique_token(page)
    enrollment_id, email = place(live_server, "casc-admitted", f"Nguyen Van Bao {token}")
    plan = f"/enrollments/{enrollment_id}/plans/iip1?section=2"
    sign_in(page, email)
    visit(page, plan, "plan-editor-stale-before")
    laptop = person(email)
    laptop.goto(plan)
    shown_part(laptop).get_by_label(re.compile("^Goal")).fill("Written on the laptop.")
    wait_until_saved(laptop)
    shown_part(page).get_by_label(re.compile("^Goal")).fill("Written on the phone.")
    status = page.locator("#plan-saved[data-state=problem]")
    status.wait_for()
    assert "Someone saved this plan while you were editing it" in status.inner_text()
    assert shown_part(page).get_by_label(re.compile("^Goal")).input_value() == "Written on the phone."
    check_page(page, "plan-editor-stale")
