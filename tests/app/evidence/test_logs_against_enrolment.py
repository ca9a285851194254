"""Logs checked against the enrolment: dates inside it and not in the future, the program year from
the date, per-year totals from dates, CASC coaching hours, PIP reviews with the roles the rule book
names, and support notes from the supervisor and district staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import LogEntry, utcnow
from app.services import NotPermitted
from app.services.evidence import logs, reviews
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.casc import rules as casc_rules
from workflows.dates import add_years
from workflows.facts import Count
from workflows.pip import rules as pip_rules
from workflows.roles import Role

ALL_ROLES = ["district_hr", "site_administrator", "mentor", "prep_program_support_provider"]


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    """A CASC candidate in their second year (enrolled 400 days ago), with a coach."""
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=400)
    driver.walker().assign(Role.COACH)
    session.commit()
    return driver


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=60)
    driver.walker().assign(Role.MENTOR)
    session.commit()
    return driver


def coach_log(driver: PathwayDriver, occurred_on: date, hours: float = 1.0) -> LogEntry:
    """The candidate logs a coaching meeting and the coach signs it."""
    entry = logs.add(driver.session, driver.refresh(), driver.candidate, kind="coaching", occurred_on=occurred_on,
                     hours=hours, notes="", signer=driver.people[Role.COACH], today=TODAY)
    logs.sign(driver.session, entry, driver.people[Role.COACH])
    driver.session.commit()
    return entry


def entries(session: Session) -> list[LogEntry]:
    session.expire_all()
    return list(session.exec(select(LogEntry)).all())


# --- dates inside the enrolment, on the app's clock ----------------------------------------------


@pytest.mark.parametrize("days_before", [1, 365])
def test_an_entry_dated_before_the_enrolment_is_refused_and_nothing_is_stored(casc: PathwayDriver,
                                                                               days_before: int) -> None:
    began = casc.enrollment.enrolled_on
    with pytest.raises(logs.LogError, match="before your enrolment began") as refused:
        coach_log(casc, began - timedelta(days=days_before))
    assert refused.value.status == 400
    casc.session.rollback()
    assert entries(casc.session) == []


def test_the_first_day_of_the_enrolment_and_today_are_accepted(casc: PathwayDriver) -> None:
    coach_log(casc, casc.enrollment.enrolled_on)
    coach_log(casc, TODAY)
    assert len(entries(casc.session)) == 2


def test_the_route_refuses_a_date_outside_the_enrolment_with_400_and_stores_nothing(app: Flask, casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    path = f"/enrollments/{casc.enrollment.id}/logs"
    for day, message in ((casc.enrollment.enrolled_on - timedelta(days=1), "before your enrolment began"),
                         (TODAY + timedelta(days=1), "in the future")):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "coaching",
                                           "occurred_on": day.isoformat(), "hours": "1",
                                           "signer_id": str(casc.people[Role.COACH].id)})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert entries(casc.session) == []


def test_future_means_after_the_app_clocks_today(app: Flask, casc: PathwayDriver) -> None:
    """A date the system calls tomorrow is today once the app's clock has moved a day on."""
    app.config["CLOCK_OFFSET_SECONDS"] += 86400
    client = signed_in(app, casc.candidate.email)
    path = f"/enrollments/{casc.enrollment.id}/logs"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "coaching",
                                       "occurred_on": (TODAY + timedelta(days=1)).isoformat(), "hours": "1",
                                       "signer_id": str(casc.people[Role.COACH].id)})
    assert response.status_code == 302
    assert [e.occurred_on for e in entries(casc.session)] == [TODAY + timedelta(days=1)]


# --- the program year comes from the date -----------------------------------------------------------


def test_the_program_year_is_derived_from_the_date_not_chosen(app: Flask, casc: PathwayDriver) -> None:
    began = casc.enrollment.enrolled_on
    anniversary = add_years(began, 1)
    # A week apart (one coaching meeting a week): the last days of Year 1 and the first of Year 2.
    first, second = coach_log(casc, anniversary - timedelta(days=7)), coach_log(casc, anniversary)
    assert (first.program_year, second.program_year) == (1, 2)
    # The form has no year to pick; a year sent anyway changes nothing.
    client = signed_in(app, casc.candidate.email)
    path = f"/enrollments/{casc.enrollment.id}/logs"
    assert 'name="program_year"' not in client.get(path).get_data(as_text=True)
    client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "professional_learning",
                            "occurred_on": (began + timedelta(days=3)).isoformat(), "hours": "2", "program_year": "2",
                            "signer_id": str(casc.people[Role.COACH].id)})
    [learning] = [e for e in entries(casc.session) if e.kind == "professional_learning"]
    assert learning.program_year == 1


def test_thresholds_count_per_year_from_dates(casc: PathwayDriver) -> None:
    began = casc.enrollment.enrolled_on
    anniversary = add_years(began, 1)
    for week in range(3):
        coach_log(casc, began + timedelta(weeks=week), hours=1.5)
    coach_log(casc, anniversary + timedelta(days=2), hours=2)
    counts = casc.facts().counts
    assert (counts[Count.COACHING_WEEKS_Y1], counts[Count.COACHING_WEEKS_Y2]) == (3, 1)
    assert (counts[Count.COACHING_HOURS_Y1], counts[Count.COACHING_HOURS_Y2]) == (4.5, 2)


