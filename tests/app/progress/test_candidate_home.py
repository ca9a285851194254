"""The candidate's home: their own next steps, what waits on whom, an honest progress figure, the pathway drawn,
and words without keys, needless decimals or day counts in the thousands."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlmodel import Session

from app.services.enrollments import pathway_diagram, words
from app.services.evidence import filing
from app.services.progress import dashboard, home
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import csrf_token, signed_in
from workflows.pathway_map import pathway_map
from workflows.registry import definition
from workflows.roles import Role


def section(body: str, css_class: str) -> str:
    found = re.search(rf'<(section|details) class="card {css_class}".*?</\1>', body, re.DOTALL)
    return found.group(0) if found else ""


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "induction")


def year1(driver: PathwayDriver) -> PathwayDriver:
    for event, role in [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE)]:
        driver.advance(event, role)
    return driver


def test_a_teacher_early_in_year_1_reads_where_she_is_not_a_flattering_percentage(app: Flask, session: Session) -> None:
    # A program that counts every week, so one week is owed ten days in whatever day the suite runs as (on a
    # school calendar the week could be a break: tests/app/enrollments/test_school_weeks_year1.py).
    induction = year1(PathwayDriver(app, session, "induction",
                                    settings={"school_calendar": {"every_week": True, "years": []}}))
    body = signed_in(app, induction.candidate.email).get(f"/enrollments/{induction.enrollment.id}").get_data(as_text=True)
    assert "step 5 of 11" in body
    assert "%" not in re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>", "", body, flags=re.DOTALL)  # no percentage in the words
    progress = re.search(r'aria-labelledby="progress-heading".*?</section>', body, re.DOTALL).group(0)
    assert "Program completion" in progress and "0 of 3 done" in progress
    # Keeping the log is her standing next step in Year 1, one tap from the log form.
    steps = section(body, "next-steps")
    assert re.search(r"Log (your hours|a meeting or hours)", steps) and f"/enrollments/{induction.enrollment.id}/logs" in steps
    assert "0 of 1 hour so far" in steps  # the mentoring owed so far, without needless decimals


def test_what_waits_on_others_names_the_role_and_the_person(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    year1(induction)
    induction.people[Role.PROGRAM_DIRECTOR].name = "Dana Okafor"
    session.add(induction.people[Role.PROGRAM_DIRECTOR])
    session.commit()
    body = signed_in(app, induction.candidate.email).get(f"/enrollments/{induction.enrollment.id}").get_data(as_text=True)
    waiting = section(body, "waiting")
    # Completing Year 1 is the director's step and sign-off. Nobody has asked for it yet: no name is
    # given (the director has nothing in their inbox to sign), only who asks first.
    assert "Program director" in waiting and induction.people[Role.PROGRAM_DIRECTOR].name not in waiting
    assert "Not asked yet: the program director asks for the sign-offs." in waiting
    assert "Complete Year 1" not in section(body, "next-steps")
    # Asking is in the director's inbox; once asked, the line names her, since when.
    director = signed_in(app, induction.people[Role.PROGRAM_DIRECTOR].email)
    inbox = director.get("/inbox").get_data(as_text=True)
    assert "Ask for the sign-offs for “Complete Year 1”" in inbox
    page = f"/enrollments/{induction.enrollment.id}"
    asked = director.post(f"/inbox/enrollments/{induction.enrollment.id}/signoffs/complete_year1",
                          data={"csrf_token": csrf_token(director, page)})
    assert asked.status_code == 302, asked.get_data(as_text=True)
    waiting = section(signed_in(app, induction.candidate.email).get(page).get_data(as_text=True), "waiting")
    assert induction.people[Role.PROGRAM_DIRECTOR].name in waiting
    assert re.search(r"Since \d{1,2} [A-Z][a-z]+ \d{4}", waiting)
    assert "Ask for the sign-offs" not in director.get("/inbox").get_data(as_text=True)


def test_an_approver_sees_their_own_next_step_and_the_candidate_is_waiting_on_them(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    with app.app_context():
        filing.submit(session, pip.enrollment, "recruitment_records", "records.pdf", pdf_bytes("records"), pip.candidate)
        session.commit()
    page = f"/enrollments/{pip.enrollment.id}"
    hr = signed_in(app, pip.people[Role.DISTRICT_HR].email).get(page).get_data(as_text=True)
    assert "Check the recruitment records" in section(hr, "next-steps")
    candidate = signed_in(app, pip.candidate.email).get(page).get_data(as_text=True)
    assert "Verify your recruitment records" in section(candidate, "waiting")
    assert "Check the recruitment records" not in candidate


def test_the_early_completion_option_shows_in_the_checklist_when_it_applies(app: Flask, induction: PathwayDriver) -> None:
    client = signed_in(app, induction.candidate.email)
    page = f"/enrollments/{induction.enrollment.id}/checklist"
    assert "Early Completion Option application" not in client.get(page).get_data(as_text=True)  # not yet hers to weigh
    for event, role in [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE)]:
        induction.advance(event, role)
    checklist = client.get(page).get_data(as_text=True)
    assert "Early Completion Option" in checklist and "Early Completion Option application" in checklist
    # Applying is a side branch: in the menu on the home page, not a next step.
    body = client.get(f"/enrollments/{induction.enrollment.id}").get_data(as_text=True)
    assert "Apply for Early Completion" in section(body, "more-actions")
    assert "Apply for Early Completion" not in section(body, "next-steps")
    assert "No induction program available" not in body  # district HR's declaration, never offered to her


def test_a_recommended_candidate_is_offered_words_meant_for_her(app: Flask, session: Session) -> None:
    shape = pathway_map("induction", 1)
    assert shape.is_side_step("recommendation_returned", "recommended")
    board_step = dashboard.StepOption(event="recommendation_returned", label="Recommendation returned by the candidate",
                                      target_label="Ready", enabled=True, mine=True, asked_by="Candidate", missing=())
    assert home._button_words(board_step, is_candidate=True) == "Tell the program you returned the recommendation"
    assert "returned by the candidate" not in home._button_words(board_step, is_candidate=True)


def test_the_pathway_is_drawn_with_the_path_taken_and_the_branches(app: Flask, induction: PathwayDriver) -> None:
    year1(induction)
    body = signed_in(app, induction.candidate.email).get(f"/enrollments/{induction.enrollment.id}").get_data(as_text=True)
    svg = re.search(r"<svg class=\"pathway-map\".*?</svg>", body, re.DOTALL).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count('class="pm-node pm-current') == 1
    assert svg.count("pm-taken") == 4  # four steps taken: enrolled, mentor, ILP goals, Year 1
    assert "Early Completion year" in svg and "Optional" in svg  # the branch drawn, not taken
    assert re.search(r"Reached \d{1,2} [A-Z][a-z]+ \d{4}", svg)
    assert "Withdrawn" not in svg  # ways out are not drawn as steps


def test_the_main_route_is_the_two_year_track_and_ways_out_are_not_steps() -> None:
    shape = pathway_map("induction", 1)
    assert shape.spine[:5] == ("eligible", "enrolled", "mentor_assigned", "ilp_goals_set", "year1_active")
    assert shape.branches["eco_applied"] == "ilp_goals_set" and "withdrawn" in shape.exits
    assert shape.forward("ilp_goals_set")[0].event == "begin_year1"
    assert shape.forward("eco_applied")[0].event == "approve_eco"
    drawing = pathway_diagram.draw(shape, "withdrawn", ["eligible", "enrolled", "withdrawn"], {})
    assert drawing.nodes[-1].state == "withdrawn" and drawing.nodes[-1].status == "current"


def test_the_plans_page_says_verified_for_a_verified_ilp(app: Flask, session: Session, induction: PathwayDriver) -> None:
    with app.app_context():
        induction.walker().provide("ilp")  # filed and verified as a document, never written on the page
        session.commit()
    body = signed_in(app, induction.candidate.email).get(f"/enrollments/{induction.enrollment.id}/plans").get_data(as_text=True)
    ilp = re.search(r'<li class="card">.*?Individual Learning Plan.*?</li>', body, re.DOTALL).group(0)
    assert "Verified" in ilp and "Not started" not in ilp


@pytest.mark.parametrize(("days", "said"), [(0, "Due today"), (1, "1 day left"), (45, "45 days left"),
                                            (-3, "3 days overdue"), (200, "about 7 months left"),
                                            (1426, "about 3 years and 11 months left"), (730, "about 2 years left")])
def test_countdowns_read_in_days_then_months(days: int, said: str) -> None:
    assert words.countdown(days) == said


def test_figures_and_dates_read_as_people_write_them() -> None:
    assert words.figure(40.0) == "40" and words.figure(1.5) == "1.5" and words.figure(0) == "0"
    assert words.day_in_words(date(2027, 3, 2)) == "2 March 2027"
    assert words.source_words("5 CCR §80021.1(a)(2) [configurable: pip_requires_basic_skills]") == "5 CCR §80021.1(a)(2)"


def test_a_pathway_with_no_step_left_says_how_it_ended_not_that_it_is_complete() -> None:
    from app.services.progress.home import _at_rest
    from workflows.pathway_map import pathway_map

    shape = pathway_map("pip", 1)
    assert "is complete" in _at_rest(shape, "intern_credential_issued")
    assert _at_rest(shape, "pip_expired_not_ready").startswith("This pathway has ended (PIP expired")
    assert "other people's hands" in _at_rest(shape, "intern_recommended")


def test_the_candidate_sees_the_rule_and_source_behind_a_late_mentor(app: Flask, session: Session) -> None:
    """Day 40 without a mentor: the candidate's home names the 30-day rule and its source, as the
    director's page does, and every line waiting on someone says which rule it answers to."""
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=40)
    body = signed_in(app, driver.candidate.email).get(f"/enrollments/{driver.enrollment.id}").get_data(as_text=True)
    headline = section(body, "headline home-headline overdue")
    assert "Mentor assigned" in headline and "overdue" in headline
    assert "A mentor must be assigned by" in headline
    source = words.source_words(definition("induction", 1).rules["induction.mentor_within_days"].source)
    assert f"Source: {source}" in headline
    waiting = section(body, "waiting")
    assert not waiting or "Source: " in waiting
