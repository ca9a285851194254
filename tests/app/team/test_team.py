"""The support team: invitations by email, accepting them, withdrawing and removing, and who may do what."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import outbox
from app.jobs.outbox import run_message
from app.models import AuditEvent, Invitation, Membership, OutboxMessage, User, utcnow
from app.policy import roles_on
from app.services.team import invitations as team_service
from app.services.team import members as members_service
from tests.app import notify_factories as f
from tests.app.mail_server import text_part
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token, make_user, signed_in
from workflows.facts import KeyDate
from workflows.roles import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def induction(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "induction")


def team_page(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/team"


def invite(client: FlaskClient, driver: PathwayDriver, email: str, role: str = "mentor"):  # type: ignore[no-untyped-def]
    return client.post(f"{team_page(driver)}/invitations",
                       data={"email": email, "role": role, "csrf_token": csrf_token(client, team_page(driver))})


def invitations(session: Session) -> list[Invitation]:
    session.expire_all()
    return list(session.exec(select(Invitation).order_by(Invitation.id)).all())


def memberships_of(session: Session, user: User) -> list[Membership]:
    session.expire_all()
    return list(session.exec(select(Membership).where(Membership.user_id == user.id)).all())


def link_in(app: Flask, index: int = -1) -> str:
    """The invitation link's path from an emailed invitation (the newest by default)."""
    mail = f.folder_mail(app)[index]
    match = re.search(r"http://localhost(/invitations/\S+)", text_part(mail))
    assert match, "no invitation link in the email"
    return match.group(1)


def accept(client: FlaskClient, link: str, **data: str):  # type: ignore[no-untyped-def]
    # The session's CSRF token, from whichever page shows one (signed in, "/" always does).
    signed_in_now = client.get("/").status_code == 200
    return client.post(link, data={"csrf_token": csrf_token(client, "/" if signed_in_now else "/auth/sign-in"),
                                   **data})


# --- Inviting -------------------------------------------------------------------------------------


def test_an_invitation_is_stored_as_a_hash_audited_and_emailed_with_its_link(app: Flask, session: Session,
                                                                             induction: PathwayDriver) -> None:
    candidate = signed_in(app, induction.candidate.email)
    response = invite(candidate, induction, " New.Mentor@Example.org ")
    assert response.status_code == 302
    [invitation] = invitations(session)
    assert (invitation.email, invitation.role, invitation.invited_by_id) == (
        "new.mentor@example.org", "mentor", induction.candidate.id)
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.invitation")).all()
    assert message.payload == {"invitation_id": invitation.id} and message.completed_at is not None
    [mail] = f.folder_mail(app)
    assert mail["To"] == "new.mentor@example.org"
    assert induction.program.name in mail["Subject"] and "as mentor" in mail["Subject"]
    token = link_in(app).rsplit("/", 1)[1]
    # Only the SHA-256 is kept: the token itself is nowhere in the row or the outbox.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert token not in str(message.payload)
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "team.invited")).one()
    assert audit.actor_id == induction.candidate.id and audit.details["role"] == "mentor"
    page = candidate.get(team_page(induction)).get_data(as_text=True)
    assert "new.mentor@example.org" in page and "Invitations waiting for an answer" in page


