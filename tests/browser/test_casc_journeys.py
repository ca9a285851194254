"""A CASC candidate's way through the program with the people around her, in real Chromium at phone and
desktop sizes (issue 8): IIP 1 shared, verified by the coach and approved by the director from the inbox;
coaching logs signed; the exit-interview panel deciding by quorum; the director recommending.

Each test starts from a candidate of its own placed by tests/browser/states.py (as `flask seed-demo` places
the demo candidates), then every step is taken in the browser, each person in their own browser profile.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    assert_flash,
    check_page,
    place,
    section_link,
    sign_in,
    submit,
    unique_token,
    visit,
)

pytestmark = pytest.mark.browser


def _requirement(page: Any, title: str) -> Any:
    """A requirement on the enrolment's checklist, by the start of its title."""
    return page.locator(".req", has=page.locator(".req-title", has_text=re.compile("^" + re.escape(title))))


IIP_FILE = re.compile(r"IIP.1.+revision.\d+\.pdf")  # autosave: one revision per pause in typing


def test_year_1_iip_shared_verified_by_the_coach_approved_by_the_director_then_coaching_signed(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    name = f"Cora Vance {token}"
    enrollment_id, email = place(live_server, "casc-admitted", name)
    dashboard = f"/enrollments/{enrollment_id}"

    # The candidate writes IIP 1 (a goal on each of CPSEL 1-3) and shares it.
    sign_in(page, email)
    visit(page, f"{dashboard}/checklist", "checklist-casc-admitted")
    assert page.get_by_text("Now at: Admitted").is_visible()
    assert _requirement(page, "IIP 1").locator(".badge").text_content().strip() == "Missing"
    submit(page, section_link(page, "Plans"), "plans-casc")
    submit(page, page.get_by_role("link", name=re.compile("^IIP 1")), "iip1-new")
    page.get_by_label(re.compile("^Leadership goal")).fill(f"Build a shared vision for reading ({token}).")
    for number, standard in enumerate(["CPSEL 1", "CPSEL 2", "CPSEL 3"], start=2):
        page.get_by_role("button", name="Next").click()  # one standard per screen, saved as it is typed
        goal = page.locator(f"#part-{number}:not([hidden])")
        assert goal.get_by_role("heading", level=2).inner_text().startswith(standard)
        goal.get_by_label(re.compile("^Goal")).fill(f"Goal on {standard}.")
        goal.get_by_label(re.compile("^Measurable actions")).fill(f"Two actions on {standard}, checked monthly.")
    page.locator("#plan-saved[data-state=saved]").wait_for()
    check_page(page, "iip1-saved")
    submit(page, page.get_by_role("button", name="Share with the team"), "iip1-shared")
    assert_flash(page, "shared for approval.")

    # Sharing filed IIP 1 as her document. The director's approval cannot be asked for until the coach
    # has verified it: the dashboard says what the sign-off waits for, and offers no button yet.
    submit(page, section_link(page, "Overview"), "dashboard-casc-iip1-shared")
    assert page.locator("#evidence li", has_text=IIP_FILE).locator(".badge").text_content().strip() == "Submitted"
    assert page.get_by_role("button", name=re.compile("^Ask for the sign-offs")).count() == 0
    submit(page, section_link(page, "Checklist"), "checklist-casc-iip1-shared")
    start_year1 = page.locator(".step-option", has_text="Start Year 1")
    assert start_year1.get_by_text(re.compile(r"Waiting for the .*IIP 1.* to be verified first\.")).is_visible()

    # The coach verifies IIP 1 on the candidate's dashboard.
    coach = person(DEMO["coach"])
    visit(coach, dashboard, "dashboard-casc-as-coach")
    document = coach.locator("#evidence li", has_text=IIP_FILE)
    submit(coach, document.get_by_role("button", name=re.compile("^Verify")), "iip1-verified")
    assert_flash(coach, "Verified.")
    visit(coach, f"{dashboard}/checklist", "checklist-casc-as-coach")
    assert _requirement(coach, "IIP 1").locator(".badge").text_content().strip() == "Done"

    # Now she asks for the director's approval from her dashboard.
    visit(page, dashboard, "dashboard-casc-iip1-verified")
    submit(page, page.get_by_role("button", name=re.compile("^Ask for the sign-offs")), "signoffs-asked")
    assert_flash(page, "Asked for 1 sign-off.")
    # The sign-off now waits on the director: under "Waiting on others", who and since when.
    waiting = page.locator(".waiting li", has_text="Your program director approves IIP 1")
    assert waiting.get_by_text("Program director", exact=True).is_visible()
    assert waiting.get_by_text(re.compile(r"^Since \d{1,2} [A-Z][a-z]+ \d{4}")).is_visible()

    # The director finds it unclaimed in the inbox.
    director = person(DEMO["director"])
    visit(director, "/inbox?tab=unclaimed", "inbox-unclaimed-iip1")
    line = director.locator(".task-line", has_text=name)
    assert line.get_by_role("link", name="IIP 1 approved sign-off (program director)").is_visible()

    # The director opens the task and approves it: the last thing Year 1 waited on.
    submit(director, line.get_by_role("link", name="IIP 1 approved sign-off (program director)"), "task-iip1")
    assert director.get_by_role("heading", name="IIP 1 approved sign-off (program director)").is_visible()
    assert director.locator("ul.checks").count() == 0  # nothing stands in the way now
    assert director.locator("section[aria-labelledby=docs-heading] li", has_text=IIP_FILE).get_by_text("verified").is_visible()
    director.get_by_label("Comment for the record (optional)").fill("Goals are concrete and measurable.")
    submit(director, director.get_by_role("button", name="Approve", exact=True), "task-iip1-approved")
    assert_flash(director, "That was the last sign-off the step needed: it has moved on.")
    assert director.locator(".badge-state").inner_text() == "Approved"
    visit(director, "/inbox?tab=done", "inbox-done")
    assert "Approved" in director.locator(".task-line", has_text=name).locator(".task-meta").last.inner_text()

    # The candidate is in Year 1 and logs a coaching meeting; her coach signs it.
    visit(page, dashboard, "dashboard-casc-year1")
    assert page.get_by_text("Now at: Year 1").is_visible()
    submit(page, section_link(page, "Logs"), "logs-casc-year1")
    note = f"Coaching on the shared vision ({token})."
    page.get_by_label("What", exact=True).select_option(label="Coaching")
    page.get_by_label("Notes", exact=True).fill(note)
    submit(page, page.get_by_role("button", name="Add to the log"), "log-added-casc-year1")
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text("Awaiting Colin Baker").is_visible()
    visit(coach, f"{dashboard}/logs", "logs-casc-year1-as-coach")
    entry = coach.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    submit(coach, entry.get_by_role("button", name=re.compile("^Sign this entry")), "log-signed-casc-year1")
    entry = coach.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text("Signed by Colin Baker").is_visible()
    weeks = coach.locator("section[aria-labelledby=totals-heading] li", has_text="coaching weeks logged for Year 1")
    assert weeks.inner_text().lstrip().startswith("1 of 40")  # no needless decimal


def test_the_exit_interview_panel_decides_by_quorum_and_the_director_recommends(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    name = f"Elena Ruiz {token}"
    enrollment_id, _ = place(live_server, "casc-exit-interview", name)

    # The director convenes the panel from the inbox: the panel member counts, the coach sits in.
    sign_in(page, DEMO["director"])
    visit(page, "/inbox", "inbox-mine-director")
    convene = page.locator("li.queue-item", has_text=name).filter(has_text="Convene the exit-interview panel")
    submit(page, convene.get_by_role("link", name=re.compile("^Convene it")), "panel-setup")
    assert page.get_by_role("heading", name=f"Convene the exit-interview panel for {name}").is_visible()
    page.get_by_role("checkbox", name=re.compile("^Pat Moreno")).check()
    page.get_by_role("checkbox", name=re.compile("^Colin Baker")).check()
    page.get_by_label(re.compile("^Quorum")).fill("2")
    submit(page, page.get_by_role("button", name="Convene the panel"), "panel-setup-refused", status=400)
    assert page.get_by_text("The quorum must be between 1 and 1").is_visible()  # the coach does not count
    page.get_by_role("checkbox", name=re.compile("^Pat Moreno")).check()
    page.get_by_role("checkbox", name=re.compile("^Colin Baker")).check()
    page.get_by_label(re.compile("^Quorum")).fill("1")
    submit(page, page.get_by_role("button", name="Convene the panel"), "panel-convened")
    assert_flash(page, "Panel convened.")
    panel_path = page.url.split(live_server, 1)[1]
    assert page.get_by_text("0 for mastery · 0 not yet · 1 still to vote").is_visible()

    # The coach's vote is recorded but does not count toward the quorum.
    coach = person(DEMO["coach"])
    visit(coach, panel_path, "panel-as-coach")
    assert coach.get_by_text("your scores are recorded but do not count toward the quorum").is_visible()
    for number in range(1, 7):
        coach.locator(f"input[name=score_{number}][value='2']").check()
    coach.get_by_role("radio", name="Not yet").check()
    submit(coach, coach.get_by_role("button", name="Record my vote"), "panel-coach-refused", status=400)
    assert coach.get_by_text("Say why you do not see mastery yet").is_visible()
    coach.get_by_label(re.compile("^Reason")).fill("CPSEL 2 needs more evidence from the classroom walks.")
    submit(coach, coach.get_by_role("button", name="Record my vote"), "panel-coach-voted")
    assert_flash(coach, "Vote recorded.")
    assert coach.get_by_text("0 for mastery · 0 not yet · 1 still to vote").is_visible()

    # The panel member finds the panel in the inbox and votes mastery: the quorum is reached.
    member = person(DEMO["panel"])
    visit(member, "/inbox", "inbox-panel-member")
    submit(member, member.locator("section[aria-labelledby=panels-heading]").get_by_role("link", name=name),
           "panel-as-member")
    for number in range(1, 7):
        member.get_by_role("radio", name="3 of 4 · Proficient").nth(number - 1).check()
    member.get_by_role("radio", name="Yes, mastery").check()
    submit(member, member.get_by_role("button", name="Record my vote"), "panel-decided")
    assert_flash(member, "Vote recorded. The panel's quorum agreed on mastery.")
    assert member.locator(".now .badge").inner_text() == "Mastery"
    assert member.get_by_text("1 for mastery · 0 not yet · 0 still to vote").is_visible()

    # The candidate passed the exit interview; the director recommends her.
    visit(page, f"/enrollments/{enrollment_id}", "dashboard-casc-ready")
    assert page.get_by_text("Now at: Ready for recommendation").is_visible()
    visit(page, "/programs/", "programs-before-recommending")
    submit(page, page.get_by_role("link", name="Butte CASC Induction"), "cohort-casc")
    submit(page, page.get_by_role("navigation", name="Program").get_by_role("link", name="Recommendations"),
           "recommendations")
    ready = page.locator("section[aria-labelledby=ready-heading]")
    for box in ready.get_by_role("checkbox").all():  # only her, in this batch
        if box.get_attribute("name") == "enrollment_id" and box.get_attribute("value") != str(enrollment_id):
            box.uncheck()
    assert ready.get_by_role("checkbox", name=re.compile(re.escape(name))).is_checked()
    ready.get_by_role("checkbox", name=re.compile("^I have checked each candidate")).check()
    submit(page, ready.get_by_role("button", name="Submit the recommendations"), "recommendations-submitted")
    outcome = page.locator("section[aria-labelledby=outcomes-heading] li", has_text=name)
    assert outcome.locator(".badge").text_content().strip() == "Recommended"
    assert page.locator("section[aria-labelledby=outcomes-heading] li").count() == 1
    followed = page.locator("#followed li.rec", has_text=name)
    assert followed.get_by_role("button", name="Record: Fitness questions answered").is_visible()
    visit(page, f"/enrollments/{enrollment_id}", "dashboard-casc-recommended")
    assert page.get_by_text("Now at: Recommended to the CTC").is_visible()


def test_a_panels_not_yet_reaches_the_candidate_and_the_next_panel_is_the_directors_turn(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    name = f"Rosa Vidal {token}"
    enrollment_id, email = place(live_server, "casc-exit-interview", name)
    reason = f"CPSEL 4 needs evidence from this year's family engagement ({token})."

    sign_in(page, DEMO["director"])
    visit(page, "/inbox", "inbox-director-to-convene")
    convene = page.locator("li.queue-item", has_text=name).filter(has_text="Convene the exit-interview panel")
    submit(page, convene.get_by_role("link", name=re.compile("^Convene it")), "panel-setup-not-yet")
    page.get_by_role("checkbox", name=re.compile("^Pat Moreno")).check()
    page.get_by_label(re.compile("^Quorum")).fill("1")
    submit(page, page.get_by_role("button", name="Convene the panel"), "panel-convened-not-yet")

    # The member's seat is in their inbox; they score and vote "not yet", with the reason the candidate reads.
    member = person(DEMO["panel"])
    visit(member, "/inbox", "inbox-member-seat")
    seat = member.locator("li.queue-item", has_text=name).filter(has_text="Vote on the exit-interview panel")
    submit(member, seat.get_by_role("link", name=re.compile("^Score and vote")), "panel-member-seat")
    for number in range(1, 7):
        member.get_by_role("radio", name="2 of 4 · Developing").nth(number - 1).check()
    member.get_by_role("radio", name="Not yet").check()
    member.get_by_label(re.compile("^Reason")).fill(reason)
    submit(member, member.get_by_role("button", name="Record my vote"), "panel-not-yet")
    assert_flash(member, "Vote recorded. The panel cannot reach mastery this time.")
    visit(member, "/inbox", "inbox-member-after-vote")
    assert member.locator("li.queue-item", has_text=name).count() == 0

    # The candidate reads the panel's word on her home: when, and each reason, unsigned.
    candidate = person(email)
    visit(candidate, f"/enrollments/{enrollment_id}", "dashboard-not-yet")
    outcome = candidate.locator("section[aria-labelledby=panel-outcome-heading]")
    assert outcome.get_by_role("heading", name="The exit-interview panel: not yet").is_visible()
    assert outcome.get_by_text(reason).is_visible()
    assert outcome.get_by_text("The program director convenes the next panel when you are ready").is_visible()

    # The next panel is the director's turn, in her inbox.
    visit(page, "/inbox", "inbox-director-next-panel")
    assert page.locator("li.queue-item", has_text=name).filter(
        has_text="Convene the next exit-interview panel").is_visible()
