"""The cohort dashboard, the at-risk list with its reasons, and the filtered candidate list."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from flask import Flask
from sqlmodel import Session

from app.models import Enrollment, SignOffTask, User
from app.services.enrollments import pathways
from app.services.programs import cohort
from app.services.team import accounts
from tests.app.director_fixtures import signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.roles import Role


def add_candidate(app: Flask, session: Session, driver: PathwayDriver, name: str, days_ago: int) -> Enrollment:
    # The address from the name's letters only: a name may be anything ("=HYPERLINK(evil)"), an address may not.
    local = re.sub(r"[^a-z]", "", name.split()[0].lower()) or "someone"
    user = accounts.create_user(session, f"{local}{days_ago}@example.org", name, "correct horse battery")
    with app.app_context():
        enrollment = pathways.enroll(session, user, driver.program, TODAY - timedelta(days=days_ago), user)
    session.commit()
    return enrollment


def test_the_dashboard_counts_candidates_per_state_and_links_each_figure(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    add_candidate(app, session, driver, "Bea Lee", 5)
    driver.advance("enrol", Role.PROGRAM_DIRECTOR)
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    body = client.get(f"/programs/{driver.program.id}").get_data(as_text=True)
    # A bar per state that has candidates (legible HTML, not an SVG of 14 mostly empty rows), each a link.
    assert '<ul class="bars chart"' in body and "<svg" not in body and "<table" not in body
    bar = r'<a href="([^"]+)">\s*<span class="bar-label">{}</span> <span class="bar-value">(\d+)'
    eligible, enrolled = re.search(bar.format("Eligible"), body), re.search(bar.format("Enrolled"), body)
    assert eligible.group(2) == "1" and enrolled.group(2) == "1"
    assert body.count('class="bar-label"') == 2 + len(cohort.RISK_KINDS)  # two states with candidates, then risks
    assert "other steps of the pathway have nobody" in body
    listed = client.get(eligible.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Bea Lee" in listed and "1 candidate<" in listed


def test_the_at_risk_list_names_the_deadline_its_rule_and_source(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    body = client.get(f"/programs/{driver.program.id}/at-risk").get_data(as_text=True)
    assert "Deadline within 30 days" in body and "Mentor assigned" in body
    assert "induction.mentor_within_days" not in body  # the rule's key stays in the code
    assert "Source: Teacher Induction precondition 2 (CTC)" in body
    assert "20 days left" in body


def test_an_overdue_signoff_task_and_a_slow_coaching_pace_are_risks(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=25)
    for event, role in [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR),
                        ("start_year1", Role.CANDIDATE)]:
        driver.advance(event, role)
    session.add(SignOffTask(enrollment_id=driver.enrollment.id, key="year1_complete", role="coach",
                            what="Year 1 completion", due_on=TODAY - timedelta(days=3)))
    session.commit()
    program = driver.program
    [line] = cohort.load(session, program)
    kinds = line.risk_kinds
    assert "signoff_overdue" in kinds
    assert "behind_pace" in kinds  # 3.5 weeks in, no coaching week logged
    pace = next(r for r in line.risks if r.kind == "behind_pace")
    assert "coaching" in pace.what.lower() and "expected by now" in pace.what


def test_filters_narrow_the_list_and_the_csv_neutralises_formulas(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    add_candidate(app, session, driver, "=HYPERLINK(evil)", 400)
    session.get(User, driver.candidate.id).name = "Plain Name"
    session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    base = f"/programs/{driver.program.id}"
    year = (TODAY - timedelta(days=400)).year
    listed = client.get(f"{base}/candidates?year={year}").get_data(as_text=True)
    if year != TODAY.year:
        assert "Plain Name" not in listed
    assert "=HYPERLINK(evil)" in listed  # shown as text on the page (escaped by Jinja)
    response = client.get(f"{base}/candidates.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["candidate_name", "email", "state"]
    assert "'=HYPERLINK(evil)" in [r[0] for r in rows[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    printable = client.get(f"{base}/candidates?print=1").get_data(as_text=True)
    assert "printable" in printable and "Download this list" not in printable
