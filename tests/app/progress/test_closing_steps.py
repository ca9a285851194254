"""A step that closes an option for good says so before it is taken: beginning Year 1 closes the
Early Completion Option (issue 29). The page asks for a confirmation, the API for `understood`."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session

from app.models import Enrollment
from app.services.enrollments import pathways
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from workflows.registry import plugin
from workflows.roles import Role

WORDS = "closes the Early Completion Option for good"


def _at_ilp_goals_set(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "induction")
    for event, role in [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                        ("set_ilp_goals", Role.CANDIDATE)]:
        driver.advance(event, role)
    return driver


def _state(session: Session, driver: PathwayDriver) -> str:
    session.expire_all()
    return session.get(Enrollment, driver.enrollment.id).state  # type: ignore[union-attr]


def test_only_a_step_that_leaves_the_track_untaken_closes_it() -> None:
    track = plugin("induction").side_track
    assert track is not None
    assert track.closed_by("ilp_goals_set", "year1_active")
    assert not track.closed_by("ilp_goals_set", "eco_applied")  # applying takes it
    assert not track.closed_by("eco_applied", "eco_active")
    assert not track.closed_by("year1_active", "year1_complete")  # long closed: nothing to warn of
    assert not track.closed_by("eco_active", "completion_review")  # taken, and now completed
    assert not track.closed_by("eco_applied", "year1_active")  # the director's denial, not the candidate's choice


def test_the_page_warns_then_asks_to_confirm_and_changes_nothing_until_then(app: Flask, session: Session) -> None:
    driver = _at_ilp_goals_set(app, session)
    page = f"/enrollments/{driver.enrollment.id}"
    client = signed_in(app, driver.candidate.email)
    home = client.get(page).get_data(as_text=True)
    assert WORDS in home and "You will be asked to confirm." in home
    assert WORDS in client.get(f"{page}/checklist").get_data(as_text=True)
    token = csrf_token(client, page)
    version = driver.refresh().version_id
    asked = client.post(f"{page}/steps/begin_year1", data={"csrf_token": token, "version": version})
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Begin Year 1?" in body and WORDS in body and "Yes, begin Year 1" in body
    assert _state(session, driver) == "ilp_goals_set"
    done = client.post(f"{page}/steps/begin_year1", data={"csrf_token": token, "version": version, "understood": "yes"})
    assert done.status_code == 302
    assert _state(session, driver) == "year1_active"


def test_applying_for_early_completion_needs_no_confirmation(app: Flask, session: Session) -> None:
    driver = _at_ilp_goals_set(app, session)
    assert pathways.closes(driver.refresh(), "apply_eco") is None
    assert pathways.closes(driver.refresh(), "withdraw") is None  # a way out is its own decision
    assert WORDS in (pathways.closes(driver.refresh(), "begin_year1") or "")


def test_the_api_says_what_a_step_closes_and_wants_it_understood(app: Flask, session: Session) -> None:
    driver = _at_ilp_goals_set(app, session)
    api = api_as(app, session, driver.candidate)
    path = f"/enrollments/{driver.enrollment.id}"
    events = {e["event"]: e for e in api.get(path).get_json()["events"]}
    assert WORDS in events["begin_year1"]["closes"] and events["apply_eco"]["closes"] is None
    refused = api.post(f"{path}/events/begin_year1", json={})
    assert refused.status_code == 422 and WORDS in str(refused.get_json())
    assert _state(session, driver) == "ilp_goals_set"
    taken = api.post(f"{path}/events/begin_year1", json={"understood": True})
    assert taken.status_code == 200, taken.get_json()
    assert _state(session, driver) == "year1_active"