def test_the_email_link_uses_base_url_not_the_requests_host(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    app.config["BASE_URL"] = "https://tracker.example.org"
    candidate = app.test_client()
    candidate.environ_base["HTTP_HOST"] = "evil.example"  # every request, so the session cookie follows
    assert Auth(candidate).sign_in(induction.candidate.email).status_code == 302
    assert invite(candidate, induction, "m@example.org").status_code == 302
    body = text_part(f.folder_mail(app)[0])
    assert "https://tracker.example.org/invitations/" in body and "evil.example" not in body


@pytest.mark.parametrize(("email", "role", "status", "message"), [
    ("site_administrator{n}@example.org", "mentor", 409, "is already on this team as site administrator"),
    ("credential_analyst{n}@example.org", "mentor", 409, "already on this team as credential analyst"),
    ("candidate{n}@example.org", "mentor", 400, "You cannot invite yourself"),
    ("someone@example.org", "coach", 400, "Choose one of the listed roles."),  # induction has mentors, not coaches
    ("someone@example.org", "program_director", 400, "Choose one of the listed roles."),
    ("not an email", "mentor", 400, "Enter a whole email address"),
])
def test_refused_invitations_say_why_and_store_and_send_nothing(app: Flask, session: Session, induction: PathwayDriver,
                                                                email: str, role: str, status: int,
                                                                message: str) -> None:
    n = induction.candidate.email.removeprefix("candidate").split("@")[0]
    candidate = signed_in(app, induction.candidate.email)
    before = session.exec(select(OutboxMessage.id)).all()  # the set-up's own (district HR's first turn)
    response = invite(candidate, induction, email.format(n=n), role)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert invitations(session) == []
    assert session.exec(select(OutboxMessage.id)).all() == before
    assert f.folder_mail(app) == []


def test_the_service_refuses_a_role_the_pathway_does_not_have(app: Flask, session: Session,
                                                              induction: PathwayDriver) -> None:
    with app.app_context(), pytest.raises(team_service.PathwayError, match="roles this pathway"):
        team_service.invite(session, induction.enrollment, induction.candidate, "x@example.org", "coach")


def test_a_second_invitation_to_the_same_address_and_role_offers_a_resend(app: Flask, session: Session,
                                                                          induction: PathwayDriver) -> None:
    candidate = signed_in(app, induction.candidate.email)
    invite(candidate, induction, "m@example.org")
    [first] = invitations(session)
    first_expiry = first.expires_at
    response = invite(candidate, induction, "m@example.org")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already has an invitation" in page and "Re-send the invitation to m@example.org" in page
    assert len(invitations(session)) == 1 and len(f.folder_mail(app)) == 1

    response = candidate.post(f"{team_page(induction)}/invitations/{first.id}/resend",
                              data={"csrf_token": csrf_token(candidate, team_page(induction))})
    assert response.status_code == 302
    assert len(f.folder_mail(app)) == 2
    assert link_in(app, 0) == link_in(app, 1)  # the same link, valid for longer
    assert invitations(session)[0].expires_at > first_expiry
    # A different role for the same person is a different invitation.
    assert invite(candidate, induction, "m@example.org", "site_administrator").status_code == 302


def test_a_program_director_may_invite_but_a_mentor_may_not(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    director = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    assert invite(director, induction, "m@example.org").status_code == 302
    session.add(Membership(user_id=induction.person(Role.MENTOR).id, role="mentor",
                           enrollment_id=induction.enrollment.id))
    session.commit()
    mentor = signed_in(app, induction.person(Role.MENTOR).email)
    page = mentor.get(team_page(induction))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Invite someone" not in body and "m@example.org" not in body and "Remove" not in body
    # Refused as if the action did not exist (404, like every refusal), and nothing is sent.
    assert invite(mentor, induction, "other@example.org").status_code == 404
    assert len(invitations(session)) == 1


def test_an_invitation_without_its_csrf_token_is_refused(app: Flask, session: Session,
                                                         induction: PathwayDriver) -> None:
    candidate = signed_in(app, induction.candidate.email)
    response = candidate.post(f"{team_page(induction)}/invitations", data={"email": "m@example.org", "role": "mentor"})
    assert response.status_code == 400
    assert invitations(session) == []


# --- Accepting ------------------------------------------------------------------------------------


def test_a_newcomer_signs_up_through_the_link_and_becomes_the_mentor(app: Flask, session: Session,
                                                                     induction: PathwayDriver) -> None:
    invite(signed_in(app, induction.candidate.email), induction, "newcomer@example.org")
    link = link_in(app)
    newcomer = app.test_client()
    page = newcomer.get(link).get_data(as_text=True)
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Create your account" in words and "invited newcomer@example.org to be their mentor in" in words

    assert accept(newcomer, link, name="Nina New", password="short", confirm="short").status_code == 400
    assert accounts_named(session, "newcomer@example.org") == []

    response = accept(newcomer, link, name="Nina New", password=PASSWORD, confirm=PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enrollments/{induction.enrollment.id}")
    [user] = accounts_named(session, "newcomer@example.org")
    [membership] = memberships_of(session, user)
    # The candidate proposed a mentor: a viewer until the program confirms (was: mentor at once).
    assert (membership.role, membership.proposed_role, membership.enrollment_id, membership.granted_by_id) == (
        "viewer", "mentor", induction.enrollment.id, induction.candidate.id)
    [invitation] = invitations(session)
    assert (invitation.accepted_by_id, invitation.membership_id) == (user.id, membership.id)
    assert newcomer.get(f"/enrollments/{induction.enrollment.id}").status_code == 200
    assert roles_on(session, user, induction.enrollment) == frozenset({Role.VIEWER})
    assert KeyDate.MENTOR_ASSIGNED_ON not in induction.facts().dates
    # Once the program director confirms, the mentor is the "mentor assigned" date (CTC: within 30 days).
    director = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    assert director.post(f"/programs/{induction.program.id}/assignments/{membership.id}/confirm",
                         data={"csrf_token": csrf_token(director, f"/programs/{induction.program.id}/assignments")}
                         ).status_code == 302
    session.expire_all()
    assert roles_on(session, user, induction.enrollment) == frozenset({Role.MENTOR})
    assert induction.facts().dates[KeyDate.MENTOR_ASSIGNED_ON] == induction.facts().today
    # ...and nothing more: another candidate's enrolment stays out of reach.
    other = PathwayDriver(app, session, "induction")
    assert newcomer.get(f"/enrollments/{other.enrollment.id}").status_code == 404


def accounts_named(session: Session, email: str) -> list[User]:
    session.expire_all()
    return list(session.exec(select(User).where(User.email == email)).all())


def test_someone_with_an_account_signs_in_then_accepts_once(app: Flask, session: Session,
                                                            induction: PathwayDriver) -> None:
    mentor = induction.person(Role.MENTOR)
    invite(signed_in(app, induction.candidate.email), induction, mentor.email)
    link = link_in(app)
    client = app.test_client()
    page = client.get(link).get_data(as_text=True)
    assert "Sign in to accept" in page and 'name="password"' not in page
    assert accept(client, link, name="X", password=PASSWORD, confirm=PASSWORD).status_code == 400
    assert memberships_of(session, mentor) == []

    client.post(f"/auth/sign-in?next={link}", data={"email": mentor.email, "password": PASSWORD,
                                                   "csrf_token": csrf_token(client, "/auth/sign-in")})
    assert "Accept and join as mentor" in client.get(link).get_data(as_text=True)
    assert accept(client, link).status_code == 302
    assert accept(client, link).status_code == 302  # a second click is harmless
    assert client.get(link).status_code == 302
    assert [(m.role, m.proposed_role) for m in memberships_of(session, mentor)] == [("viewer", "mentor")]
    assert client.get(f"/enrollments/{induction.enrollment.id}/logs").status_code == 200
    audits = session.exec(select(AuditEvent).where(AuditEvent.action == "team.invitation_accepted")).all()
    assert len(audits) == 1 and audits[0].actor_id == mentor.id


def test_a_link_opened_by_another_account_is_refused(app: Flask, session: Session, induction: PathwayDriver) -> None:
    invite(signed_in(app, induction.candidate.email), induction, "meant.for@example.org")
    link = link_in(app)
    stranger = induction.person(Role.COACH)
    client = signed_in(app, stranger.email)
    page = client.get(link)
    assert page.status_code == 403
    assert "This invitation is for someone else" in page.get_data(as_text=True)
    response = accept(client, link)
    assert response.status_code == 403 and "was sent to meant.for@example.org" in response.get_data(as_text=True)
    assert memberships_of(session, stranger) == []
    assert invitations(session)[0].accepted_at is None
    assert client.get(f"/enrollments/{induction.enrollment.id}").status_code == 404


def test_a_withdrawn_invitation_sends_nothing_and_its_link_is_gone(app: Flask, session: Session,
                                                                   induction: PathwayDriver) -> None:
    candidate = signed_in(app, induction.candidate.email)
    invite(candidate, induction, "m@example.org")
    link = link_in(app)
    [invitation] = invitations(session)
    # A re-send queued but not yet run when the invitation is withdrawn must send nothing.
    with app.app_context():
        team_service.resend(session, induction.enrollment, invitation, induction.candidate)
    session.commit()
    session.info.pop("outbox_pending", None)
    response = candidate.post(f"{team_page(induction)}/invitations/{invitation.id}/withdraw",
                              data={"csrf_token": csrf_token(candidate, team_page(induction))})
    assert response.status_code == 302
    resent = session.exec(select(OutboxMessage).where(OutboxMessage.completed_at.is_(None),  # type: ignore[union-attr]
                                                      OutboxMessage.job != "email.turn")).one()  # not the set-up's
    with app.app_context():
        assert run_message(resent.id) == "completed"
    assert len(f.folder_mail(app)) == 1
    page = app.test_client().get(link)
    assert page.status_code == 410 and "This invitation was withdrawn" in page.get_data(as_text=True)
    response = accept(app.test_client(), link, name="M", password=PASSWORD, confirm=PASSWORD)
    assert response.status_code == 410
    assert accounts_named(session, "m@example.org") == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "team.invitation_withdrawn")).one()


def test_an_expired_invitation_is_refused_with_how_to_get_a_new_one(app: Flask, session: Session,
                                                                    induction: PathwayDriver) -> None:
    invite(signed_in(app, induction.candidate.email), induction, "m@example.org")
    link = link_in(app)
    [invitation] = invitations(session)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.add(invitation)
    session.commit()
    page = app.test_client().get(link)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    # An expired invitation does not block a fresh one.
    assert invite(signed_in(app, induction.candidate.email), induction, "m@example.org").status_code == 302


def test_a_made_up_link_is_not_found(client: FlaskClient) -> None:
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert client.get("/invitations/" + "x" * 500).status_code == 404


def test_the_invitation_email_is_sent_once_even_if_its_job_runs_twice(app: Flask, session: Session,
                                                                      induction: PathwayDriver) -> None:
    with app.app_context():
        invitation = team_service.invite(session, induction.enrollment, induction.candidate, "m@example.org", "mentor")
    session.commit()
    session.info.pop("outbox_pending", None)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.invitation")).one()
    with app.app_context():
        run_message(message.id)
        message.completed_at = None  # as if a second copy of the job raced the first
        session.add(message)
        session.commit()
        run_message(message.id)
    assert len(f.folder_mail(app)) == 1
    assert invitation.id is not None


def test_an_accepted_invitation_sends_nothing_more(app: Flask, session: Session, induction: PathwayDriver) -> None:
    mentor = induction.person(Role.MENTOR)
    with app.app_context():
        invitation = team_service.invite(session, induction.enrollment, induction.candidate, mentor.email, "mentor")
        session.commit()
        session.info.pop("outbox_pending", None)
        team_service.accept(session, invitation, mentor)
        session.commit()
    message = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.invitation")).one()
    with app.app_context():
        run_message(message.id)
    assert f.folder_mail(app) == []


# --- Removing members, and who may touch the team ------------------------------------------------------


def test_the_candidate_removes_a_member_who_then_loses_the_enrolment(app: Flask, session: Session,
                                                                     induction: PathwayDriver) -> None:
    mentor = induction.person(Role.MENTOR)
    candidate = signed_in(app, induction.candidate.email)
    invite(candidate, induction, mentor.email)
    link = link_in(app)
    mentor_client = signed_in(app, mentor.email)
    accept(mentor_client, link)
    [membership] = memberships_of(session, mentor)
    page = candidate.get(team_page(induction)).get_data(as_text=True)
    assert mentor.name in page and "Since " in page

    response = candidate.post(f"{team_page(induction)}/members/{membership.id}/remove",
                              data={"csrf_token": csrf_token(candidate, team_page(induction))})
    assert response.status_code == 302
    [membership] = memberships_of(session, mentor)
    assert membership.revoked_at is not None  # kept, never deleted
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "team.member_removed")).one().actor_id == \
        induction.candidate.id
    assert mentor_client.get(f"/enrollments/{induction.enrollment.id}").status_code == 404
    assert mentor_client.get(team_page(induction)).status_code == 404
    # The old link does not bring them back.
    assert accept(mentor_client, link).status_code == 410
    assert [m.revoked_at is not None for m in memberships_of(session, mentor)] == [True]


