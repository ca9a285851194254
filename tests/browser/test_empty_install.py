"""From an empty install to a candidate with a mentor, at phone size, in the browser only (issue 24,
"Done when"): migrations and one `flask create-user`, then the service administrator sets up the
organisation, a program per pathway and its staff (by invitation and by spreadsheet), a candidate
signs up and enrols, and the director assigns a mentor from the pool. No script, no seed, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DEMO, LiveServer, serving, sign_in, unique_token
from tests.browser.district_setup import ORGANISATION, PROGRAMS, set_up_district, snap
from tests.browser.pathway_steps import PASSWORD, flashed, go, press

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own, started as a real district's: no demo data at all."""
    with serving(tmp_path_factory.mktemp("live-empty"), demo=False) as base:
        yield base


@pytest.fixture
def size() -> str:
    """Phone size only (390×844): the journey is long, and the issue asks for it on a phone."""
    return "phone"


def test_a_district_starts_from_nothing_and_a_candidate_gets_a_mentor(page: Any, person: Any,
                                                                      live_server: LiveServer) -> None:
    # Nothing exists yet: the candidates' wizard says so in their words, not with a dead end.
    sign_in(page, DEMO["admin"])
    set_up_district(page, lambda: person(None), live_server)

    # A candidate signs up on the candidates' page and enrols in the open induction program.
    candidate = person(None)
    email = f"teacher-{unique_token(candidate)}@example.org"
    go(candidate, "/auth/sign-up")
    candidate.get_by_label("Your name").fill("Tomás Nguyễn")
    candidate.get_by_label("Email").fill(email)
    candidate.get_by_label("Choose a password").fill(PASSWORD)
    candidate.get_by_label("Repeat the password").fill(PASSWORD)
    press(candidate, candidate.get_by_role("button", name="Create my account"), "signing up")
    assert urlsplit(candidate.url).path.startswith("/enrol")
    candidate.get_by_label("Teacher Induction", exact=False).first.check()
    press(candidate, candidate.get_by_role("button", name="Continue"), "choosing induction")
    candidate.get_by_label("Program", exact=True).select_option(label=f"{PROGRAMS['induction']} ({ORGANISATION})")
    candidate.get_by_label("Credential you are working toward").fill("Clear Multiple Subject Teaching Credential")
    candidate.get_by_label("Date you started in the program").fill("2026-09-01")
    snap(candidate, "candidate-enrols")
    press(candidate, candidate.get_by_role("button", name="Start my enrolment"), "enrolling")

    # The director assigns the mentor from the program's pool, with her caseload beside her name.
    director = person(DEMO["director"])
    go(director, "/programs/")
    press(director, director.get_by_role("link", name=PROGRAMS["induction"], exact=True), "the induction program")
    press(director, director.get_by_role("navigation", name="Program").get_by_role("link", name="Mentors & coaches"),
          "assignments")
    bulk = director.locator("section", has=director.get_by_role("heading", name="Assign several candidates at once"))
    person_choice = bulk.get_by_label("Person")
    label = next(o for o in person_choice.locator("option").all_inner_texts() if o.startswith("Maya Ortiz"))
    assert label == "Maya Ortiz · mentor · 0 candidates"
    person_choice.select_option(label=label)
    bulk.get_by_label("As").select_option(label="Mentor")
    bulk.get_by_label("Tomás Nguyễn").check()
    snap(director, "assign-from-pool")
    press(director, bulk.get_by_role("button", name="Assign to the ticked candidates"), "assigning")
    flashed(director, "Assigned as mentor to 1 candidate.")

    # The mentor finds the candidate on her home page; the candidate's team names her.
    mentor = person(DEMO["mentor"])
    go(mentor, "/")
    assert mentor.get_by_role("link", name="Tomás Nguyễn").is_visible()
    snap(mentor, "mentor-home")
