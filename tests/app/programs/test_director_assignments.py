"""Assigning mentors and coaches, with the 30-day rule shown while it is open."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Membership
from app.services.team import accounts
from tests.app.director_fixtures import post, signed_in
from tests.app.pathway_driver import PathwayDriver
from workflows.roles import Role


def test_the_director_assigns_a_mentor_and_the_open_rule_disappears(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    mentor = driver.person(Role.MENTOR)
    session.add(Membership(user_id=mentor.id, role="mentor", program_id=None, organisation_id=driver.program.organisation_id))
    session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/assignments"
    body = client.get(page).get_data(as_text=True)
    assert "Mentor assigned by" in body and "20 days left" in body and "Teacher Induction precondition 2" in body
    response = post(client, page, page, {"enrollment_id": driver.enrollment.id, "user_id": mentor.id, "role": "mentor"})
    assert response.status_code == 302
    assigned = session.exec(select(Membership).where(Membership.enrollment_id == driver.enrollment.id,
                                                     Membership.role == "mentor")).one()
    assert "Mentor assigned by" not in client.get(page).get_data(as_text=True)
    again = post(client, page, page, {"enrollment_id": driver.enrollment.id, "user_id": mentor.id, "role": "mentor"})
    assert again.status_code == 409
    assert post(client, page, f"{page}/{assigned.id}/revoke").status_code == 302
    session.refresh(assigned)
    assert assigned.revoked_at is not None
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.enrollment_id == driver.enrollment.id)).all()
    assert "support.assigned" in actions and "support.revoked" in actions


def test_only_people_of_the_organisation_and_the_right_role_can_be_assigned(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    stranger = accounts.create_user(session, "stranger@example.org", "Stranger", "correct horse battery")
    session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/assignments"
    refused = post(client, page, page, {"enrollment_id": driver.enrollment.id, "user_id": stranger.id, "role": "coach"})
    assert refused.status_code == 400 and "from the program&#39;s staff" in refused.get_data(as_text=True)
    wrong_role = post(client, page, page, {"enrollment_id": driver.enrollment.id,
                                          "user_id": driver.person(Role.PANEL_MEMBER).id, "role": "mentor"})
    assert wrong_role.status_code == 400
    self_coach = post(client, page, page, {"enrollment_id": driver.enrollment.id, "user_id": driver.candidate.id,
                                          "role": "coach"})
    assert self_coach.status_code == 400
    assert session.exec(select(Membership).where(Membership.enrollment_id == driver.enrollment.id,
                                                 Membership.role == "coach")).all() == []