def test_program_wide_roles_are_shown_but_cannot_be_removed_by_the_team(app: Flask, session: Session,
                                                                        induction: PathwayDriver) -> None:
    analyst = induction.person(Role.CREDENTIAL_ANALYST)
    [membership] = memberships_of(session, analyst)
    candidate = signed_in(app, induction.candidate.email)
    page = candidate.get(team_page(induction)).get_data(as_text=True)
    assert "Through the program" in page and analyst.name in page
    response = candidate.post(f"{team_page(induction)}/members/{membership.id}/remove",
                              data={"csrf_token": csrf_token(candidate, team_page(induction))})
    assert response.status_code == 404
    assert memberships_of(session, analyst)[0].revoked_at is None


def test_another_candidate_cannot_see_or_change_the_team(app: Flask, session: Session,
                                                         induction: PathwayDriver) -> None:
    invite(signed_in(app, induction.candidate.email), induction, "m@example.org")
    [invitation] = invitations(session)
    [site_admin] = memberships_of(session, induction.person(Role.SITE_ADMINISTRATOR))
    other = PathwayDriver(app, session, "induction")
    intruder = signed_in(app, other.candidate.email)
    token = csrf_token(intruder, team_page(other))
    assert intruder.get(team_page(induction)).status_code == 404
    base = team_page(induction)
    for path in (f"{base}/invitations", f"{base}/invitations/{invitation.id}/withdraw",
                 f"{base}/invitations/{invitation.id}/resend", f"{base}/members/{site_admin.id}/remove"):
        response = intruder.post(path, data={"csrf_token": token, "email": "x@example.org", "role": "mentor"})
        assert response.status_code == 404, path
        assert "m@example.org" not in response.get_data(as_text=True)
    # Nor through their own enrolment's address.
    response = intruder.post(f"{team_page(other)}/invitations/{invitation.id}/withdraw", data={"csrf_token": token})
    assert response.status_code == 404
    assert len(invitations(session)) == 1 and invitations(session)[0].revoked_at is None
    assert memberships_of(session, induction.person(Role.SITE_ADMINISTRATOR))[0].revoked_at is None
    assert len(f.folder_mail(app)) == 1