def test_entries_in_the_wrong_place_for_the_year_no_longer_count(casc: PathwayDriver) -> None:
    """Rows from before the check (a meeting before enrolment labelled Year 2, a Year-1 date labelled
    Year 2, a future date) count for the year their date falls in, or not at all."""
    began = casc.enrollment.enrolled_on
    coach, candidate = casc.people[Role.COACH], casc.candidate
    for day in (began - timedelta(days=200), began + timedelta(days=20), TODAY + timedelta(days=10)):
        casc.session.add(LogEntry(enrollment_id=casc.enrollment.id, kind="coaching", occurred_on=day, program_year=2,
                                  hours=1, author_id=candidate.id, signer_id=coach.id, signed_at=utcnow()))
    casc.session.commit()
    counts = casc.facts().counts
    assert (counts[Count.COACHING_WEEKS_Y1], counts[Count.COACHING_WEEKS_Y2]) == (1, 0)
    assert (counts[Count.COACHING_HOURS_Y1], counts[Count.COACHING_HOURS_Y2]) == (1, 0)


def test_an_early_completion_candidate_logs_in_year_two(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=20)
    for event, role in (("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE), ("apply_eco", Role.CANDIDATE),
                        ("approve_eco", Role.PROGRAM_DIRECTOR)):
        driver.advance(event, role)
    assert driver.refresh().state == "eco_active" and logs.early_completion(session, driver.enrollment)
    entry = logs.add(session, driver.enrollment, driver.candidate, kind="mentoring", occurred_on=TODAY - timedelta(days=1),
                     hours=1, notes="", signer=driver.people[Role.MENTOR], today=TODAY)
    assert entry.program_year == 2


# --- CASC coaching hours -----------------------------------------------------------------------------


def test_casc_year_one_needs_the_coaching_hours_as_well_as_the_weeks(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=400, settings={"coaching_weeks_per_year": 2,
                                                                                 "coaching_hours_per_year": 5})
    driver.walker().assign(Role.COACH)
    session.commit()
    began = driver.enrollment.enrolled_on
    coach_log(driver, began + timedelta(days=1), hours=1)
    coach_log(driver, began + timedelta(days=8), hours=1)
    facts = driver.facts()
    assert casc_rules.CASC_COACHING_Y1.check(facts) and not casc_rules.CASC_COACHING_HOURS_Y1.check(facts)
    assert casc_rules.CASC_COACHING_HOURS_Y1.explain(facts) == "2 of 5 coaching hours logged for Year 1."
    coach_log(driver, began + timedelta(days=15), hours=3)
    assert casc_rules.CASC_COACHING_HOURS_Y1.check(driver.facts())


# --- PIP reviews with the roles the rule book names ------------------------------------------------------


def post_review(app: Flask, driver: PathwayDriver, days_ago: int, roles: list[str]) -> LogEntry:
    client = signed_in(app, driver.candidate.email)
    path = f"/enrollments/{driver.enrollment.id}/meetings"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "occurred_on": (TODAY - timedelta(days=days_ago)).isoformat(),
                                       "participants": "Dana Lee, principal\nSam HR", "notes": "Reviewed.",
                                       "signer_id": str(driver.people[Role.MENTOR].id), "attendee_roles": roles})
    assert response.status_code == 302
    entry = max(entries(driver.session), key=lambda e: e.id)  # type: ignore[arg-type, return-value]
    logs.sign(driver.session, entry, driver.people[Role.MENTOR])
    driver.session.commit()
    for role in entry.attendee_roles:  # everyone listed confirms being there (the mentor did by signing)
        if role != Role.MENTOR.value:
            reviews.answer(driver.session, driver.refresh(), entry.id, driver.person(Role(role)), present=True)  # type: ignore[arg-type]
            driver.session.commit()
    return entry


def test_a_review_without_the_required_roles_does_not_count(app: Flask, pip: PathwayDriver) -> None:
    without_supervisor = [role for role in ALL_ROLES if role != "site_administrator"]
    entry = post_review(app, pip, 5, without_supervisor)
    assert entry.attendee_roles == ["district_hr", "mentor", "prep_program_support_provider"]
    assert pip.facts().counts[Count.REVIEWS_HELD] == 0
    page = signed_in(app, pip.candidate.email).get(f"/enrollments/{pip.enrollment.id}/meetings").get_data(as_text=True)
    assert "0 of 3" in page and "Does not count" in page and "direct supervisor (site administrator) was not there" in page
    post_review(app, pip, 4, ["credential_analyst", "site_administrator", "mentor", "prep_program_support_provider"])
    assert pip.facts().counts[Count.REVIEWS_HELD] == 1  # a credential analyst stands for the district


