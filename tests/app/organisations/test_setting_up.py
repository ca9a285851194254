"""A district sets itself up from an empty install: organisations, programs, staff and their roles."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, Organisation, PoolMember, Program, SignOffTask, StaffInvitation, User
from app.policy import program_roles, roles_on
from tests.app import notify_factories as f
from tests.app.mail_server import text_part
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, make_user, signed_in
from workflows.roles import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def administrator(app: Flask, session: Session) -> FlaskClient:
    user = make_user(session, "admin@example.org", "Sam Admin")
    session.add(Membership(user_id=user.id, role=Role.SERVICE_ADMINISTRATOR.value))  # as `flask create-user --role` does
    session.commit()
    return signed_in(app, "admin@example.org")


def post(client: FlaskClient, path: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def words(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def set_up_linden(client: FlaskClient, session: Session) -> tuple[Organisation, Program]:
    response = post(client, "/organisations/new", "/organisations/new", name="Linden Unified School District",
                    kind="district", timezone="America/Los_Angeles", cds_code="19-64733")
    assert response.status_code == 302
    organisation = session.exec(select(Organisation)).one()
    response = post(client, f"/organisations/{organisation.id}/programs/new", f"/organisations/{organisation.id}/programs/new",
                    pathway="induction", name="Linden Induction", open_for_enrolment="1")
    assert response.status_code == 302
    program = session.exec(select(Program)).one()
    return organisation, program


def test_a_service_administrator_sets_up_an_organisation_and_its_program(administrator: FlaskClient, session: Session) -> None:
    assert "Organisations" in words(administrator.get("/"))
    organisation, program = set_up_linden(administrator, session)
    assert (organisation.kind, organisation.cds_code, organisation.timezone) == ("district", "1964733", "America/Los_Angeles")
    assert (program.pathway, program.open_for_enrolment, program.settings) == ("induction", True, {})
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert "organisation.created" in actions and "program.created" in actions
    page = words(administrator.get(f"/organisations/{organisation.id}"))
    assert "Linden Induction" in page and "open for enrolment" in page
    # /programs/ sends a service administrator to where programs are set up.
    assert administrator.get("/programs/").headers["Location"].endswith("/organisations/")


def test_bad_input_is_refused_with_a_message_and_changes_nothing(administrator: FlaskClient, session: Session) -> None:
    response = post(administrator, "/organisations/new", "/organisations/new", name="", kind="planet",
                    timezone="Mars/Olympus", cds_code="12")
    assert response.status_code == 400
    text = words(response)
    assert "Enter the organisation's name" in text and "Choose what kind" in text and "time zone" in text
    assert session.exec(select(Organisation)).all() == []
    organisation, _ = set_up_linden(administrator, session)
    again = post(administrator, "/organisations/new", "/organisations/new", name="linden unified school district",
                 kind="district", timezone="America/Los_Angeles")
    assert again.status_code == 409 and len(session.exec(select(Organisation)).all()) == 1
    wrong = post(administrator, f"/organisations/{organisation.id}/programs/new", f"/organisations/{organisation.id}/programs/new",
                 pathway="astrology", name="X")
    assert wrong.status_code == 400 and "Choose the pathway" in words(wrong)


def test_archiving_keeps_everything_and_closes_enrolment(administrator: FlaskClient, session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    assert post(administrator, f"/organisations/{organisation.id}/programs/{program.id}/archive",
                f"/organisations/{organisation.id}").status_code == 302
    session.expire_all()
    assert session.get(Program, program.id).archived_at is not None  # type: ignore[union-attr]
    assert post(administrator, f"/organisations/{organisation.id}/programs/{program.id}/archive",
                f"/organisations/{organisation.id}", restore="1").status_code == 302
    session.expire_all()
    assert session.get(Program, program.id).archived_at is None  # type: ignore[union-attr]
    post(administrator, f"/organisations/{organisation.id}/archive", f"/organisations/{organisation.id}")
    session.expire_all()
    assert session.get(Organisation, organisation.id).archived_at is not None  # type: ignore[union-attr]
    refused = post(administrator, f"/organisations/{organisation.id}/staff", f"/organisations/{organisation.id}/staff",
                   email="ana@example.org", role="credential_analyst")
    assert refused.status_code == 409 and "archived" in words(refused)


def staff_link(app: Flask) -> str:
    match = re.search(r"http://localhost(/staff/join/\S+)", text_part(f.folder_mail(app)[-1]))
    assert match, "no staff invitation link in the email"
    return match.group(1)


def test_staff_join_by_invitation_and_land_on_their_own_work(app: Flask, administrator: FlaskClient, session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    response = post(administrator, f"/organisations/{organisation.id}/staff", f"/organisations/{organisation.id}/staff",
                    email="Cara.Analyst@Example.org", name="Cara Analyst", role="credential_analyst")
    assert response.status_code == 302
    [invitation] = session.exec(select(StaffInvitation)).all()
    assert (invitation.email, invitation.program_id, invitation.role) == ("cara.analyst@example.org", None, "credential_analyst")
    mail = f.folder_mail(app)[-1]
    assert mail["Subject"] == "You are invited to be credential analyst at Linden Unified School District"
    link = staff_link(app)
    newcomer = app.test_client()
    assert "Create your account" in words(newcomer.get(link))
    joined = newcomer.post(link, data={"csrf_token": csrf_token(newcomer, link), "name": "Cara Analyst",
                                       "password": PASSWORD, "confirm": PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/")  # their work, not the wizard
    cara = session.exec(select(User).where(User.email == "cara.analyst@example.org")).one()
    assert program_roles(session, cara, program) == frozenset({Role.CREDENTIAL_ANALYST})
    assert newcomer.post(link, data={"csrf_token": csrf_token(newcomer, "/")}).status_code == 410


def test_a_director_staffs_their_program_and_assigns_from_the_pool(app: Flask, administrator: FlaskClient,
                                                                    session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    director = make_user(session, "dee@example.org", "Dee Director")
    mentor = make_user(session, "mo@example.org", "Mo Mentor")
    page = f"/organisations/{organisation.id}/programs/{program.id}/staff"
    assert post(administrator, page, page, email="dee@example.org", role="program_director").status_code == 302
    assert "You have been added as program director at the Linden Induction program" in f.folder_mail(app)[-1]["Subject"]
    client = signed_in(app, "dee@example.org")
    # A director gives the program's pool places, never directors or organisation-wide roles.
    form = words(client.get(page))
    assert "Mentor (pool)" in form and "Program director" not in form.split("Who holds")[0]
    assert post(client, page, page, email="mo@example.org", role="mentor", school="Oak Elementary").status_code == 302
    [place] = session.exec(select(PoolMember)).all()
    assert (place.user_id, place.role, place.school, place.granted_by_id) == (mentor.id, "mentor", "Oak Elementary", director.id)
    assert post(client, page, page, email="x@example.org", role="program_director").status_code == 403
    org_page = f"/organisations/{organisation.id}/staff"
    assert client.get(org_page).status_code == 404
    # A place in the pool is no role on any candidate...
    candidate = PathwayDriver(app, session, "induction")
    candidate.enrollment.program_id = program.id
    session.add(candidate.enrollment)
    session.commit()
    assert roles_on(session, mentor, candidate.enrollment) == frozenset()
    directory = words(client.get(page))
    assert "Mo Mentor" in directory and "Oak Elementary" in directory and "0 candidates" in directory


def test_revoking_says_why_and_puts_claimed_work_back(app: Flask, administrator: FlaskClient, session: Session) -> None:
    organisation, _ = set_up_linden(administrator, session)
    analyst = make_user(session, "cara@example.org", "Cara Analyst")
    page = f"/organisations/{organisation.id}/staff"
    post(administrator, page, page, email="cara@example.org", role="credential_analyst")
    held = session.exec(select(Membership).where(Membership.user_id == analyst.id)).one()
    refused = post(administrator, f"/organisations/{organisation.id}/staff/role/{held.id}/revoke", page, reason="")
    assert refused.status_code == 400 and "Say why" in words(refused)
    done = post(administrator, f"/organisations/{organisation.id}/staff/role/{held.id}/revoke", page, reason="Moved to Oak USD")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Membership, held.id).revoked_at is not None  # type: ignore[union-attr]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.revoked")).one()
    assert event.details["reason"] == "Moved to Oak USD" and event.actor_id is not None
    assert session.exec(select(SignOffTask)).all() == []


def test_candidates_and_strangers_reach_none_of_it(app: Flask, administrator: FlaskClient, session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    make_user(session, "cand@example.org", "Cy Candidate")
    client = signed_in(app, "cand@example.org")
    for path in ("/organisations/", "/organisations/new", f"/organisations/{organisation.id}",
                 f"/organisations/{organisation.id}/staff", f"/organisations/{organisation.id}/programs/{program.id}/staff"):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/")
    for path in (f"/organisations/{organisation.id}/staff", f"/organisations/{organisation.id}/archive",
                 f"/organisations/{organisation.id}/programs/new"):
        assert client.post(path, data={"csrf_token": token, "email": "me@example.org", "role": "program_director",
                                       "name": "Mine", "pathway": "pip"}).status_code == 404, path
    assert session.exec(select(Membership).where(Membership.role == "program_director")).all() == []


def test_staff_come_from_a_spreadsheet_previewed_then_all_at_once(app: Flask, administrator: FlaskClient,
                                                                  session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    make_user(session, "mo@example.org", "Mo Mentor")
    page = f"/organisations/{organisation.id}/staff/import"
    sheet = (b"name,email,role,program,school\n"
             b"Mo Mentor,mo@example.org,Mentor,Linden Induction,Oak Elementary\n"
             b"Cara Analyst,cara@example.org,credential analyst,,\n")
    preview = administrator.post(f"{page}/preview", data={"csrf_token": csrf_token(administrator, page),
                                                          "file": (io.BytesIO(sheet), "staff.csv")})
    assert preview.status_code == 200
    text = words(preview)
    assert "1 given their role now · 1 invited by email" in text
    assert session.exec(select(PoolMember)).all() == []  # a preview writes nothing
    payload = re.search(r'name="payload" value="([^"]+)"', preview.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    done = administrator.post(page, data={"csrf_token": csrf_token(administrator, page), "payload": payload})
    assert done.status_code == 302
    [place] = session.exec(select(PoolMember)).all()
    assert (place.program_id, place.school) == (program.id, "Oak Elementary")
    assert [i.email for i in session.exec(select(StaffInvitation)).all()] == ["cara@example.org"]
    again = administrator.post(page, data={"csrf_token": csrf_token(administrator, page), "payload": payload})
    assert again.status_code == 302 and len(session.exec(select(PoolMember)).all()) == 1  # nothing twice


def test_only_staff_are_offered_and_one_mentor_takes_several_candidates(app: Flask, administrator: FlaskClient,
                                                                         session: Session) -> None:
    first = PathwayDriver(app, session, "induction")
    second = PathwayDriver(app, session, "induction")
    second.enrollment.program_id = first.program.id
    session.add(second.enrollment)
    program = first.program
    mentor = make_user(session, "mo@example.org", "Mo Mentor")
    puppet = make_user(session, "mo.mentor@example.net", "Mo Mentor")  # same name, signed up by anyone
    session.add(Membership(user_id=puppet.id, role=Role.VIEWER.value, proposed_role=Role.MENTOR.value,
                           enrollment_id=first.enrollment.id, granted_by_id=first.candidate.id))
    session.commit()
    organisation = session.get(Organisation, program.organisation_id)
    staff_page = f"/organisations/{organisation.id}/programs/{program.id}/staff"  # type: ignore[union-attr]
    assert post(administrator, staff_page, staff_page, email="mo@example.org", role="mentor").status_code == 302
    director = signed_in(app, first.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{program.id}/assignments"
    body = director.get(page).get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\d+)">', body))
    assert str(mentor.id) in offered and str(puppet.id) not in offered  # the look-alike is never offered
    refused = post(director, f"{page}/bulk", page, enrollment_id=str(first.enrollment.id), user_id=str(puppet.id),
                   role="mentor")
    assert refused.status_code == 400
    done = director.post(f"{page}/bulk", data={"csrf_token": csrf_token(director, page), "user_id": mentor.id,
                                                "role": "mentor",
                                                "enrollment_id": [first.enrollment.id, second.enrollment.id]})
    assert done.status_code == 302
    assert roles_on(session, mentor, first.enrollment) == roles_on(session, mentor, second.enrollment) == frozenset({Role.MENTOR})
    assert "2 candidates" in director.get(page).get_data(as_text=True)


def test_taking_the_last_analyst_away_tells_the_directors(app: Flask, administrator: FlaskClient, session: Session) -> None:
    organisation, program = set_up_linden(administrator, session)
    make_user(session, "cara@example.org", "Cara Analyst")
    make_user(session, "dee@example.org", "Dee Director")
    page = f"/organisations/{organisation.id}/staff"
    post(administrator, page, page, email="cara@example.org", role="credential_analyst")
    program_page = f"/organisations/{organisation.id}/programs/{program.id}/staff"
    post(administrator, program_page, program_page, email="dee@example.org", role="program_director")
    held = session.exec(select(Membership).where(Membership.role == "credential_analyst")).one()
    post(administrator, f"/organisations/{organisation.id}/staff/role/{held.id}/revoke", page, reason="Retired")
    told = [m for m in f.folder_mail(app) if m["To"] == "dee@example.org"]
    assert told[-1]["Subject"] == "Nobody is credential analyst at Linden Unified School District now"
    assert "Retired" not in text_part(told[-1])  # the reason stays in the record, not in email


def test_a_staff_file_with_a_nul_byte_is_refused_before_anything_is_read(administrator: FlaskClient,
                                                                         session: Session) -> None:
    organisation, _ = set_up_linden(administrator, session)
    page = f"/organisations/{organisation.id}/staff/import"
    sheet = b"name,email,role,program,school\nMo\x00 Mentor,mo@example.org,credential analyst,,\n"
    preview = administrator.post(f"{page}/preview", data={"csrf_token": csrf_token(administrator, page),
                                                          "file": (io.BytesIO(sheet), "staff.csv")})
    assert preview.status_code == 400 and "control character" in words(preview)
    assert session.exec(select(StaffInvitation)).all() == []
