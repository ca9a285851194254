"""Role grants: a candidate never gives an approving role to anyone on their own enrolment; the
organisation grants the roles that verify or decide, and confirms the candidate's proposals."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import policy
from app.demo.walker import pdf_bytes
from app.models import AuditEvent, Evidence, Invitation, Membership, PoolMember, User
from app.policy import roles_on
from app.services.evidence import filing
from app.services.team import accounts
from tests.app.pathway_driver import PathwayDriver
from tests.app.team.test_team import accept, invite, link_in, team_page
from tests.conftest import csrf_token, signed_in
from workflows.roles import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def pip(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "pip")


def _second_account_joins(app: Flask, session: Session, driver: PathwayDriver, role: str) -> tuple[FlaskClient, User]:
    """The candidate invites a second address they control, and accepts the link from it."""
    candidate = signed_in(app, driver.candidate.email)
    response = invite(candidate, driver, "my.other.self@example.org", role)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        return candidate, None  # type: ignore[return-value]
    link = link_in(app)
    sock = app.test_client()
    assert accept(sock, link, name="Sock Puppet", password=PASSWORD, confirm=PASSWORD).status_code == 302
    session.expire_all()
    return sock, session.exec(select(User).where(User.email == "my.other.self@example.org")).one()


@pytest.mark.parametrize("role", sorted(r.value for r in policy.DECIDING_ROLES))
def test_a_candidate_cannot_invite_anyone_to_a_deciding_role(app: Flask, session: Session, pip: PathwayDriver,
                                                              role: str) -> None:
    candidate = signed_in(app, pip.candidate.email)
    response = invite(candidate, pip, "my.other.self@example.org", role)
    if role == Role.SITE_ADMINISTRATOR.value:
        # The supervisor may be proposed: accepted as a viewer, who verifies nothing until confirmed.
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert session.exec(select(Invitation)).all() == []


@pytest.mark.parametrize("role", ["mentor", "coach", "site_administrator", "viewer"])
def test_whatever_a_candidate_invites_holds_no_approving_role(app: Flask, session: Session, pip: PathwayDriver,
                                                               role: str) -> None:
    sock, user = _second_account_joins(app, session, pip, role)
    held = roles_on(session, user, pip.refresh())
    assert held == frozenset({Role.VIEWER})
    assert not held & policy.APPROVER_ROLES
    # The hole the issue found: the second account verifies the candidate's upload. Now it cannot.
    with app.app_context():
        row = filing.submit(session, pip.refresh(), "smc_verification", "smc.pdf", pdf_bytes("smc-sock"), pip.candidate)
        session.commit()
    page = f"/enrollments/{pip.enrollment.id}"
    response = sock.post(f"{page}/evidence/{row.id}/decision",
                         data={"decision": "verify", "csrf_token": csrf_token(sock, page)})
    assert response.status_code in (403, 404)
    session.expire_all()
    assert session.get(Evidence, row.id).status == "submitted"

def test_the_program_director_confirms_a_proposal_and_the_audit_names_who(app: Flask, session: Session,
                                                                         pip: PathwayDriver) -> None:
    _, user = _second_account_joins(app, session, pip, "mentor")
    [membership] = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    director = signed_in(app, pip.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{pip.program.id}/assignments"
    listing = director.get(page).get_data(as_text=True)
    assert "proposed by the candidate as mentor" in listing
    assert director.post(f"{page}/{membership.id}/confirm", data={"csrf_token": csrf_token(director, page)}
                         ).status_code == 302
    session.expire_all()
    assert roles_on(session, user, pip.refresh()) == frozenset({Role.MENTOR})
    confirmed = session.get(Membership, membership.id)
    assert (confirmed.confirmed_by_id, confirmed.granted_by_id) == (pip.person(Role.PROGRAM_DIRECTOR).id,
                                                                     pip.candidate.id)
    actions = {(e.action, e.actor_id) for e in session.exec(select(AuditEvent)).all()}
    assert ("role.proposed", pip.candidate.id) in actions
    assert ("role.confirmed", pip.person(Role.PROGRAM_DIRECTOR).id) in actions


def test_the_candidate_cannot_confirm_their_own_proposal(app: Flask, session: Session, pip: PathwayDriver) -> None:
    _, user = _second_account_joins(app, session, pip, "mentor")
    [membership] = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    candidate = signed_in(app, pip.candidate.email)
    response = candidate.post(f"/programs/{pip.program.id}/assignments/{membership.id}/confirm",
                              data={"csrf_token": csrf_token(candidate, "/")})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Membership, membership.id).proposed_role == "mentor"


def test_nobody_assigns_the_candidate_a_role_on_their_own_enrolment(app: Flask, session: Session,
                                                                    pip: PathwayDriver) -> None:
    # The candidate also works in the district (an analyst elsewhere), so appears among staff.
    session.add(Membership(user_id=pip.candidate.id, role="credential_analyst", organisation_id=pip.program.organisation_id))
    session.commit()
    director = signed_in(app, pip.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{pip.program.id}/assignments"
    for role in ("mentor", "credential_analyst", "district_hr"):
        response = director.post(page, data={"enrollment_id": pip.enrollment.id, "user_id": pip.candidate.id,
                                             "role": role, "csrf_token": csrf_token(director, page)})
        assert response.status_code == 400
    # An organisation-wide role never counts on their own enrolment.
    session.expire_all()
    assert roles_on(session, pip.candidate, pip.refresh()) == frozenset({Role.CANDIDATE})


def test_district_hr_grants_a_deciding_role_and_the_grant_is_audited(app: Flask, session: Session,
                                                                    pip: PathwayDriver) -> None:
    analyst = accounts.create_user(session, "new.analyst@example.org", "Ana Lyst", PASSWORD)
    # On the program's staff (its pool of site administrators), so the picker offers them.
    session.add(PoolMember(user_id=analyst.id, role="site_administrator", program_id=pip.program.id))
    session.commit()
    hr = signed_in(app, pip.person(Role.DISTRICT_HR).email)
    page = f"/programs/{pip.program.id}/assignments"
    response = hr.post(page, data={"enrollment_id": pip.enrollment.id, "user_id": analyst.id,
                                   "role": "credential_analyst", "csrf_token": csrf_token(hr, page)})
    assert response.status_code == 302
    session.expire_all()
    assert Role.CREDENTIAL_ANALYST in roles_on(session, analyst, pip.refresh())
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "support.assigned")).one()
    assert event.actor_id == event.details["granted_by_id"] == pip.person(Role.DISTRICT_HR).id
    # A mentor on the team cannot grant anything.
    mentor = pip.person(Role.MENTOR)
    session.add(Membership(user_id=mentor.id, role="mentor", enrollment_id=pip.enrollment.id))
    session.commit()
    assert signed_in(app, mentor.email).post(page, data={"enrollment_id": pip.enrollment.id, "user_id": analyst.id,
                                                         "role": "district_hr"}).status_code in (400, 404)


def test_the_candidate_removes_a_viewer_but_not_a_role_the_program_gave(app: Flask, session: Session,
                                                                       pip: PathwayDriver) -> None:
    _, user = _second_account_joins(app, session, pip, "viewer")
    [viewer] = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    site_admin = session.exec(select(Membership).where(Membership.enrollment_id == pip.enrollment.id,
                                                       Membership.role == "site_administrator")).one()
    candidate = signed_in(app, pip.candidate.email)
    page = team_page(pip)
    assert candidate.post(f"{page}/members/{site_admin.id}/remove",
                          data={"csrf_token": csrf_token(candidate, page)}).status_code == 403
    assert candidate.post(f"{page}/members/{viewer.id}/remove",
                          data={"csrf_token": csrf_token(candidate, page)}).status_code == 302
    session.expire_all()
    assert session.get(Membership, site_admin.id).revoked_at is None
    assert session.get(Membership, viewer.id).revoked_by_id == pip.candidate.id
