"""Every pathway completed by real people, in real Chromium at phone size (issue 13, "Done when").

Each journey starts with a candidate who signs up fresh and ends at the pathway's last state. Every fact
is entered in the browser by the person who owns it: documents by whoever holds them and verified by the
role that clears them, dates and numbers on the facts page by their owners (the candidate's own entries
confirmed by them), logs signed by the mentor, coach or support provider they name, sign-offs approved
from the inbox. Time moves through the app clock: the service administrator's /admin/clock page, or
`flask clock` against the live instance, and the daily sweep is `flask reminders run`. The organisation's
staff are the demo approvers' people, but the district is not seeded: the module's server starts empty and its
service administrator sets up the organisation, programs and staff in the browser first (issue 24); no SQL
and no seeding happens anywhere.

The clock is shared by the whole live server, so each journey starts and ends on the real date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.browser import pathway_steps as steps
from tests.browser.conftest import DEMO, LiveServer, new_context, serving, sign_in, unique_token
from tests.browser.district_setup import set_up_district
from tests.browser.pathway_steps import (
    accept_invitation,
    approve,
    ask_for_signoffs,
    assert_now_at,
    confirm_fact,
    confirm_proposal,
    hand_in,
    invite,
    log,
    record_fact,
    sign_logs,
    snap,
    take_step,
    upload,
    verify,
)
from workflows.facts import EvidenceKind as K

pytestmark = pytest.mark.browser

PIP_PROGRAM = "Sequoia Valley PIP Support"
INDUCTION_PROGRAM = "Tulare Teacher Induction"
CASC_PROGRAM = "Butte CASC Induction"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[LiveServer]:
    """A live server of this module's own, started as a real district's (no demo data) and set up in the
    browser by its service administrator and staff (tests/browser/district_setup.py): its journeys move
    the app clock by years and run the daily sweep, which acts on every enrolment of the instance."""
    with serving(tmp_path_factory.mktemp("live-complete"), demo=False) as base:
        contexts: list[Any] = []

        def open_page(email: str | None = None) -> Any:
            context = new_context(browser, base, "phone")
            contexts.append(context)
            tab = context.new_page()
            if email:
                sign_in(tab, email)
            return tab

        try:
            set_up_district(open_page(DEMO["admin"]), open_page, base, prefix="complete-setup")
        finally:
            for context in contexts:
                context.close()
        yield base


@pytest.fixture
def size() -> str:
    """These journeys run at phone size only (390×844): they are long, and the layout is checked elsewhere."""
    return "phone"


@pytest.fixture
def staff(person: Any) -> dict[str, Any]:
    """The organisation's people, each signed in in their own browser profile, opened when first used."""
    opened: dict[str, Any] = {}

    class Staff(dict):  # type: ignore[type-arg]
        def __missing__(self, who: str) -> Any:
            opened[who] = person(DEMO[who])
            self[who] = opened[who]
            return opened[who]

    return Staff()


@pytest.fixture
def clock(staff: dict[str, Any]) -> Iterator[Any]:
    """The service administrator's page, with the app clock on the real date before and after the journey:
    the clock is shared by every test on the server."""
    steps.reset_clock(staff["admin"])
    yield staff["admin"]
    steps.reset_clock(staff["admin"])


# --- PIP ------------------------------------------------------------------------------------------------

