"""The candidate's home on a phone and a desktop: their own next steps on the first screen, the pathway
drawn, the full checklist one tap away, and the candidate pages photographed for a look."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, DEMO, LiveServer, demo_enrollment_id, sign_in, size_name, submit, visit

pytestmark = pytest.mark.browser

# Words that belong to someone else's work: a document another role files, a decision another role takes.
OTHERS = re.compile(r"Your (district HR|credential analyst|program director|mentor|coach|site administrator) "
                    r"(uploads|records|completes|signs|approves|issues|verifies)|Record that the candidate|"
                    r"returned by the candidate|Still missing", re.IGNORECASE)


def above_the_fold(page: Any) -> str:
    """The text of the page's main content that lies on the first screen, outside "Waiting on others"."""
    return page.evaluate("""() => {
      const fold = window.innerHeight;
      const seen = [];
      const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        if (!node.textContent.trim() || el.closest('.waiting') || el.closest('details:not([open])')) continue;
        const box = el.getBoundingClientRect();
        if (box.top < fold && box.bottom > 0 && box.width > 0) seen.push(node.textContent.trim());
      }
      return seen.join(' | ');
    }""")


@pytest.mark.parametrize("who", ["induction", "pip", "casc"])
def test_the_first_screen_shows_the_candidates_own_next_steps(page: Any, live_server: LiveServer, who: str) -> None:
    sign_in(page, DEMO[who])
    enrollment_id = demo_enrollment_id(live_server, who)
    visit(page, f"/enrollments/{enrollment_id}", f"home-{who}")

    heading = page.locator("#next-heading")
    assert heading.inner_text() in {"Your next steps", "Nothing for you to do right now"}
    assert heading.bounding_box()["y"] < page.viewport_size["height"]  # on the first screen
    first_screen = above_the_fold(page)
    # What the first screen shows, as a person holding the phone sees it (the checks save the whole page).
    page.screenshot(path=str(ARTIFACTS / f"{size_name(page)}-home-{who}-first-screen.png"))
    assert not OTHERS.search(first_screen), first_screen
    # Each of her steps is one tap from doing it: a link or a button (or says where it is done).
    for todo in page.locator(".next-steps .todo").all():
        assert todo.locator("a, button").count() or todo.locator(".todo-title").count()
    # Withdrawing is never a next step; when she may, it is in the menu.
    assert page.locator(".next-steps").get_by_text("Withdraw").count() == 0

    # The pathway, drawn: a titled picture with the current step marked, and the same in words.
    drawing = page.locator("svg.pathway-map")
    assert drawing.is_visible() and drawing.get_attribute("role") == "img"
    assert page.locator("svg.pathway-map .pm-current").count() == 1
    assert page.locator("svg.pathway-map .pm-taken").count() >= 1
    assert re.search(r"Reached \d{1,2} [A-Z][a-z]+ \d{4}", drawing.text_content() or "")
    page.locator(".pathway-words summary").click()
    assert page.locator(".pathway-words li").first.is_visible()

    # The full checklist, one tap away.
    submit(page, page.get_by_role("link", name="See the full checklist"), f"checklist-{who}")
    assert page.get_by_role("heading", name="Checklist", exact=True).is_visible()
    assert page.get_by_role("heading", name="Requirements").is_visible()
    assert "configurable" not in page.locator("main").inner_text()


def test_the_induction_home_offers_the_side_branches_in_a_menu(page: Any, live_server: LiveServer) -> None:
    sign_in(page, DEMO["induction"])
    enrollment_id = demo_enrollment_id(live_server, "induction")
    visit(page, f"/enrollments/{enrollment_id}", "home-induction-menu")
    menu = page.locator("details.more-actions")
    if menu.count():
        assert not menu.locator(".more-action").first.is_visible()  # folded away until asked for
        menu.locator("summary").click()
        assert menu.locator(".more-action").first.is_visible()
    # "No induction program available" is district HR's declaration: never offered to the teacher.
    assert page.get_by_text("No induction program available").count() == 0


@pytest.mark.parametrize("section", ["logs", "plans", "facts", "team", "export"])
def test_the_candidate_pages_are_photographed(page: Any, live_server: LiveServer, section: str) -> None:
    sign_in(page, DEMO["induction"])
    enrollment_id = demo_enrollment_id(live_server, "induction")
    visit(page, f"/enrollments/{enrollment_id}/{section}", f"candidate-{section}")
    assert page.locator("main h1").count() == 1
