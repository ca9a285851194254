"""The rest of the new pages, each checked at phone and desktop sizes (issue 8): resources, export and
self-assessments for a candidate; the director's program pages, roster import, resources and delegations;
notification settings. What is changed here is made by the test and undone or kept apart (a token per run),
so the demo candidates the other journeys use are left as they were.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    demo_enrollment_id,
    section_link,
    sign_in,
    submit,
    unique_token,
    visit,
)
from tests.today import TODAY

pytestmark = pytest.mark.browser


def _program_nav(page: Any, label: str) -> Any:
    return page.get_by_role("navigation", name="Program").get_by_role("link", name=label, exact=True)


def test_a_candidate_reads_resources_self_assessments_and_exports_her_record(
        page: Any, live_server: LiveServer) -> None:
    sign_in(page, DEMO["induction"])
    submit(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources"), "resources")
    assert page.get_by_role("heading", name="Resources", level=1).is_visible()
    assert page.get_by_role("heading", name="Add a link").count() == 0  # candidates read, the program adds

    dashboard = f"/enrollments/{demo_enrollment_id(live_server, 'induction')}"
    visit(page, dashboard, "dashboard-induction")
    submit(page, section_link(page, "Plans"), "plans-induction-demo")
    submit(page, page.get_by_role("link", name="CSTP self-assessments"), "self-assessments")
    assert page.get_by_role("heading", name="CSTP self-assessments", level=1).is_visible()
    assert page.get_by_role("heading", name="Growth over time").is_visible()
    assert page.get_by_role("heading", name="Record a self-assessment").is_visible()

    submit(page, section_link(page, "Export & calendar"), "export")
    assert page.get_by_role("heading", name="The whole record").is_visible()
    submit(page, page.get_by_role("link", name="Open the printable summary"), "export-summary")
    assert page.get_by_role("heading", name="Record of Ian Nakamura").is_visible()
    assert page.get_by_role("heading", name="Requirements").is_visible()


def test_a_director_goes_through_the_program_pages(page: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    sign_in(page, DEMO["director"])
    visit(page, "/programs/", "programs-index")
    submit(page, page.get_by_role("link", name="Butte CASC Induction"), "cohort")
    assert page.get_by_role("heading", name=re.compile(r"^Candidates by state \(\d+\)")).is_visible()

    submit(page, _program_nav(page, "Candidates"), "candidates")
    table = page.get_by_role("table", name="Candidates matching the filters")
    assert table.get_by_role("row", name=re.compile("Marcus Bell")).is_visible()
    page.get_by_label("Where they stand").select_option(value="ready_for_recommendation")
    submit(page, page.get_by_role("button", name="Apply filters"), "candidates-filtered")
    assert table.get_by_role("row", name=re.compile("Rosa Delgado")).is_visible()
    assert table.get_by_role("row", name=re.compile("Marcus Bell")).count() == 0

    submit(page, _program_nav(page, "At risk"), "at-risk")
    assert page.locator("li, section", has_text="Marcus Bell").first.get_by_text("Logs behind pace").first.is_visible()
    submit(page, _program_nav(page, "Pacing"), "pacing")
    marcus = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Marcus Bell")))
    assert marcus.get_by_role("row", name=re.compile("Weeks with a coaching meeting, Year 1")).get_by_text(
        re.compile("behind", re.IGNORECASE)).is_visible()
    submit(page, _program_nav(page, "Accreditation"), "accreditation")
    assert page.get_by_role("heading", name=re.compile("^Accreditation evidence as of")).is_visible()
    submit(page, _program_nav(page, "Settings"), "settings")
    assert page.get_by_role("heading", name="Clear Administrative Services Credential").is_visible()

    # Roster import: a preview that finds an error imports nothing; a clean file is imported.
    submit(page, _program_nav(page, "Roster import"), "roster")
    header = "email,name,enrolled_on,admin_position_started_on\n"
    today = TODAY
    good = f"roster.{token}@journeys.example.org,Roster Person {token},{today.isoformat()},{(today - timedelta(days=30)).isoformat()}\n"
    page.get_by_label(re.compile("^Roster file")).set_input_files(
        {"name": f"roster-{token}-bad.csv", "mimeType": "text/csv",
         "buffer": (header + good + "not-an-email,Nobody,someday,\n").encode()})
    submit(page, page.get_by_role("button", name="Preview"), "roster-preview-errors", status=400)
    assert page.get_by_text("Fix every error and upload the file again").is_visible()
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    page.get_by_label(re.compile("^Roster file")).set_input_files(
        {"name": f"roster-{token}.csv", "mimeType": "text/csv", "buffer": (header + good).encode()})
    submit(page, page.get_by_role("button", name="Preview"), "roster-preview")
    assert page.get_by_role("row", name=re.compile(f"Roster Person {token}")).is_visible()
    submit(page, page.get_by_role("button", name="Import 1 candidate"), "roster-imported")
    assert page.get_by_text("Imported 1 candidate; 0 already enrolled.").is_visible()
    assert page.get_by_role("row", name=re.compile(f"Roster Person {token}")).is_visible()


def test_a_director_keeps_resources_and_names_a_substitute(page: Any) -> None:
    token = unique_token(page)
    sign_in(page, DEMO["director"])
    visit(page, "/resources", "resources-director")
    title = f"Spring job fair {token}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Web address").fill("ftp://example.org/fair")
    submit(page, page.get_by_role("button", name="Add the link"), "resource-refused", status=400)
    assert page.get_by_role("heading", name="The link was not added").is_visible()
    page.get_by_label("Web address").fill("https://example.org/fair")
    page.get_by_label("What it is").select_option(index=1)
    submit(page, page.get_by_role("button", name="Add the link"), "resource-added")
    assert page.get_by_text("Link added.").is_visible()
    item = page.locator(".resource-list li", has=page.get_by_role("link", name=title))
    submit(page, item.get_by_role("button", name=re.compile("^Archive")), "resource-archived")
    assert page.get_by_text("Link archived.").is_visible()
    assert page.get_by_role("link", name=title).count() == 0

    visit(page, "/inbox/delegations", "delegations")
    page.get_by_label("Substitute’s email").fill(DEMO["analyst"])
    page.get_by_label("Last day").fill((TODAY - timedelta(days=1)).isoformat())
    submit(page, page.get_by_role("button", name="Name substitute"), "delegation-refused", status=400)
    assert page.get_by_text("The last day must be on or after the first day.").is_visible()
    page.get_by_label("First day").fill(TODAY.isoformat())
    page.get_by_label("Last day").fill((TODAY + timedelta(days=7)).isoformat())
    page.get_by_label("Note (optional)").fill(f"Away at the conference ({token})")
    submit(page, page.get_by_role("button", name="Name substitute"), "delegation-named")
    assert page.get_by_text("Substitute named.").is_visible()
    made = page.locator("section[aria-labelledby=made-heading] li", has_text="Ana Lopez").last
    submit(page, made.get_by_role("button", name=re.compile("^End now")), "delegation-ended")
    assert page.get_by_text("Delegation ended.").is_visible()
    assert page.locator("section[aria-labelledby=made-heading] li", has_text="Ana Lopez").last.get_by_text(
        "ended").is_visible()

    visit(page, "/auth/notifications", "notification-settings")
    assert page.get_by_role("button", name="Save").is_visible()