def _pip_to_permit_issued(cand: Any, staff: dict[str, Any], live_server: LiveServer, name: str, email: str,
                          token: str) -> str:
    """A new PIP teacher from sign-up to "PIP active", every step by its owner; the dashboard path."""
    hr, analyst, director = staff["hr"], staff["analyst"], staff["director"]
    steps.sign_up(cand, name, email)
    dashboard = steps.enrol(cand, "Provisional Internship Permit", credential="University Intern Credential, Single Subject",
                            authorization="Mathematics", employer="Sequoia Valley Unified School District")
    snap(cand, f"pip-{token[:6]}-enrolled")

    # Her team: she proposes her mentor and her principal; the program director confirms them.
    for who, role, person_name, label in (("mentor", "Mentor", "Maya Ortiz", "mentor"),
                                          ("principal", "Site administrator", "Priya Shah", "site administrator")):
        invite(cand, dashboard, DEMO[who], role)
        accept_invitation(staff[who], live_server, DEMO[who], name)
        confirm_proposal(director, PIP_PROGRAM, name, person_name, label)

    # A0 → A1: district HR files the diligent search; the analyst verifies it; HR moves her on.
    upload(hr, dashboard, K.RECRUITMENT_RECORDS, token)
    verify(analyst, dashboard, K.RECRUITMENT_RECORDS)
    take_step(hr, dashboard, "Diligent search done: screen eligibility")

    # A1 → A2: her transcripts, worksheet and basic skills, verified by the analyst, who records that
    # subject-matter competence is not already met and how many emergency permits she held (she says none).
    hand_in(cand, analyst, dashboard, token, K.TRANSCRIPTS, K.ELIGIBILITY_WORKSHEET, K.BASIC_SKILLS)
    record_fact(cand, dashboard, "prior_emergency_permits", 0)
    confirm_fact(analyst, dashboard, "prior_emergency_permits")
    record_fact(analyst, dashboard, "smc_already_met", False)
    take_step(analyst, dashboard, "Confirm eligibility")

    # A2 → A3: the board notice from HR, her CL-857 and Live Scan receipt; the analyst requests the permit.
    upload(hr, dashboard, K.BOARD_NOTICE, token)
    verify(analyst, dashboard, K.BOARD_NOTICE)
    hand_in(cand, analyst, dashboard, token, K.CL_857, K.LIVE_SCAN_RECEIPT)
    take_step(analyst, dashboard, "Request the PIP")
    assert_now_at(cand, dashboard, "PIP requested")

    # A3 → A4: the permit comes; she types its issue date, the analyst confirms it and records the step.
    record_fact(cand, dashboard, "permit_issued_on", steps.app_today(staff["admin"]))
    snap(cand, f"pip-{token[:6]}-permit-date-claimed")
    confirm_fact(analyst, dashboard, "permit_issued_on")
    take_step(analyst, dashboard, "PIP issued by the CTC")
    assert_now_at(cand, dashboard, "PIP active")
    return dashboard


def test_pip_from_sign_up_to_intern_credential_issued(page: Any, staff: dict[str, Any], live_server: LiveServer,
                                                      clock: Any) -> None:
    token = unique_token(page)
    name, email = f"Pia Complete {token}", f"pia.complete.{token}@journeys.example.org"
    cand = page
    dashboard = _pip_to_permit_issued(cand, staff, live_server, name, email, token)
    hr, analyst, principal, mentor, intern = (staff[w] for w in ("hr", "analyst", "principal", "mentor",
                                                                  "intern_program"))

    # A4 → A5: her Personalized Plan, verified by her principal; the principal and HR sign it off.
    upload(cand, dashboard, K.PERSONALIZED_PLAN, token)
    verify(principal, dashboard, K.PERSONALIZED_PLAN)
    ask_for_signoffs(cand, dashboard, "Establish the plan")
    approve(principal, name, "Plan established")
    approve(hr, name, "Plan established")
    assert_now_at(cand, dashboard, "Plan established")
    snap(cand, "pip-plan-established")

    # Support over the year: her Action Plan, three reviews of the tracker with the whole team, and her
    # pre-service hours signed by the intern program. Time moves on the admin's clock page.
    upload(cand, dashboard, K.ACTION_PLAN, token)
    verify(mentor, dashboard, K.ACTION_PLAN)
    today = steps.advance_clock(staff["admin"], 100)
    for i, on in enumerate((today - timedelta(days=80), today - timedelta(days=40), today)):
        steps.record_review(cand, dashboard, on, [name, "Maya Ortiz", "Priya Shah", "Ana Lopez", "Irene Park"],
                            ["credential_analyst", "site_administrator", "mentor", "prep_program_support_provider"],
                            "Maya Ortiz", f"Review {i + 1} of the tracker ({token}).")
    assert steps.sign_reviews(mentor, dashboard) == 3  # signing confirms the mentor was there
    snap(mentor, "pip-reviews-signed")
    for who in ("analyst", "principal", "intern_program"):  # everyone else listed confirms being there
        assert steps.confirm_reviews(staff[who], dashboard) == 3, who
    for i in range(10):
        log(cand, dashboard, "preservice", today - timedelta(days=90 - 7 * i), 12, "Irene Park",
            f"Pre-service session {i + 1} ({token}).")
    assert sign_logs(intern, dashboard) == 10

    # Intern readiness: the analyst verifies her records, the intern program her admission, HR the offer.
    hand_in(cand, analyst, dashboard, token, K.SMC_VERIFICATION, K.US_CONSTITUTION, K.CLEARANCE)
    hand_in(cand, intern, dashboard, token, K.INTERN_ADMISSION_LETTER)
    upload(hr, dashboard, K.JOB_OFFER, token)
    verify(analyst, dashboard, K.JOB_OFFER)
    ask_for_signoffs(cand, dashboard, "Declare intern-credential ready")
    approve(analyst, name, "Intern ready")
    approve(intern, name, "Intern ready")
    assert_now_at(cand, dashboard, "Intern credential ready")
    snap(cand, "pip-intern-ready")

    # The intern program recommends her; the CTC issues the credential, which she uploads and the analyst
    # verifies and records.
    _recommend(intern, PIP_PROGRAM, name, dashboard)
    assert_now_at(cand, dashboard, "Intern credential recommended")
    _issue(cand, analyst, PIP_PROGRAM, name, dashboard, token)
    assert_now_at(cand, dashboard, "Intern credential issued")
    snap(cand, "pip-issued")


