"""Autosave: the plan editor's script saves through the plan's own route as the person types.

It asks for JSON and gets the new revision, the ids of items it created and the time; the save is
the same command (same checks, same audit event) as the Save button's.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Membership
from tests.app.evidence.test_plans import casc, induction, plan_page, stored  # noqa: F401  fixtures
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from workflows.roles import Role

JSON = {"Accept": "application/json"}


def autosave(client: FlaskClient, driver: PathwayDriver, kind: str, data: dict, revision: int, *,
             token: str | None = None):  # type: ignore[no-untyped-def]
    page = plan_page(driver, kind)
    form = {"revision": str(revision), **data}
    form["csrf_token"] = csrf_token(client, page) if token is None else token
    return client.post(page, data=form, headers=JSON)


def test_typing_saves_the_plan_and_the_answer_says_what_to_send_next(app: Flask, session: Session,
                                                                     casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    # The page's form rows: the summary, then an empty row per standard (form indexes 0, 1, 2).
    page = client.get(plan_page(casc, "iip1")).get_data(as_text=True)
    assert "Part 1 of 4 · 0 of 4 answered" in re.sub(r"<[^>]+>", "", page) and 'name="items-1-standard" value="2"' in page
    response = autosave(client, casc, "iip1", {"items-1-standard": "2", "items-1-goal": "Coach two teachers",
                                               "items-0-standard": "1", "items-2-standard": "3"}, revision=0)
    assert response.status_code == 200
    answer = response.get_json()
    plan = stored(session, casc, "iip1")
    assert plan is not None and plan.revision == answer["revision"] == 1
    assert [(i["standard"], i["goal"]) for i in plan.items] == [(2, "Coach two teachers")]  # empty rows skipped
    assert answer["ids"] == {"1": plan.items[0]["id"]} and answer["shared"] is False
    assert answer["saved_at"].count(":") == 1
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.saved")).one()
    assert audit.actor_id == casc.candidate.id and audit.details["after"]["items"][0]["goal"] == "Coach two teachers"
    # The next save names the item by the id it was given and carries the new revision: the same item grows.
    response = autosave(client, casc, "iip1", {"items-1-id": answer["ids"]["1"], "items-1-standard": "2",
                                               "items-1-goal": "Coach two teachers weekly"}, revision=1)
    assert response.status_code == 200 and response.get_json()["revision"] == 2
    plan = stored(session, casc, "iip1")
    assert [i["goal"] for i in plan.items] == ["Coach two teachers weekly"]
    assert plan.items[0]["id"] == answer["ids"]["1"]


def test_a_save_from_a_stale_page_is_refused_with_409_and_changes_nothing(app: Flask, session: Session,
                                                                          casc: PathwayDriver) -> None:
    phone = signed_in(app, casc.candidate.email)
    laptop = signed_in(app, casc.candidate.email)
    assert autosave(laptop, casc, "iip1", {"items-0-standard": "1", "items-0-goal": "From the laptop"},
                    revision=0).status_code == 200
    response = autosave(phone, casc, "iip1", {"items-0-standard": "1", "items-0-goal": "From the phone"}, revision=0)
    assert response.status_code == 409
    assert "Someone saved this plan while you were editing it" in response.get_json()["error"]
    assert [i["goal"] for i in stored(session, casc, "iip1").items] == ["From the laptop"]


def test_a_value_the_plan_cannot_hold_is_refused_with_the_reason(app: Flask, session: Session,
                                                                casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    response = autosave(client, casc, "iip1", {"items-0-standard": "5", "items-0-goal": "Engage families"},
                        revision=0)
    assert response.status_code == 400
    assert response.get_json()["problems"] == ["Standard goal 1: this plan covers CPSEL 1–3 only."]
    assert stored(session, casc, "iip1") is None


def test_an_autosave_without_the_security_token_is_refused(app: Flask, session: Session,
                                                          casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    response = autosave(client, casc, "iip1", {"items-0-standard": "1", "items-0-goal": "No token"}, revision=0,
                        token="")
    assert response.status_code == 400 and "security token" in response.get_json()["error"]
    assert stored(session, casc, "iip1") is None


def test_an_evaluator_gets_404_and_the_ilp_is_untouched(app: Flask, session: Session,
                                                       induction: PathwayDriver) -> None:
    principal = signed_in(app, induction.people[Role.SITE_ADMINISTRATOR].email)
    page = plan_page(induction, "ilp")
    # The evaluator has no page to take a token from; one from a page they may open is a valid token.
    token = csrf_token(principal, f"/enrollments/{induction.enrollment.id}")
    response = principal.post(page, data={"csrf_token": token, "revision": "0", "items-0-standard": "1",
                                          "items-0-goal": "Written by the evaluator"}, headers=JSON)
    assert response.status_code == 404
    # A mentor who also evaluates the teacher (site administrator too) is an evaluator as well.
    mentor = induction.people[Role.MENTOR]
    session.add(Membership(user_id=mentor.id, role=Role.SITE_ADMINISTRATOR.value,
                           enrollment_id=induction.enrollment.id))
    session.commit()
    client = signed_in(app, mentor.email)
    response = client.post(page, data={"csrf_token": csrf_token(client, f"/enrollments/{induction.enrollment.id}"),
                                       "revision": "0", "items-0-standard": "1", "items-0-goal": "x"}, headers=JSON)
    assert response.status_code == 404
    assert stored(session, induction, "ilp") is None
