"""Candidates' journeys through sign-up, the enrolment wizard, the team and the plans, in real Chromium
at phone and desktop sizes (issue 8).

Each journey starts from its own candidate (a fresh sign-up, or one placed by tests/browser/states.py),
so the phone and desktop runs, and the other journeys on the shared server, never meet. Every page is
checked by visit()/submit()/check_page(): status, no sideways scroll, controls on screen, axe, screenshot.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    assert_flash,
    check_page,
    newest_mail,
    pdf_bytes,
    place,
    section_link,
    sign_in,
    submit,
    unique_token,
    visit,
)
from tests.browser.pathway_steps import confirm_proposal

pytestmark = pytest.mark.browser


def test_a_pip_teacher_signs_up_enrols_invites_a_mentor_who_signs_her_support_note(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    name, email = f"Pia Quintero {token}", f"pia.{token}@journeys.example.org"

    # A new account.
    visit(page, "/auth/sign-up", "sign-up")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Choose a password").fill("a long enough password")
    page.get_by_label("Repeat the password").fill("a different password")
    submit(page, page.get_by_role("button", name="Create my account"), "sign-up-refused", status=400)
    assert page.get_by_text("The two passwords differ.").is_visible()
    page.get_by_label("Choose a password").fill("a long enough password")
    page.get_by_label("Repeat the password").fill("a long enough password")
    submit(page, page.get_by_role("button", name="Create my account"), "enrol-pathway")
    assert_flash(page, "Your account is ready.")
    assert page.get_by_text("Step 1 of 2").is_visible()

    # The wizard: pathway, then program, credential goal and dates.
    page.get_by_role("radio", name=re.compile("Provisional Internship Permit")).check()
    submit(page, page.get_by_role("button", name="Continue"), "enrol-details")
    assert page.get_by_text("Step 2 of 2").is_visible()
    program = page.get_by_label("Program", exact=True)
    assert program.locator("option:checked").inner_text().startswith("Sequoia Valley PIP Support")
    submit(page, page.get_by_role("button", name="Start my enrolment"), "enrol-refused", status=400)
    assert page.get_by_role("alert").get_by_text("The enrolment was not started").is_visible()
    assert page.get_by_text("Say which credential you are working toward.").is_visible()
    page.get_by_label("Credential you are working toward").fill("University Intern Credential, Single Subject")
    page.get_by_label("Subject or authorization").fill("Mathematics")
    page.get_by_label(re.compile("^Employer")).fill("Sequoia Valley Unified School District")
    submit(page, page.get_by_role("button", name="Start my enrolment"), "dashboard-new-pip")
    assert_flash(page, "Your enrolment has started.")
    assert page.get_by_role("heading", name="Your pathway").is_visible()  # her own: her name is in the header
    assert page.get_by_text("Now at: Vacancy search").is_visible()
    dashboard = urlsplit(page.url).path
    assert re.fullmatch(r"/enrollments/\d+", dashboard)

    # Evidence: her transcripts.
    visit(page, f"{dashboard}/checklist", "checklist-new-pip-start")
    assert page.locator(".req", has_text="Official transcripts").locator(".badge").text_content().strip() == "Missing"
    visit(page, dashboard, "dashboard-new-pip-start")
    transcripts = page.locator("#evidence li", has_text="Official transcripts")
    page.get_by_label("Which requirement").select_option(label="Official transcripts")
    page.get_by_label("File").set_input_files(
        {"name": f"transcripts-{token}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(token)})
    submit(page, page.locator("#upload").get_by_role("button", name="Upload"), "new-pip-uploaded")
    assert_flash(page, "Uploaded Official transcripts (version 1).")
    assert transcripts.locator(".badge").text_content().strip() == "Submitted"

    # The team: she proposes the demo mentor by email (the program confirms a mentor, not she).
    submit(page, section_link(page, "Team"), "team-new-pip")
    assert page.get_by_text("Nobody has joined yet.").is_visible()
    page.get_by_label("Their email").fill(DEMO["mentor"])
    page.get_by_label("Their role on your team").select_option(label="Mentor (proposed: the program confirms)")
    submit(page, page.get_by_role("button", name="Send invitation"), "team-invited")
    assert_flash(page, f"Invitation sent to {DEMO['mentor']}.")
    pending = page.locator("section[aria-labelledby=pending-heading] li", has_text=DEMO["mentor"])
    assert pending.locator(".badge").text_content().strip() == "Mentor"

    # The mentor follows the link in the email (written by the server's folder mail backend).
    mail = newest_mail(live_server, DEMO["mentor"], f"{name} invited you")
    link = re.search(r"https?://\S+/invitations/\S+", mail)
    assert link, mail
    mentor = person(None)  # signed out, as someone opening the email would be
    visit(mentor, urlsplit(link.group(0)).path, "invitation-sign-in-first")
    assert mentor.get_by_role("heading", name=f"Join {name}’s support team").is_visible()
    submit(mentor, mentor.get_by_role("link", name="Sign in to accept"), "invitation-sign-in")
    mentor.get_by_label("Email").fill(DEMO["mentor"])
    mentor.get_by_label("Password").fill("demo-password-2026")
    submit(mentor, mentor.get_by_role("button", name="Sign in"), "invitation-accept")
    submit(mentor, mentor.get_by_role("button", name="Accept and join as mentor"), "invitation-accepted")
    assert_flash(mentor, "Welcome to the team. You can view and monitor this enrolment now; "
                         "the program confirms you as mentor before you sign anything.")
    assert urlsplit(mentor.url).path == dashboard

    # Back on her team page, the mentor is on the team as proposed, and the invitation is answered.
    visit(page, f"{dashboard}/team", "team-joined")
    member = page.locator("section[aria-labelledby=members-heading] li", has_text="Maya Ortiz")
    assert member.locator(".badge").first.inner_text() == "Support-team member (view and monitor)"
    assert member.get_by_text("Proposed as mentor: waiting for the program to confirm").is_visible()
    assert page.get_by_text("No invitations are waiting.").is_visible()

    # The program director confirms the proposal on the program's mentor assignments.
    director = person(DEMO["director"])
    confirm_proposal(director, "Sequoia Valley PIP Support", name, "Maya Ortiz", "mentor")
    check_page(director, "assignments-proposal-confirmed")
    row = director.locator("section", has=director.get_by_role("heading", name=name))
    assert row.get_by_text(re.compile(r"Maya Ortiz · Mentor since")).is_visible()
    visit(page, f"{dashboard}/team", "team-mentor-confirmed")
    member = page.locator("section[aria-labelledby=members-heading] li", has_text="Maya Ortiz")
    assert member.locator(".badge").text_content().strip() == "Mentor"

    # She logs a support note for her mentor to sign.
    submit(page, section_link(page, "Logs"), "logs-new-pip")
    note = f"Planned the first unit with my mentor ({token})."
    page.get_by_label("What", exact=True).select_option(label="Support note")
    page.get_by_label("Who will sign it").select_option(label="Maya Ortiz (mentor)")
    page.get_by_label("Notes", exact=True).fill(note)
    submit(page, page.get_by_role("button", name="Add to the log"), "log-added-new-pip")
    assert_flash(page, "Logged. It counts once it is signed.")
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text("Awaiting Maya Ortiz").is_visible()

    # And a review of her tracker with the team, for the same mentor to sign.
    submit(page, section_link(page, "Review meetings"), "meetings-new-pip")
    assert page.get_by_text("No review meetings recorded yet.").is_visible()
    page.get_by_label("Who took part").fill(f"{name}\nMaya Ortiz, mentor\nPriya Shah, principal\n"
                                            "Ana Lopez, credential analyst\nIrene Park, support provider")
    for role in ("credential_analyst", "site_administrator", "mentor", "prep_program_support_provider"):
        page.locator(f"#attended-{role}").check()  # the program requires each of them at a review
    page.get_by_label("Who will sign it").select_option(label="Maya Ortiz (mentor)")
    page.get_by_label("Notes").fill(f"Reviewed the tracker: transcripts are in ({token}).")
    submit(page, page.get_by_role("button", name="Record the meeting"), "meeting-recorded")
    assert_flash(page, "Review meeting recorded. It counts once your mentor signs it.")
    meeting = page.locator(".meeting-list li").first
    assert meeting.get_by_text(f"{name}, Maya Ortiz, mentor, Priya Shah, principal, Ana Lopez, credential analyst, "
                               "Irene Park, support provider").is_visible()
    assert meeting.get_by_text("Does not count toward the reviews").count() == 0
    assert meeting.locator(".badge").text_content().strip() == "Awaiting Maya Ortiz"

    # What is still missing, on her dashboard: the next step's list and every requirement not met.
    submit(page, section_link(page, "Checklist"), "checklist-new-pip-missing")
    step = page.locator(".step-option", has_text="screen eligibility")
    assert step.get_by_text(re.compile(r"Still missing \(\d+\)")).is_visible()
    assert step.get_by_text("Who: District HR").is_visible()
    # Its group may be folded (only the group under way opens): the badge is read, not looked at.
    assert page.locator(".req", has_text="Live Scan receipt").locator(".badge").text_content().strip() == "Missing"

    # The mentor signs the note.
    visit(mentor, f"{dashboard}/logs", "logs-new-pip-as-mentor")
    entry = mentor.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    submit(mentor, entry.get_by_role("button", name=re.compile("^Sign this entry")), "log-signed-new-pip")
    assert_flash(mentor, "Signed.")
    entry = mentor.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text("Signed by Maya Ortiz").is_visible()
    visit(mentor, f"{dashboard}/meetings", "meetings-new-pip-as-mentor")
    submit(mentor, mentor.get_by_role("button", name="Sign this meeting record"), "meeting-signed")
    assert_flash(mentor, "Signed.")  # back on the meetings page, where it was signed
    assert mentor.url.endswith(f"{dashboard}/meetings")
    assert mentor.locator(".meeting-list li").first.locator(".badge").text_content().strip() == "Signed by Maya Ortiz"
    # Signing confirmed the mentor was there; the others listed confirm it from their own screens.
    assert mentor.locator(".meeting-count").inner_text().startswith("0 of ")
    assert mentor.get_by_text("Counts once confirmed by").is_visible()
    for who in ("analyst", "intern_program"):
        staff_member = person(DEMO[who])
        visit(staff_member, f"{dashboard}/meetings", f"meetings-new-pip-as-{who.replace('_', '-')}")
        submit(staff_member, staff_member.get_by_role("button", name="Yes, I was there"), f"meeting-confirmed-{who.replace('_', '-')}")
        assert_flash(staff_member, "Thank you: you confirmed you were there.")
    # Her principal is not on her team yet, so nobody can confirm the supervisor was there: it does not count.
    visit(page, f"{dashboard}/meetings", "meetings-new-pip-waiting-on-supervisor")
    assert page.locator(".meeting-count").inner_text().startswith("0 of ")
    assert page.get_by_text("Counts once confirmed by your direct supervisor (site administrator).").is_visible()


def test_a_director_assigns_a_mentor_in_time_and_the_teacher_shares_her_ilp(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    name = f"Lena Fischer {token}"
    enrollment_id, email = place(live_server, "induction-waiting-for-mentor", name)
    dashboard = f"/enrollments/{enrollment_id}"

    # The director, from the programs page to the program's mentor assignments.
    sign_in(page, DEMO["director"])
    visit(page, "/programs/", "programs")
    submit(page, page.get_by_role("link", name="Tulare Teacher Induction"), "cohort-induction")
    submit(page, page.get_by_role("navigation", name="Program").get_by_role("link", name="Mentors & coaches"),
           "assignments")
    row = page.locator("section", has=page.get_by_role("heading", name=name))
    assert row.get_by_text(re.compile(r"Mentor assigned by \d{1,2} [A-Z][a-z]+ \d{4}")).is_visible()
    assert row.get_by_text("No mentor or coach yet.").is_visible()
    picker = row.get_by_label("Person")  # the program's pool first, each with their caseload
    picker.select_option(label=next(o for o in picker.locator("option").all_inner_texts() if o.startswith("Maya Ortiz · mentor")))
    row.get_by_label("As").select_option(label="Mentor")
    submit(page, row.get_by_role("button", name=re.compile("^Assign")), "assignments-assigned")
    row = page.locator("section", has=page.get_by_role("heading", name=name))
    assert row.get_by_text(re.compile(r"Maya Ortiz · Mentor since")).is_visible()
    assert row.get_by_text(re.compile("Mentor assigned by")).count() == 0  # the window's rule is met

    # The teacher writes her ILP and shares it.
    teacher = person(email)
    visit(teacher, f"{dashboard}/checklist", "checklist-induction-assigned")
    assigned = teacher.locator(".req", has_text="A mentor must be assigned by")
    assert assigned.locator(".badge").text_content().strip() == "Done"
    goals_set = teacher.locator(".req", has_text="Your ILP goals must be set by")
    assert goals_set.locator(".badge").text_content().strip() == "Not yet"
    submit(teacher, section_link(teacher, "Plans"), "plans-induction")
    ilp = teacher.locator(".plan-list li", has_text="Individual Learning Plan")
    assert ilp.get_by_text("Not started").is_visible()
    submit(teacher, ilp.get_by_role("link", name="Individual Learning Plan (ILP)"), "ilp-new")
    teacher.get_by_label("CSTP edition").select_option(label="2024 CSTP")
    teacher.get_by_role("button", name="Next").click()  # one standard per screen: CSTP 1 next
    goal = teacher.locator("#part-2:not([hidden])")
    goal.get_by_label(re.compile("^Goal")).fill(f"Engage every student in discussion ({token}).")
    goal.get_by_label(re.compile("^Measurable actions")).fill("Use talk moves in two lessons a week.")
    teacher.locator("#plan-saved[data-state=saved]").wait_for()  # saved as typed
    visit(teacher, teacher.url, "ilp-saved")
    assert teacher.get_by_text("Draft: not shared for approval").is_visible()
    submit(teacher, teacher.get_by_role("button", name="Share with the team"), "ilp-shared")
    assert_flash(teacher, "Individual Learning Plan (ILP) shared for approval.")
    assert teacher.locator(".plan-status").get_by_text("Shared for approval").is_visible()

    # Sharing filed the plan as her ILP document, for her mentor to verify.
    submit(teacher, section_link(teacher, "Overview"), "dashboard-induction-ilp-shared")
    document = teacher.locator("#evidence li", has_text=_ILP_FILE)
    assert document.locator(".badge").text_content().strip() == "Submitted"
    submit(teacher, section_link(teacher, "Checklist"), "checklist-induction-ilp-shared")
    assert goals_set.locator(".badge").text_content().strip() == "Done"  # set within the window
    assert goals_set.get_by_text(re.compile(r"goals set: \w+ \d+, \d{4}")).is_visible()

    # Her mentor verifies the document.
    mentor = person(DEMO["mentor"])
    visit(mentor, dashboard, "dashboard-induction-as-mentor")
    document = mentor.locator("#evidence li", has_text=_ILP_FILE)
    submit(mentor, document.get_by_role("button", name=re.compile("^Verify")), "ilp-verified")
    assert_flash(mentor, "Verified.")
    assert mentor.locator("#evidence li", has_text=_ILP_FILE).locator(".badge").text_content().strip() == "Verified"
    visit(mentor, f"{dashboard}/checklist", "checklist-induction-as-mentor")
    ilp_rule = mentor.locator(".req", has=mentor.locator(".req-title", has_text=re.compile(r"^Individual Learning Plan")))
    assert ilp_rule.locator(".badge").text_content().strip() == "Done"


# Sharing a plan files it as a PDF named after the plan and its revision (the name made safe for a file).
_ILP_FILE = re.compile(r"Individual.Learning.Plan.+revision.\d+\.pdf")  # autosave: one revision per pause in typing