def test_a_second_pip_whose_permit_expires_first_ends_pip_expired(page: Any, staff: dict[str, Any],
                                                                   live_server: LiveServer, clock: Any) -> None:
    token = unique_token(page)
    name, email = f"Piet Lapse {token}", f"piet.lapse.{token}@journeys.example.org"
    cand = page
    dashboard = _pip_to_permit_issued(cand, staff, live_server, name, email, token)

    # A year and a day later (the permit is valid 12 months), the daily sweep ends it.
    steps.flask(live_server, "clock", "advance", "--days", "367")
    go_on = cand.goto(dashboard)
    assert go_on.status == 200
    assert cand.locator(".now .badge-state").inner_text() == "PIP active"  # nothing fires until the sweep
    steps.flask(live_server, "reminders", "run")
    assert_now_at(cand, dashboard, "PIP expired before intern-ready")
    snap(cand, "pip-expired")
    assert cand.get_by_text("This pathway has ended (PIP expired before intern-ready).").first.is_visible()


# --- Recommendation and issue (all pathways) ------------------------------------------------------------

def _recommend(submitter: Any, program: str, name: str, dashboard: str) -> None:
    """The pathway's submitter attests and submits her recommendation from the program's page."""
    steps.open_program(submitter, program, "Recommendations")
    ready = submitter.locator("section[aria-labelledby=ready-heading]")
    enrollment_id = dashboard.rsplit("/", 1)[1]
    for box in ready.locator("input[name=enrollment_id]").all():
        if box.get_attribute("value") != enrollment_id:
            box.uncheck()
    ready.get_by_role("checkbox", name=re.compile("^I have checked each candidate")).check()
    steps.press(submitter, ready.get_by_role("button", name="Submit the recommendations"), "recommending")
    outcome = submitter.locator("section[aria-labelledby=outcomes-heading] li", has_text=name)
    assert outcome.locator(".badge").text_content().strip() == "Recommended", outcome.all_inner_texts()


def _issue(cand: Any, analyst: Any, program: str, name: str, dashboard: str, token: str) -> None:
    """She answers the fitness questions and pays on CTC Online (the analyst records both), uploads the
    credential the CTC issued, the analyst verifies it and records it as issued."""
    upload(cand, dashboard, K.ISSUED_CREDENTIAL, token)
    verify(analyst, dashboard, K.ISSUED_CREDENTIAL)
    for action in ("Fitness questions answered", "Fee paid", "Credential issued"):
        steps.open_program(analyst, program, "Recommendations")
        followed = analyst.locator("#followed li.rec", has_text=name)
        steps.press(analyst, followed.get_by_role("button", name=f"Record: {action}"), action)


# --- Induction ------------------------------------------------------------------------------------------

def _hr_sees(hr: Any, dashboard: str) -> None:
    """District HR holds the role across the organisation (given once, at setup): they open the new
    candidate's record with no grant on this enrolment."""
    steps.go(hr, dashboard)