def test_which_roles_a_review_needs_is_a_program_setting(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=30, settings={"pip_review_needs_supervisor": False})
    driver.walker().assign(Role.MENTOR)
    session.commit()
    post_review(app, driver, 3, ["district_hr", "mentor", "prep_program_support_provider"])
    facts = driver.facts()
    assert facts.counts[Count.REVIEWS_HELD] == 1
    assert "supervisor" not in pip_rules.PIP_REVIEWS.explain(facts)


def test_a_role_a_review_cannot_list_is_refused_and_nothing_is_stored(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    path = f"/enrollments/{pip.enrollment.id}/meetings"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "occurred_on": TODAY.isoformat(),
                                       "participants": "A\nB", "signer_id": str(pip.people[Role.MENTOR].id),
                                       "attendee_roles": ["mentor", "service_administrator"]})
    assert response.status_code == 400 and "Choose who attended" in response.get_data(as_text=True)
    assert entries(pip.session) == []


# --- support notes from the supervisor and district staff ---------------------------------------------


@pytest.mark.parametrize("role", [Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.MENTOR,
                                  Role.PREP_PROGRAM_SUPPORT_PROVIDER])
def test_the_supervisor_and_district_staff_record_support_notes(app: Flask, pip: PathwayDriver, role: Role) -> None:
    client = signed_in(app, pip.people[role].email)
    path = f"/enrollments/{pip.enrollment.id}/logs"
    form = client.get(path).get_data(as_text=True)
    assert "Add a support note" in form and 'name="signer_id"' not in form
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "support_note",
                                       "occurred_on": (TODAY - timedelta(days=1)).isoformat(), "hours": "0.5",
                                       "notes": "Observed the lesson; shared CSET prep times."})
    assert response.status_code == 302
    [note] = entries(pip.session)
    # Their own account of the support they gave: recorded and signed by its author.
    assert (note.kind, note.author_id, note.signer_id) == ("support_note", pip.people[role].id, pip.people[role].id)
    assert note.signed_at is not None
    assert "shared CSET prep times" in client.get(path).get_data(as_text=True)  # the author reads it
    assert "shared CSET prep times" in signed_in(app, pip.candidate.email).get(path).get_data(as_text=True)
    # The support team reads it (seed 000: support from the mentor, supervisor and district staff).
    reader = Role.SITE_ADMINISTRATOR if role is Role.MENTOR else Role.MENTOR
    assert "shared CSET prep times" in signed_in(app, pip.people[reader].email).get(path).get_data(as_text=True)


def test_support_notes_from_others_keep_to_their_kind_and_their_dates(app: Flask, pip: PathwayDriver) -> None:
    supervisor = pip.people[Role.SITE_ADMINISTRATOR]
    with pytest.raises(NotPermitted):
        logs.add(pip.session, pip.refresh(), supervisor, kind="review_meeting", occurred_on=TODAY, hours=0,
                 notes="", signer=None, today=TODAY, participants=["A", "B"])
    with pytest.raises(logs.LogError, match="before your enrolment began"):
        logs.add(pip.session, pip.refresh(), supervisor, kind="support_note",
                 occurred_on=pip.enrollment.enrolled_on - timedelta(days=1), hours=0, notes="", signer=None, today=TODAY)
    pip.session.rollback()
    client = signed_in(app, pip.people[Role.PROGRAM_DIRECTOR].email)  # not a support-note writer
    path = f"/enrollments/{pip.enrollment.id}/logs"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "support_note",
                                       "occurred_on": TODAY.isoformat(), "hours": "0", "notes": "x"})
    assert response.status_code == 403
    assert entries(pip.session) == []


def test_support_notes_are_only_for_the_pip_pathway(casc: PathwayDriver) -> None:
    with pytest.raises(NotPermitted):
        logs.add(casc.session, casc.refresh(), casc.people[Role.SITE_ADMINISTRATOR], kind="support_note",
                 occurred_on=TODAY, hours=0, notes="", signer=None, today=TODAY)


def test_an_induction_teacher_logs_professional_development_and_the_mentor_signs_it(app: Flask, session: Session) -> None:
    """Seed 001, district: "Offer professional development"; the teacher logs what she attended, her mentor signs."""
    driver = PathwayDriver(app, session, "induction")
    driver.walker().assign(Role.MENTOR)
    session.commit()
    path = f"/enrollments/{driver.enrollment.id}/logs"
    teacher = signed_in(app, driver.candidate.email)
    logged = teacher.post(path, data={"csrf_token": csrf_token(teacher, path), "kind": "professional_learning",
                                      "occurred_on": (TODAY - timedelta(days=2)).isoformat(), "hours": "3",
                                      "notes": "District PD: formative assessment", "signer_id": str(driver.people[Role.MENTOR].id)})
    assert logged.status_code == 302
    [entry] = [e for e in entries(session) if e.kind == "professional_learning"]
    mentor = signed_in(app, driver.people[Role.MENTOR].email)
    signed = mentor.post(f"{path}/{entry.id}/sign", data={"csrf_token": csrf_token(mentor, path)})
    assert signed.status_code == 302
    session.expire_all()
    assert session.get(LogEntry, entry.id).signed_at is not None  # type: ignore[union-attr]
    assert "District PD: formative assessment" in teacher.get(path).get_data(as_text=True)
