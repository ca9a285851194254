"""The approver's inbox in the browser: tabs, filters, counts, one task's page, decisions, bulk approval."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import SignOff, SignOffTask
from app.services.evidence import filing
from app.services.team import accounts
from tests.app.pathway_driver import pdf_bytes
from tests.app.signoffs.test_tasks import ask, satisfy_all_but_signoffs, waiting_on_signoffs
from tests.conftest import Auth, csrf_token
from workflows.roles import Role


def test_the_inbox_lists_tasks_by_tab_with_counts_in_the_navigation(app: Flask, session: Session,
                                                                    client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/inbox"' in home and 'aria-label="1 open"' in home
    unclaimed = client.get("/inbox?tab=unclaimed").get_data(as_text=True)
    assert "Admitted sign-off (program director)" in unclaimed and "Candidate" in unclaimed
    assert "Admitted sign-off" not in client.get("/inbox?tab=mine").get_data(as_text=True)

    path = f"/inbox/tasks/{task.id}"
    assert client.post(path + "/claim", data={"csrf_token": csrf_token(client, path)}).status_code == 302
    assert "Admitted sign-off" in client.get("/inbox?tab=mine").get_data(as_text=True)
    assert "Admitted sign-off" not in client.get("/inbox?tab=unclaimed").get_data(as_text=True)
    # Filters narrow the list: another pathway, or overdue only, show nothing here.
    assert "Admitted sign-off" not in client.get("/inbox?tab=mine&pathway=pip").get_data(as_text=True)
    assert "Admitted sign-off" not in client.get("/inbox?tab=mine&overdue=1").get_data(as_text=True)
    assert "Admitted sign-off" in client.get(f"/inbox?tab=mine&pathway=casc&program={driver.program.id}").get_data(as_text=True)
    assert client.get("/inbox?tab=mine&due_before=tomorrow").status_code == 400
    assert client.get("/inbox?tab=everything").status_code == 400


def test_people_without_an_approver_role_get_no_inbox_and_no_task(app: Flask, session: Session,
                                                                  client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    outsider = accounts.create_user(session, "outsider@example.org", "Out Sider", "correct horse battery")
    session.commit()
    auth = Auth(client)
    for person in (driver.candidate, outsider):
        auth.sign_in(person.email)
        assert 'href="/inbox"' not in client.get("/").get_data(as_text=True)
        assert client.get("/inbox").status_code == 404
        assert client.get(f"/inbox/tasks/{task.id}").status_code == 404
        auth.sign_out()
    # The site administrator holds a role on this enrolment, but not this task's: it stays hidden.
    auth.sign_in(driver.person(Role.SITE_ADMINISTRATOR).email)
    assert client.get(f"/inbox/tasks/{task.id}").status_code == 404
    token = csrf_token(client, "/inbox")
    assert client.post(f"/inbox/tasks/{task.id}/approve", data={"csrf_token": token}).status_code == 404
    assert session.exec(select(SignOff)).all() == []


def test_approving_from_the_task_page_and_a_second_click_says_already_decided(app: Flask, session: Session,
                                                                              client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    path = f"/inbox/tasks/{task.id}"
    page = client.get(path).get_data(as_text=True)
    assert "What to check" in page and "Admit" in page
    token = csrf_token(client, path)
    assert client.post(path + "/approve", data={}).status_code == 400  # no CSRF token
    assert client.post(path + "/approve", data={"csrf_token": token, "comment": "All in order."}).status_code == 302
    again = client.post(path + "/approve", data={"csrf_token": token})
    assert again.status_code == 409 and "Already decided" in again.get_data(as_text=True)
    assert len(session.exec(select(SignOff)).all()) == 1
    assert driver.refresh().state == "admitted"
    done = client.get("/inbox?tab=done").get_data(as_text=True)
    assert "Admitted sign-off" in done


def test_sending_back_from_the_page_needs_a_reason_and_shows_on_the_candidates_dashboard(
        app: Flask, session: Session, client: FlaskClient) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    auth = Auth(client)
    auth.sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    path = f"/inbox/tasks/{task.id}"
    token = csrf_token(client, path)
    refused = client.post(path + "/send-back", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    assert session.get(SignOffTask, task.id, populate_existing=True).status == "open"  # type: ignore[union-attr]
    assert client.post(path + "/comments", data={"csrf_token": token, "body": "Please check the CL-777 date."}).status_code == 302
    assert client.post(path + "/send-back", data={"csrf_token": token, "reason": "Wrong cohort."}).status_code == 302
    auth.sign_out()

    auth.sign_in(driver.candidate.email)
    dashboard = client.get(f"/enrollments/{driver.enrollment.id}").get_data(as_text=True)
    assert "Reason: Wrong cohort." in dashboard and "Please check the CL-777 date." in dashboard


def test_bulk_approval_approves_what_passes_and_lists_the_rest(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    hr_task = next(t for t in tasks if t.role == "district_hr")
    from tests.app.pathway_driver import PathwayDriver
    from tests.app.signoffs.test_tasks import BEFORE

    other = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        other.advance(event, role)
    satisfy_all_but_signoffs(other, "establish_plan")
    unready = next(t for t in ask(other, "establish_plan", Role.CANDIDATE) if t.role == "district_hr")
    with app.app_context():  # a new version of the plan, not verified yet: the task's checks fail
        filing.submit(session, other.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("v2"), other.candidate)
        session.commit()
    hr = driver.person(Role.DISTRICT_HR)
    from app.models import Membership

    session.add(Membership(user_id=hr.id, role="district_hr", enrollment_id=other.enrollment.id))
    session.commit()
    Auth(client).sign_in(hr.email)
    token = csrf_token(client, "/inbox?tab=unclaimed")
    assert client.post("/inbox/bulk-approve", data={"csrf_token": token}).status_code == 400
    posted = client.post("/inbox/bulk-approve", data={"csrf_token": token, "task_id": [str(hr_task.id), str(unready.id)]})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/inbox/bulk-approve")  # post/redirect/get
    page = client.get("/inbox/bulk-approve")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Approved (1)" in text and "Not approved yet (1)" in text
    assert "Personalized Plan is not verified yet" in text
    assert session.get(SignOffTask, hr_task.id, populate_existing=True).status == "approved"  # type: ignore[union-attr]
    assert session.get(SignOffTask, unready.id, populate_existing=True).status == "open"  # type: ignore[union-attr]
    # Shown once: reloading the result posts nothing again and lands on the queue.
    assert client.get("/inbox/bulk-approve").status_code == 302


def test_undo_from_the_task_page(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    site_task = next(t for t in tasks if t.role == "site_administrator")
    Auth(client).sign_in(driver.person(Role.SITE_ADMINISTRATOR).email)
    path = f"/inbox/tasks/{site_task.id}"
    token = csrf_token(client, path)
    assert client.post(path + "/approve", data={"csrf_token": token}).status_code == 302
    assert "Undo my decision" in client.get(path).get_data(as_text=True)
    assert client.post(path + "/undo", data={"csrf_token": token}).status_code == 302
    assert session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None))).all() == []  # type: ignore[union-attr]
    again = client.post(path + "/undo", data={"csrf_token": token})
    assert again.status_code == 409


def test_demo_tasks_give_the_demo_approvers_an_inbox(app: Flask, session: Session) -> None:
    from app.demo import seed as demo
    from app.demo import tasks as demo_tasks

    with app.app_context():
        demo.seed(session)
        first = demo_tasks.seed_tasks(session)
        assert demo_tasks.seed_tasks(session) == first  # idempotent
    roles = {t.role for t in session.exec(select(SignOffTask).where(SignOffTask.status == "open")).all()}
    assert {"program_director", "credential_analyst", "prep_program_support_provider"} <= roles


def test_the_candidate_asks_for_missing_sign_offs_from_the_dashboard(app: Flask, session: Session,
                                                                     client: FlaskClient) -> None:
    from tests.app.pathway_driver import PathwayDriver
    from tests.app.signoffs.test_tasks import BEFORE

    driver = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        driver.advance(event, role)
    auth = Auth(client)
    auth.sign_in(driver.candidate.email)
    path = f"/enrollments/{driver.enrollment.id}"
    # Until the plan is verified there is nothing an approver could sign: no button, and why.
    page = client.get(path).get_data(as_text=True)
    assert "Ask for the sign-offs" not in page and "Waiting for the PIP Personalized Plan to be verified first" in page
    satisfy_all_but_signoffs(driver, "establish_plan")
    page = client.get(path).get_data(as_text=True)
    assert "Ask for the sign-offs for Establish the plan" in page
    assert "Your site administrator signs off that your plan is established." in page
    token = csrf_token(client, path)
    assert client.post(f"/inbox/enrollments/{driver.enrollment.id}/signoffs/withdraw",
                       data={"csrf_token": token}).status_code == 409  # no sign-off to ask for there
    assert client.post(f"/inbox/enrollments/{driver.enrollment.id}/signoffs/establish_plan",
                       data={"csrf_token": token}).status_code == 302
    roles = sorted(t.role for t in session.exec(select(SignOffTask).where(SignOffTask.status == "open")).all())
    assert roles == ["district_hr", "site_administrator"]
    page = client.get(path).get_data(as_text=True)
    assert "Ask for the sign-offs" not in page and "Waiting" in page
    auth.sign_out()
    outsider = accounts.create_user(session, "nosy@example.org", "No Sy", "correct horse battery")
    session.commit()
    auth.sign_in(outsider.email)
    token = csrf_token(client, "/")
    assert client.post(f"/inbox/enrollments/{driver.enrollment.id}/signoffs/establish_plan",
                       data={"csrf_token": token}).status_code == 404


def test_overdue_and_escalated_tasks_are_marked_in_the_inbox(app: Flask, session: Session, client: FlaskClient) -> None:
    from datetime import timedelta

    from app.services.signoffs import escalation as task_service

    driver, [task] = waiting_on_signoffs(app, session, "casc")
    row = session.get(SignOffTask, task.id)
    row.due_on = driver.facts().today - timedelta(days=1)  # type: ignore[union-attr]
    session.add(row)
    session.commit()
    with app.app_context():
        assert task_service.escalate_overdue(session) == 1  # one program director
        session.commit()
        assert task_service.escalate_overdue(session) == 0
    Auth(client).sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    page = client.get("/inbox?tab=unclaimed&overdue=1").get_data(as_text=True)
    assert "Admitted sign-off" in page and "Overdue" in page and "The program director has been told" in page
    assert "1 overdue" in page