def _induction_to_ilp_goals_set(cand: Any, staff: dict[str, Any], live_server: LiveServer, name: str, email: str,
                                token: str) -> str:
    """A new teacher from sign-up to "ILP goals set", every fact by its owner; the dashboard path."""
    director, analyst, hr, mentor = staff["director"], staff["analyst"], staff["hr"], staff["mentor"]
    today = steps.app_today(staff["admin"])
    steps.sign_up(cand, name, email)
    dashboard = steps.enrol(cand, "Teacher Induction", credential="Clear Multiple Subject Teaching Credential",
                            authorization="Multiple Subject", employer="Visalia Unified School District",
                            dates={"Preliminary credential issued on": today - timedelta(days=200)})
    snap(cand, f"ind-{token[:6]}-enrolled")
    _hr_sees(hr, dashboard)
    invite(cand, dashboard, DEMO["mentor"], "Mentor")
    accept_invitation(mentor, live_server, DEMO["mentor"], name)
    confirm_proposal(director, INDUCTION_PROGRAM, name, "Maya Ortiz", "mentor")

    # Eligible → Enrolled: her credential and clearance verified by the analyst, who confirms the issue date
    # she typed; HR verifies her employment; the director records that she was advised of Early Completion.
    hand_in(cand, analyst, dashboard, token, K.PRELIMINARY_CREDENTIAL, K.CLEARANCE)
    confirm_fact(analyst, dashboard, "preliminary_issued_on")
    hand_in(cand, hr, dashboard, token, K.EMPLOYMENT_VERIFICATION)
    record_fact(director, dashboard, "eco_advised", True)
    take_step(director, dashboard, "Enrol")

    # Enrolled → Mentor assigned → ILP goals set: the director's match record (verified by the analyst),
    # then her ILP, verified by her mentor, within the 30- and 60-day windows.
    upload(director, dashboard, K.MENTOR_MATCH_RECORD, token)
    verify(analyst, dashboard, K.MENTOR_MATCH_RECORD)
    take_step(director, dashboard, "Assign a mentor")
    hand_in(cand, mentor, dashboard, token, K.ILP)
    take_step(cand, dashboard, "Set ILP goals")
    assert_now_at(cand, dashboard, "ILP goals set")
    return dashboard


def _mentoring(cand: Any, mentor: Any, dashboard: str, days: list[date], token: str) -> None:
    """She logs twelve-hour blocks of mentoring on those days; her mentor signs them."""
    for on in days:
        log(cand, dashboard, "mentoring", on, 12, "Maya Ortiz", f"Mentoring, observation and debrief ({token}).")
    assert sign_logs(mentor, dashboard) == len(days)


def _completion_review_to_issued(cand: Any, staff: dict[str, Any], name: str, dashboard: str, token: str,
                                 shot: str) -> None:
    """From "Completion review" to "Clear credential issued"."""
    director, analyst = staff["director"], staff["analyst"]
    # She presents her ILP evidence of growth as the completion review record; the director verifies it
    # and signs off (nobody signs off a document they uploaded themselves).
    hand_in(cand, director, dashboard, token, K.COMPLETION_REVIEW)
    ask_for_signoffs(director, dashboard, "Pass the completion review")
    approve(director, name, "Completion review passed", "Growth on every CSTP shown in her ILP evidence.")
    assert_now_at(cand, dashboard, "Ready for recommendation")
    snap(cand, f"{shot}-ready")
    _recommend(analyst, INDUCTION_PROGRAM, name, dashboard)
    assert_now_at(cand, dashboard, "Recommended to the CTC")
    _issue(cand, analyst, INDUCTION_PROGRAM, name, dashboard, token)
    assert_now_at(cand, dashboard, "Clear credential issued")
    snap(cand, f"{shot}-issued")


def test_induction_two_year_path_to_clear_credential_issued(page: Any, staff: dict[str, Any],
                                                            live_server: LiveServer, clock: Any) -> None:
    token = unique_token(page)
    name, email = f"Ines Twoyear {token}", f"ines.twoyear.{token}@journeys.example.org"
    cand, director, mentor = page, staff["director"], staff["mentor"]
    dashboard = _induction_to_ilp_goals_set(cand, staff, live_server, name, email, token)
    enrolled = steps.app_today(clock)
    take_step(cand, dashboard, "Begin Year 1", closes="closes the Early Completion Option for good")

    # Year 1: a year of mentoring (an hour a week on average), then the director's Year 1 review.
    today = steps.advance_clock(clock, 360)
    _mentoring(cand, mentor, dashboard, [enrolled + timedelta(days=d) for d in (60, 120, 180, 240, 300)], token)
    ask_for_signoffs(director, dashboard, "Complete Year 1")
    approve(director, name, "Year 1 complete")
    assert_now_at(cand, dashboard, "Year 1 complete")
    snap(cand, "ind-year1-complete")
    take_step(cand, dashboard, "Begin Year 2")

    # Year 2: another year of mentoring, then the completion review.
    today = steps.advance_clock(clock, 360)
    _mentoring(cand, mentor, dashboard, [today - timedelta(days=d) for d in (300, 220, 140, 60)], token)
    take_step(cand, dashboard, "Request the completion review")
    _completion_review_to_issued(cand, staff, name, dashboard, token, "ind-two-year")


