"""Plans: each pathway keeps its own, edits are checked whole and audited, the ILP stays private."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Plan, PlanKind
from app.services import Conflict, NotFound, NotPermitted
from app.services.evidence import documents as evidence_service
from app.services.evidence import plans, previews
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.facts import EvidenceKind, EvidenceStatus, KeyDate
from workflows.roles import Role


def plan_page(driver: PathwayDriver, kind: str) -> str:
    return f"/enrollments/{driver.enrollment.id}/plans/{kind}"


def post_plan(client: FlaskClient, driver: PathwayDriver, kind: str, data: dict, revision: int = 0):  # type: ignore[no-untyped-def]
    page = plan_page(driver, kind)
    return client.post(page, data={"csrf_token": csrf_token(client, page), "revision": str(revision), **data})


def with_co_author(app: Flask, session: Session, pathway: str, co_author: Role) -> PathwayDriver:
    """A candidate on `pathway` whose mentor or coach writes the plans with them."""
    driver = PathwayDriver(app, session, pathway)
    driver.walker().assign(co_author)
    session.commit()
    return driver


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    return with_co_author(app, session, "induction", Role.MENTOR)


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    return with_co_author(app, session, "casc", Role.COACH)


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    return with_co_author(app, session, "pip", Role.MENTOR)


def stored(session: Session, driver: PathwayDriver, kind: str) -> Plan | None:
    session.expire_all()
    return session.exec(select(Plan).where(Plan.enrollment_id == driver.enrollment.id, Plan.kind == kind)).first()


def test_each_pathway_lists_its_own_plans(app: Flask, pip: PathwayDriver, casc: PathwayDriver) -> None:
    body = signed_in(app, pip.candidate.email).get(f"/enrollments/{pip.enrollment.id}/plans").get_data(as_text=True)
    assert "PIP Personalized Plan" in body and "Action Plan" in body and "ILP" not in body
    body = signed_in(app, casc.candidate.email).get(f"/enrollments/{casc.enrollment.id}/plans").get_data(as_text=True)
    assert "IIP 1" in body and "IIP 2" in body and "CPSEL self-assessments" in body


def test_a_plan_of_another_pathway_is_not_found(app: Flask, pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    assert client.get(plan_page(pip, "ilp")).status_code == 404
    assert client.get(plan_page(pip, "nonsense")).status_code == 404


def test_the_candidate_saves_a_pip_action_plan_and_the_edit_is_audited(app: Flask, session: Session,
                                                                      pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    due = (TODAY + timedelta(days=30)).isoformat()
    response = post_plan(client, pip, "pip_action", {
        "items-0-action": "Register for CSET II", "items-0-owner": "Candidate", "items-0-due": due,
        "items-1-action": "", "items-1-owner": "", "items-1-due": ""})  # a blank row is skipped
    assert response.status_code == 302
    plan = stored(session, pip, "pip_action")
    assert plan is not None and plan.revision == 1
    assert [(i["action"], i["owner"], i["due"], i["done"]) for i in plan.items] == [
        ("Register for CSET II", "Candidate", due, False)]
    item_id = plan.items[0]["id"]
    # The second save keeps the item's identity, ticks it done, bumps the revision.
    assert post_plan(client, pip, "pip_action", {
        "items-0-id": item_id, "items-0-action": "Register for CSET II", "items-0-owner": "Candidate",
        "items-0-due": due, "items-0-done": "y"}, revision=1).status_code == 302
    plan = stored(session, pip, "pip_action")
    assert plan.revision == 2 and plan.items[0]["id"] == item_id and plan.items[0]["done"] is True
    audits = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.saved")
                          .order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [a.details["revision"] for a in audits] == [1, 2]
    assert audits[1].details["before"]["items"][0]["done"] is False
    assert audits[1].details["after"]["items"][0]["done"] is True


@pytest.mark.parametrize(("row", "message"), [
    ({"items-0-action": "Study", "items-0-owner": "Me", "items-0-due": "not a date"}, "as a date"),
    ({"items-0-action": "Study", "items-0-owner": "Me", "items-0-due": "1999-01-01"}, "before the enrolment began"),
    ({"items-0-action": "Study", "items-0-owner": "Me", "items-0-due": "2999-01-01"}, "more than three years"),
    ({"items-0-action": "x" * 2001, "items-0-owner": "Me", "items-0-due": TODAY.isoformat()}, "longer than 2000"),
])
def test_a_bad_item_is_refused_with_a_message_and_nothing_is_saved(app: Flask, session: Session, pip: PathwayDriver,
                                                                   row: dict, message: str) -> None:
    client = signed_in(app, pip.candidate.email)
    good = {"items-1-action": "Good row", "items-1-owner": "Mentor", "items-1-due": TODAY.isoformat()}
    response = post_plan(client, pip, "pip_action", {**row, **good})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The plan was not saved" in body and message in body
    assert "Good row" in body  # what was typed is kept on the page
    assert stored(session, pip, "pip_action") is None


def test_a_draft_may_leave_fields_empty_and_sharing_names_each_one_still_needed(app: Flask, session: Session,
                                                                               pip: PathwayDriver) -> None:
    client = signed_in(app, pip.candidate.email)
    response = post_plan(client, pip, "pip_action", {"items-0-action": "Study for CSET II", "items-0-owner": ""})
    assert response.status_code == 302  # written a few words at a time: a half-written item is a draft
    plan = stored(session, pip, "pip_action")
    assert plan is not None and plan.items[0]["owner"] == "" and plan.items[0]["due"] is None
    response = client.post(plan_page(pip, "pip_action") + "/submit",
                           data={"csrf_token": csrf_token(client, plan_page(pip, "pip_action"))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Action 1: fill in “Who is responsible”." in body and "Action 1: fill in “Due date”." in body
    assert stored(session, pip, "pip_action").submitted_at is None


def test_an_iip_refuses_standards_outside_its_year(app: Flask, session: Session, casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    form = client.get(plan_page(casc, "iip2")).get_data(as_text=True)
    assert "CPSEL 4: Family and Community Engagement" in form and "CPSEL 1:" not in form
    response = post_plan(client, casc, "iip1", {"items-0-standard": "4", "items-0-goal": "Engage families",
                                                "items-0-actions": "Monthly forum"})
    assert response.status_code == 400
    assert "CPSEL 1–3 only" in response.get_data(as_text=True)
    response = post_plan(client, casc, "iip2", {"items-0-standard": "2", "items-0-goal": "Coach teachers",
                                                "items-0-actions": "Weekly walkthroughs"})
    assert response.status_code == 400 and "CPSEL 4–6 only" in response.get_data(as_text=True)
    assert stored(session, casc, "iip1") is None and stored(session, casc, "iip2") is None


def iip1_goals(numbers: tuple[int, ...] = (1, 2, 3)) -> dict[str, str]:
    data = {}
    for i, n in enumerate(numbers):
        data |= {f"items-{i}-standard": str(n), f"items-{i}-goal": f"Goal on {n}", f"items-{i}-actions": "Measure it"}
    return data


def test_sharing_an_iip_needs_a_leadership_goal_and_a_goal_on_each_standard(app: Flask, session: Session,
                                                                             casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    assert post_plan(client, casc, "iip1", iip1_goals((1, 2))).status_code == 302
    submit = f"{plan_page(casc, 'iip1')}/submit"
    response = client.post(submit, data={"csrf_token": csrf_token(client, plan_page(casc, "iip1"))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Leadership goal" in body and "Add a goal on CPSEL 3" in body
    assert stored(session, casc, "iip1").submitted_at is None

    assert post_plan(client, casc, "iip1", {**iip1_goals(), "summary-leadership_goal": "Lead learning"},
                     revision=1).status_code == 302
    assert client.post(submit, data={"csrf_token": csrf_token(client, plan_page(casc, "iip1"))}).status_code == 302
    plan = stored(session, casc, "iip1")
    assert plan.submitted_at is not None and plan.summary["leadership_goal"] == "Lead learning"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "plan.submitted")).one().details == {
        "kind": "iip1", "revision": 2}


def test_an_edit_after_sharing_unshares_the_plan(app: Flask, session: Session, casc: PathwayDriver) -> None:
    enrollment = casc.refresh()
    plans.save(session, enrollment, "iip1", casc.candidate, items=[
        {"standard": n, "goal": "g", "actions": "a"} for n in (1, 2, 3)], summary={"leadership_goal": "L"},
        expected_revision=0)
    with app.app_context():
        plans.submit(session, enrollment, "iip1", casc.candidate)
        session.commit()
        with pytest.raises(Conflict):
            plans.submit(session, enrollment, "iip1", casc.candidate)
    plan = plans.save(session, enrollment, "iip1", casc.people[Role.COACH], items=[
        {"standard": n, "goal": "changed", "actions": "a"} for n in (1, 2, 3)], summary={"leadership_goal": "L"},
        expected_revision=1)
    assert plan.submitted_at is None and plan.revision == 2


def test_sharing_files_the_plan_as_a_pdf_the_team_verifies(app: Flask, session: Session, casc: PathwayDriver) -> None:
    enrollment = casc.refresh()
    goals = [{"standard": n, "goal": f"Goal on standard {n}", "actions": "Walkthroughs"} for n in (1, 2, 3)]
    plans.save(session, enrollment, "iip1", casc.candidate, items=goals, summary={"leadership_goal": "Lead learning"},
               expected_revision=0)
    with app.app_context():
        plans.submit(session, enrollment, "iip1", casc.candidate)
        session.commit()
        first = evidence_service.current(session, enrollment)[EvidenceKind.IIP_1.value]
        assert first.content_type == "application/pdf" and first.uploaded_by_id == casc.candidate.id
        document = evidence_service.path_of(first).read_bytes()
        words = previews.text_of(document)
        assert document.startswith(b"%PDF-") and "Goal on standard 2" in words and "Lead learning" in words
        # Shared, not yet verified: the IIP rule waits on the team, not on an upload.
        assert casc.facts().evidence[EvidenceKind.IIP_1] == EvidenceStatus.SUBMITTED
        # Editing and sharing again files a new version; the old one is kept.
        plans.save(session, enrollment, "iip1", casc.candidate, items=goals[:2] + [{**goals[2], "goal": "Changed"}],
                   summary={"leadership_goal": "Lead learning"}, expected_revision=1)
        plans.submit(session, enrollment, "iip1", casc.candidate)
        session.commit()
        second = evidence_service.current(session, enrollment)[EvidenceKind.IIP_1.value]
    assert second.version == 2 and second.sha256 != first.sha256


def test_a_save_over_a_newer_revision_is_refused(app: Flask, session: Session, pip: PathwayDriver) -> None:
    enrollment = pip.refresh()
    row = {"action": "A", "owner": "Me", "due": TODAY.isoformat()}
    plans.save(session, enrollment, "pip_action", pip.candidate, items=[row], summary={}, expected_revision=0)
    session.commit()
    with pytest.raises(Conflict):
        plans.save(session, enrollment, "pip_action", pip.people[Role.MENTOR], items=[row, row], summary={},
                   expected_revision=0)
    client = signed_in(app, pip.candidate.email)
    response = post_plan(client, pip, "pip_action", {"items-0-action": "B", "items-0-owner": "Me",
                                                     "items-0-due": TODAY.isoformat()}, revision=0)
    assert response.status_code == 409 and "Reload the page" in response.get_data(as_text=True)
    assert stored(session, pip, "pip_action").items[0]["action"] == "A"


def test_only_the_candidate_and_the_plans_co_author_edit_it(app: Flask, session: Session, pip: PathwayDriver) -> None:
    enrollment = pip.refresh()
    row = {"action": "Enrol in CSET prep", "owner": "Me", "due": TODAY.isoformat()}
    for role in (Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.COACH):
        with pytest.raises(NotPermitted):
            plans.save(session, enrollment, "pip_action", pip.people[role], items=[row], summary={}, expected_revision=0)
    plan = plans.save(session, enrollment, "pip_action", pip.people[Role.MENTOR], items=[row], summary={},
                      expected_revision=0)
    with pytest.raises(NotPermitted):
        plans.submit(session, enrollment, "pip_action", pip.people[Role.MENTOR])
    assert plan.revision == 1
    # The site administrator reads the PIP plan but gets no form.
    session.commit()
    body = signed_in(app, pip.people[Role.SITE_ADMINISTRATOR].email).get(plan_page(pip, "pip_action")).get_data(as_text=True)
    assert "Enrol in CSET prep" in body and 'id="plan-form"' not in body


def test_the_ilp_is_hidden_from_a_site_administrator_and_hr(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    enrollment = induction.refresh()
    plans.save(session, enrollment, "ilp", induction.candidate, items=[
        {"standard": 2, "goal": "Secret growth goal", "actions": "Try restorative circles"}], summary={},
        expected_revision=0)
    session.commit()
    for role in (Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR):
        client = signed_in(app, induction.people[role].email)
        response = client.get(plan_page(induction, "ilp"))
        assert response.status_code == 404  # a confidential page answers like a missing one
        assert "Secret growth goal" not in response.get_data(as_text=True)
        listing = client.get(f"/enrollments/{induction.enrollment.id}/plans").get_data(as_text=True)
        assert "Confidential" in listing and "Secret growth goal" not in listing
    mentor = signed_in(app, induction.people[Role.MENTOR].email)
    assert "Secret growth goal" in mentor.get(plan_page(induction, "ilp")).get_data(as_text=True)


def test_a_mentor_who_also_evaluates_cannot_read_the_ilp(app: Flask, session: Session,
                                                         induction: PathwayDriver) -> None:
    from app.models import Membership

    mentor = induction.people[Role.MENTOR]
    session.add(Membership(user_id=mentor.id, role=Role.SITE_ADMINISTRATOR.value,
                           enrollment_id=induction.enrollment.id))
    session.commit()
    assert signed_in(app, mentor.email).get(plan_page(induction, "ilp")).status_code == 404


def test_another_candidate_gets_404_on_plans(app: Flask, session: Session, pip: PathwayDriver) -> None:
    other = PathwayDriver(app, session, "pip")
    client = signed_in(app, other.candidate.email)
    for path in (f"/enrollments/{pip.enrollment.id}/plans", plan_page(pip, "pip_action")):
        assert client.get(path).status_code == 404
    token = csrf_token(client, f"/enrollments/{other.enrollment.id}/plans")
    response = client.post(plan_page(pip, "pip_action"), data={"csrf_token": token, "revision": "0",
                                                               "items-0-action": "x", "items-0-owner": "x",
                                                               "items-0-due": TODAY.isoformat()})
    assert response.status_code == 404
    assert stored(session, pip, "pip_action") is None


def test_sharing_the_ilp_sets_the_ilp_goals_date(app: Flask, session: Session, induction: PathwayDriver) -> None:
    enrollment = induction.refresh()
    assert KeyDate.ILP_GOALS_SET_ON not in induction.facts().dates
    plans.save(session, enrollment, "ilp", induction.candidate, items=[
        {"standard": 1, "goal": "g", "actions": "a"}], summary={}, expected_revision=0)
    session.commit()
    assert KeyDate.ILP_GOALS_SET_ON not in induction.facts().dates  # a draft sets nothing
    with app.app_context():
        plans.submit(session, enrollment, "ilp", induction.candidate)
        session.commit()
    shared_on = induction.facts().dates[KeyDate.ILP_GOALS_SET_ON]
    assert abs((shared_on - TODAY).days) <= 1
    # A later edit un-shares the plan, but the goals were still first set that day.
    plans.save(session, enrollment, "ilp", induction.candidate, items=[
        {"standard": 1, "goal": "g2", "actions": "a"}], summary={}, expected_revision=1)
    session.commit()
    assert induction.facts().dates[KeyDate.ILP_GOALS_SET_ON] == shared_on


def test_an_uploaded_ilp_still_sets_the_ilp_goals_date(app: Flask, induction: PathwayDriver) -> None:
    with app.app_context():
        induction.walker().provide("ilp")
    assert KeyDate.ILP_GOALS_SET_ON in induction.facts().dates


def test_shape_for_refuses_unknown_kinds(pip: PathwayDriver) -> None:
    with pytest.raises(NotFound):
        plans.shape_for(pip.enrollment, PlanKind.IIP1.value)


def test_the_ilp_builds_on_what_the_preliminary_program_left_to_work_on(app: Flask, session: Session,
                                                                       induction: PathwayDriver) -> None:
    """Seed 001: the induction program builds on the knowledge and skills gained in the preliminary program."""
    carried = "Transition plan: differentiation for English learners"
    teacher = signed_in(app, induction.candidate.email)
    assert "Carried over from your preliminary program" in teacher.get(plan_page(induction, "ilp")).get_data(as_text=True)
    assert post_plan(teacher, induction, "ilp", {
        "summary-cstp_version": "2024", "summary-preliminary_plan": carried, "items-0-standard": "1",
        "items-0-goal": "Scaffold academic language", "items-0-actions": "Sentence frames in every lesson"}).status_code == 302
    assert stored(session, induction, "ilp").summary["preliminary_plan"] == carried
    mentor = signed_in(app, induction.people[Role.MENTOR].email)
    assert carried in mentor.get(plan_page(induction, "ilp")).get_data(as_text=True)
