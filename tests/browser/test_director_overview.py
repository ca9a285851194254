"""The director's overview (issue 16) at phone and desktop sizes: each program's tiles (on track, at risk,
overdue, ready to recommend, in progress) open a list of exactly the candidates they count; the at-risk
list's actions (remind, assign, open) work and come back to the list; nothing scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    assert_fits_the_screen,
    check_page,
    newest_mail,
    sign_in,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

STANDINGS = ("On track", "At risk", "Overdue", "Ready to recommend")
SLOW_ADMIN = "slow.admin@demo.credential-tracker.org"  # Marcus Bell, the demo's CASC candidate behind pace


def _tiles(page: Any, program: str) -> dict[str, tuple[int, str]]:
    """A program's tiles on the overview: label -> (figure, link)."""
    section = page.locator("section.program-overview", has=page.get_by_role("heading", name=program, exact=True))
    found = {}
    for tile in section.locator("a.tile").all():
        found[tile.locator(".tile-label").inner_text().strip()] = (
            int(tile.locator(".tile-figure").inner_text()), tile.get_attribute("href"))
    return found


def _rows(page: Any) -> list[str]:
    """The candidates the list shows (their names), every page of it."""
    names = []
    while True:
        names += [link.inner_text() for link in page.locator("#list-heading ~ table tbody th a").all()]
        following = page.get_by_role("link", name="Next page")
        if not following.count():
            return names
        following.click()
        page.wait_for_load_state("load")


def test_each_tile_opens_exactly_the_candidates_it_counts(page: Any, live_server: LiveServer) -> None:
    sign_in(page, DEMO["director"])
    visit(page, "/programs/", "director-overview")
    programs = [h.inner_text() for h in page.locator("section.program-overview h2").all()]
    assert {"Butte CASC Induction", "Tulare Teacher Induction", "Sequoia Valley PIP Support"} <= set(programs)
    for program in programs:
        page.goto("/programs/")
        tiles = _tiles(page, program)
        assert list(tiles) == [*STANDINGS, "In progress"], tiles
        # Every candidate in progress is in exactly one standing.
        assert sum(tiles[label][0] for label in STANDINGS) == tiles["In progress"][0]
        listed: dict[str, list[str]] = {}
        for label, (figure, href) in tiles.items():
            response = page.goto(href)
            assert response is not None and response.status == 200, href
            if program == "Butte CASC Induction" and label in ("At risk", "In progress"):
                check_page(page, f"director-overview-casc-{label.lower().replace(' ', '-')}")
            else:
                assert_fits_the_screen(page, f"{program}: {label}")
            heading = page.locator("#list-heading").inner_text()
            assert re.match(rf"^{figure} candidates?\b", heading), (program, label, heading)
            listed[label] = _rows(page)
            assert len(listed[label]) == figure, (program, label, listed[label])
        # The four lists together are the in-progress list, each candidate once.
        assert sorted(name for label in STANDINGS for name in listed[label]) == sorted(listed["In progress"])
    # The demo's CASC program: Marcus Bell is behind on his coaching logs, Rosa Delgado is ready.
    page.goto("/programs/")
    tiles = _tiles(page, "Butte CASC Induction")
    page.goto(tiles["At risk"][1])
    assert "Marcus Bell" in _rows(page)
    page.goto(tiles["Ready to recommend"][1])
    assert _rows(page) == ["Rosa Delgado"]


def test_the_cohort_chart_shows_only_states_with_candidates_and_reads_on_a_phone(page: Any) -> None:
    sign_in(page, DEMO["director"])
    page.goto("/programs/")
    submit(page, page.get_by_role("link", name="Butte CASC Induction", exact=True), "director-cohort")
    chart = page.get_by_role("list", name="Candidates in each state of the pathway")
    bars = chart.get_by_role("listitem").all()
    assert 0 < len(bars) < 14
    for bar in bars:
        figure = int(bar.locator(".bar-value").inner_text().split()[0])
        assert figure > 0
        # The labels are text at the page's size, not a scaled-down drawing.
        size = bar.locator(".bar-label").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 14, size
    assert page.locator("main svg, main table").count() == 0  # no chart repeated as a table