def test_induction_with_early_completion_to_clear_credential_issued(page: Any, staff: dict[str, Any],
                                                                    live_server: LiveServer, clock: Any) -> None:
    token = unique_token(page)
    name, email = f"Esme Early {token}", f"esme.early.{token}@journeys.example.org"
    cand, director, hr, mentor = page, staff["director"], staff["hr"], staff["mentor"]
    dashboard = _induction_to_ilp_goals_set(cand, staff, live_server, name, email, token)
    enrolled = steps.app_today(clock)

    # She applies for Early Completion: her years as teacher of record, which HR confirms, and her
    # application, which the director verifies; her employer approves, then the director.
    record_fact(cand, dashboard, "teaching_years", 3)
    confirm_fact(hr, dashboard, "teaching_years")
    hand_in(cand, director, dashboard, token, K.ECO_APPLICATION)
    take_step(cand, dashboard, "Apply for Early Completion")
    ask_for_signoffs(director, dashboard, "Approve Early Completion")
    approve(hr, name, "Early Completion approved", "The district backs her application.")  # the employer first, then the program
    approve(director, name, "Early Completion approved")
    assert_now_at(cand, dashboard, "Early Completion year")
    snap(cand, "ind-eco-year")

    # One year of mentoring, then the completion review.
    steps.advance_clock(clock, 300)
    _mentoring(cand, mentor, dashboard, [enrolled + timedelta(days=d) for d in (50, 120, 190, 260)], token)
    take_step(cand, dashboard, "Request the completion review")
    _completion_review_to_issued(cand, staff, name, dashboard, token, "ind-eco")


# --- CASC -----------------------------------------------------------------------------------------------

def _a_year_of_coaching(cand: Any, coach: Any, dashboard: str, first: date, token: str, year: int) -> None:
    """Forty weekly coaching meetings of an hour from `first`, and twenty hours of professional learning;
    her coach signs every entry."""
    steps.log_weekly(cand, dashboard, "coaching", steps.weekdays(first, 40), 1, "Colin Baker",
                     f"Weekly coaching, Year {year} ({token})")
    for on in (first + timedelta(days=30), first + timedelta(days=150)):
        log(cand, dashboard, "professional_learning", on, 10, "Colin Baker", f"Leadership institute ({token}).")
    assert steps.sign_all_logs(coach, dashboard) == 42