def test_the_team_page_needs_sign_in(client: FlaskClient, induction: PathwayDriver) -> None:
    assert "/auth/sign-in" in client.get(team_page(induction)).headers["Location"]


def test_each_pathway_offers_the_roles_its_team_has(app: Flask, session: Session) -> None:
    offered = {}
    for pathway in ("pip", "induction", "casc"):
        driver = PathwayDriver(app, session, pathway)
        page = signed_in(app, driver.candidate.email).get(team_page(driver)).get_data(as_text=True)
        offered[pathway] = set(re.findall(r'<option value="(\w+)"', page))
    # A candidate invites to view and monitor, or proposes a mentor, coach or supervisor (was: also the
    # analyst, HR and the preparation program's provider, who now are granted by the organisation).
    assert offered["pip"] == {"viewer", "mentor", "coach", "site_administrator"}
    assert offered["induction"] == {"viewer", "mentor", "site_administrator"}
    assert offered["casc"] == {"viewer", "coach", "site_administrator"}


def test_a_casc_coach_who_accepts_counts_as_assigned(app: Flask, session: Session) -> None:
    casc = PathwayDriver(app, session, "casc")
    coach = make_user(session, "new.coach@example.org", "Colin Coach")
    with app.app_context():
        invitation = team_service.invite(session, casc.enrollment, casc.candidate, coach.email, "coach")
        outbox.commit(session)
        membership = team_service.accept(session, invitation, coach)
        outbox.commit(session)
        assert KeyDate.COACH_ASSIGNED_ON not in casc.facts().dates  # a proposal until the program confirms
        members_service.confirm(session, casc.enrollment, membership, casc.person(Role.PROGRAM_DIRECTOR))
        outbox.commit(session)
    assert KeyDate.COACH_ASSIGNED_ON in casc.facts().dates
    assert roles_on(session, coach, casc.enrollment) == frozenset({Role.COACH})