def test_the_at_risk_list_reminds_assigns_and_opens(page: Any, live_server: LiveServer) -> None:
    sign_in(page, DEMO["director"])
    page.goto("/programs/")
    page.get_by_role("link", name="Butte CASC Induction", exact=True).click()
    submit(page, page.get_by_role("navigation", name="Program").get_by_role("link", name="At risk", exact=True),
           "director-at-risk")
    marcus = page.locator("li", has=page.get_by_role("heading", name=re.compile("^Marcus Bell")))
    assert "Logs behind pace" in marcus.inner_text()

    # Remind: the reminder the daily sweep would send, now, and once.
    submit(page, marcus.get_by_role("button", name="Remind Marcus Bell"), "director-at-risk-reminded")
    assert re.search(r"(Reminder emailed to Marcus Bell|Marcus Bell already has this reminder): no coaching logged",
                     page.locator(".flash").first.inner_text())
    assert "/at-risk" in page.url
    newest_mail(live_server, SLOW_ADMIN, "coaching")  # the email went out (on this click or an earlier one)
    submit(page, marcus.get_by_role("button", name="Remind Marcus Bell"), "director-at-risk-reminded-again")
    assert "Marcus Bell already has this reminder" in page.locator(".flash").first.inner_text()

    # Assign: from the row, back to the list; then the assignment is ended again (the demo stays as it was).
    submit(page, marcus.get_by_role("link", name="Assign someone to Marcus Bell"), "director-at-risk-assigning")
    page.get_by_label("Person", exact=True).select_option(label="Pat Moreno")
    page.get_by_label("As", exact=True).select_option(label="Site administrator")
    submit(page, page.get_by_role("button", name="Assign to Marcus Bell"), "director-at-risk-assigned")
    assert "Assigned as site administrator." in page.locator(".flash").first.inner_text()
    assert "/at-risk" in page.url
    page.get_by_role("navigation", name="Program").get_by_role("link", name="Mentors & coaches").click()
    row = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Marcus Bell")))
    assert "Pat Moreno · Site administrator" in row.inner_text()
    row.get_by_role("button", name="End assignment of Pat Moreno").click()
    page.wait_for_load_state("load")
    assert "Pat Moreno · Site administrator" not in page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Marcus Bell"))).inner_text()

    # Open: the candidate's record.
    page.get_by_role("navigation", name="Program").get_by_role("link", name="At risk", exact=True).click()
    page.wait_for_load_state("load")
    submit(page, marcus.get_by_role("link", name="Open Marcus Bell's record"), "director-at-risk-opened")
    assert re.search(r"/enrollments/\d+$", page.url)


# Words a person should never read on a director's page: rule keys and other snake_case names, ISO dates,
# the rule book's legend marks, "(s)" plurals, needless decimals, long countdowns in days.
_NOT_WORDS = {
    "snake_case name": r"\b[a-z]+(?:_[a-z0-9]+)+\b",
    "ISO date": r"\b\d{4}-\d{2}-\d{2}\b",
    "legend mark": r"\[[A-Z]\]",
    "(s) plural": r"\w\(s\)",
    "needless decimal": r"\b\d+\.0\b",
    "long countdown in days": r"\b\d{3,} days\b",
    "file path": r"\b[\w-]+/[\w-]+\.(?:md|py|csv|html)\b",
}
_MAIN_TEXT = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('code, option').forEach(el => el.remove());  // the roster's CSV column names are code
  return main.innerText;
}"""


def test_every_director_page_fits_the_screen_and_speaks_plain_words(page: Any) -> None:
    sign_in(page, DEMO["director"])
    for program, short in (("Butte CASC Induction", "casc"), ("Tulare Teacher Induction", "induction"),
                           ("Sequoia Valley PIP Support", "pip")):
        page.goto("/programs/")
        page.get_by_role("link", name=program, exact=True).click()
        nav = page.get_by_role("navigation", name="Program")
        sections = [link.inner_text() for link in nav.get_by_role("link").all()]
        assert "Settings" in sections and "At risk" in sections
        for section in sections:
            link = page.get_by_role("navigation", name="Program").get_by_role("link", name=section, exact=True)
            submit(page, link, f"director-{short}-{re.sub(r'[^a-z]+', '-', section.lower()).strip('-')}")
            text = page.evaluate(_MAIN_TEXT)
            for what, pattern in _NOT_WORDS.items():
                found = re.findall(pattern, text)
                assert not found, f"{program} · {section}: {what} on screen: {found[:5]}"