def test_casc_year_1_year_2_exit_interview_recommendation_issued(page: Any, staff: dict[str, Any],
                                                                 live_server: LiveServer, clock: Any) -> None:
    token = unique_token(page)
    name, email = f"Cleo Complete {token}", f"cleo.complete.{token}@journeys.example.org"
    cand = page
    director, analyst, hr, coach, panel = (staff[w] for w in ("director", "analyst", "hr", "coach", "panel"))
    enrolled = steps.app_today(clock)
    steps.sign_up(cand, name, email)
    dashboard = steps.enrol(cand, "CASC induction", credential="Clear Administrative Services Credential",
                            authorization="Administrative Services", employer="Chico Unified School District",
                            dates={"First administrative position started on": enrolled - timedelta(days=60),
                                   "Preliminary Administrative Services Credential issued on":
                                       enrolled - timedelta(days=400)})
    snap(cand, "casc-enrolled")
    _hr_sees(hr, dashboard)
    invite(cand, dashboard, DEMO["coach"], "Coach")
    accept_invitation(coach, live_server, DEMO["coach"], name)
    confirm_proposal(director, CASC_PROGRAM, name, "Colin Baker", "coach")

    # Employed as an administrator: her preliminary ASC (the analyst verifies it and confirms its date), the
    # CL-777 from HR, and the position's start date she typed, which HR confirms.
    hand_in(cand, analyst, dashboard, token, K.PASC_OR_COE)
    confirm_fact(analyst, dashboard, "pasc_issued_on")
    upload(hr, dashboard, K.CL_777, token)
    verify(analyst, dashboard, K.CL_777)
    confirm_fact(hr, dashboard, "admin_position_started_on")
    take_step(hr, dashboard, "Verify administrative employment (CL-777)")

    # Admitted inside the window by the director's sign-off.
    ask_for_signoffs(director, dashboard, "Admit")
    approve(director, name, "Admitted")
    assert_now_at(cand, dashboard, "Admitted")

    # Year 1: her orientation record and assurances (the director verifies them), her first self-assessment and IIP 1.
    hand_in(cand, director, dashboard, token, K.ORIENTATION_Y1, K.ASSURANCES_Y1)
    steps.self_assess(cand, dashboard, enrolled, 2)
    hand_in(cand, coach, dashboard, token, K.IIP_1)
    ask_for_signoffs(cand, dashboard, "Start Year 1")
    approve(director, name, "IIP 1 approved")
    assert_now_at(cand, dashboard, "Year 1")
    snap(cand, "casc-year1")

    steps.advance_clock(clock, 300)
    _a_year_of_coaching(cand, coach, dashboard, enrolled + timedelta(days=1), token, 1)
    snap(coach, "casc-year1-logs-signed")
    ask_for_signoffs(director, dashboard, "Complete Year 1")
    approve(director, name, "Year 1 complete")
    assert_now_at(cand, dashboard, "Year 1 complete")

    # Year 2 begins with its orientation, assurances, a second self-assessment and IIP 2.
    hand_in(cand, director, dashboard, token, K.ORIENTATION_Y2, K.ASSURANCES_Y2)
    steps.self_assess(cand, dashboard, enrolled + timedelta(days=299), 3)
    hand_in(cand, coach, dashboard, token, K.IIP_2)
    ask_for_signoffs(cand, dashboard, "Start Year 2")
    approve(director, name, "IIP 2 approved")
    assert_now_at(cand, dashboard, "Year 2")

    steps.advance_clock(clock, 360)
    _a_year_of_coaching(cand, coach, dashboard, enrolled + timedelta(days=366), token, 2)
    steps.self_assess(cand, dashboard, enrolled + timedelta(days=650), 3)
    take_step(cand, dashboard, "Complete Year 2")
    assert_now_at(cand, dashboard, "Exit interview")
    snap(cand, "casc-exit-interview")

    # The exit interview: HR files the experience letter (the analyst verifies) and confirms her years of
    # administrative experience; the director convenes the panel, whose member finds mastery.
    upload(hr, dashboard, K.EXPERIENCE_LETTER, token)
    verify(analyst, dashboard, K.EXPERIENCE_LETTER)
    record_fact(cand, dashboard, "admin_experience_years", 2)
    confirm_fact(hr, dashboard, "admin_experience_years")
    steps.go(director, "/inbox")
    convene = director.locator("li.queue-item", has_text=name).filter(has_text="Convene the exit-interview panel")
    steps.press(director, convene.get_by_role("link", name=re.compile("^Convene it")), "panel set-up")
    director.get_by_role("checkbox", name=re.compile("^Pat Moreno")).check()
    director.get_by_label(re.compile("^Quorum")).fill("1")
    steps.press(director, director.get_by_role("button", name="Convene the panel"), "convening")
    steps.go(panel, "/inbox")
    steps.press(panel, panel.locator("section[aria-labelledby=panels-heading]").get_by_role("link", name=name), "panel")
    for number in range(6):
        panel.get_by_role("radio", name="3 of 4 · Proficient").nth(number).check()
    panel.get_by_role("radio", name="Yes, mastery").check()
    steps.press(panel, panel.get_by_role("button", name="Record my vote"), "voting")
    assert_now_at(cand, dashboard, "Ready for recommendation")

    # The director approves and submits the recommendation; the CTC issues the clear credential.
    ask_for_signoffs(director, dashboard, "Recommend to the CTC")
    approve(director, name, "Recommendation approved")
    _recommend(director, CASC_PROGRAM, name, dashboard)
    assert_now_at(cand, dashboard, "Recommended to the CTC")
    _issue(cand, analyst, CASC_PROGRAM, name, dashboard, token)
    assert_now_at(cand, dashboard, "Clear ASC issued")
    snap(cand, "casc-issued")
