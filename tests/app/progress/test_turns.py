"""Staff turns reach their people: a step, a fact or a document to file is in the holder's inbox, a
document only its uploader could verify falls to the director, and a turn nobody holds is listed."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app import outbox
from app.models import EnrollmentTurn, Evidence, Membership, Organisation, User
from app.services.enrollments import pathways
from app.services.evidence import filing
from app.services.programs import summaries
from app.services.progress import stuck
from app.services.signoffs import waiting_on, worklist
from app.services.team import accounts, staff_invitations
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.roles import Role


def submit(app: Flask, driver: PathwayDriver, kind: str, by: User) -> Evidence:
    with app.app_context():
        row = filing.submit(driver.session, driver.refresh(), kind, f"{kind}.pdf", pdf_bytes(kind), by)
        driver.session.commit()
    return row


def inbox(session: Session, driver: PathwayDriver, role: Role) -> list[worklist.Item]:
    session.expire_all()
    return worklist.build(session, driver.person(role), TODAY).items


def test_a_step_that_is_district_hrs_is_in_their_inbox_and_counted_on_the_badge(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    rows = session.exec(select(EnrollmentTurn).where(EnrollmentTurn.enrollment_id == pip.enrollment.id)).all()
    assert {(t.role, t.kind) for t in rows} >= {("district_hr", "upload")}, rows
    items = [i for i in inbox(session, pip, Role.DISTRICT_HR) if i.kind == "turn"]
    assert [i.title for i in items] == ["Upload the recruitment records (diligent search)"]
    assert items[0].candidate_name == "Candidate"
    hr = pip.person(Role.DISTRICT_HR)
    assert waiting_on.total(session, hr, TODAY) == len(worklist.build(session, hr, TODAY).items)
    page = signed_in(app, hr.email).get("/inbox").get_data(as_text=True)
    assert "Upload the recruitment records (diligent search)" in page and "You are all caught up" not in page
    # Once filed, it is no longer HR's to file: the turn goes with it.
    submit(app, pip, "recruitment_records", hr)
    assert not [i for i in inbox(session, pip, Role.DISTRICT_HR) if i.kind == "turn"]


def test_a_document_only_its_uploader_could_verify_falls_to_the_director(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    analyst, director = pip.person(Role.CREDENTIAL_ANALYST), pip.person(Role.PROGRAM_DIRECTOR)
    row = submit(app, pip, "eligibility_worksheet", analyst)
    # The one analyst cannot verify their own upload; the director is asked instead.
    assert not [i for i in inbox(session, pip, Role.CREDENTIAL_ANALYST) if i.id == row.id and i.kind == "document"]
    mine = [i for i in inbox(session, pip, Role.PROGRAM_DIRECTOR) if i.kind == "document"]
    assert [i.id for i in mine] == [row.id]
    assert waiting_on.total(session, director, TODAY) == len(worklist.build(session, director, TODAY).items)
    client = signed_in(app, director.email)
    answer = client.post(f"/inbox/enrollments/{pip.enrollment.id}/evidence/{row.id}/decision",
                         data={"decision": "verify", "csrf_token": csrf_token(client, "/inbox")})
    assert answer.status_code == 302
    session.expire_all()
    assert session.get(Evidence, row.id).status == "verified"  # type: ignore[union-attr]


def test_with_a_second_analyst_the_director_is_not_asked(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    second = PathwayDriver(app, session, "pip").person(Role.CREDENTIAL_ANALYST)
    session.add(Membership(user_id=second.id, role=Role.CREDENTIAL_ANALYST.value, program_id=pip.program.id))
    session.commit()
    row = submit(app, pip, "eligibility_worksheet", pip.person(Role.CREDENTIAL_ANALYST))
    assert not [i for i in inbox(session, pip, Role.PROGRAM_DIRECTOR) if i.kind == "document"]
    client = signed_in(app, pip.person(Role.PROGRAM_DIRECTOR).email)
    answer = client.post(f"/inbox/enrollments/{pip.enrollment.id}/evidence/{row.id}/decision",
                         data={"decision": "verify", "csrf_token": csrf_token(client, "/inbox")})
    assert answer.status_code == 403
    session.expire_all()
    assert [i.id for i in worklist.build(session, second, TODAY).items if i.kind == "document"] == [row.id]


def test_a_turn_nobody_holds_is_on_the_no_one_can_act_list(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    assert not stuck.nobody_can_act(session, [pip.program.id])
    hr = session.exec(select(Membership).where(Membership.user_id == pip.person(Role.DISTRICT_HR).id)).one()
    session.delete(hr)
    session.commit()
    listed = stuck.nobody_can_act(session, [pip.program.id])
    assert [(t.role.value, t.what, t.candidate_name) for t in listed] == [
        ("district_hr", "Upload the recruitment records (diligent search)", "Candidate")]


def test_each_holder_hears_of_a_new_turn_once_and_a_rebuild_tells_nobody(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    hr = pip.person(Role.DISTRICT_HR)
    newcomer = accounts.create_user(session, "newcomer@example.org", "Nia Newcomer", "correct horse battery")
    with app.app_context():
        enrollment = pathways.enroll(session, newcomer, pip.program, TODAY, newcomer)
        outbox.commit(session)
    def told() -> list[str]:
        return [m["Subject"] for m in f.folder_mail(app) if m["To"] == hr.email and m["Subject"].startswith("Your turn: Upload")
                and m["Subject"].endswith("Nia Newcomer")]
    assert told() == ["Your turn: Upload the recruitment records (diligent search) for Nia Newcomer"]
    # Nothing new on the record, nothing new in the mail: a later change and a full rebuild keep quiet.
    with app.app_context():
        enrollment.employer = "Another district"
        session.add(enrollment)
        outbox.commit(session)
        summaries.rebuild(session)
    assert len(told()) == 1


def test_the_staff_page_says_who_is_missing_before_it_bites(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    director = signed_in(app, pip.person(Role.PROGRAM_DIRECTOR).email)
    page = director.get(f"/organisations/{pip.program.organisation_id}/programs/{pip.program.id}/staff").get_data(
        as_text=True)
    assert "One credential analyst only: what they file (" in page and "goes to the program director to verify" in page
    assert "Nobody is" not in page
    hr = session.exec(select(Membership).where(Membership.user_id == pip.person(Role.DISTRICT_HR).id)).one()
    session.delete(hr)
    session.commit()
    page = director.get(f"/organisations/{pip.program.organisation_id}/programs/{pip.program.id}/staff").get_data(
        as_text=True)
    assert "Nobody is district HR here" in page
    cohort = director.get(f"/programs/{pip.program.id}").get_data(as_text=True)
    assert "No one can act (1)" in cohort and "Upload the recruitment records (diligent search)" in cohort
    assert "waits on a district HR who can act" in cohort
    # The daily sweep tells the director too, once a day, while the list is not empty.
    with app.app_context():
        assert stuck.tell_directors(session) == 1
        assert stuck.tell_directors(session) == 1  # written again, the same key: sent once
    told = [m for m in f.folder_mail(app) if m["To"] == pip.person(Role.PROGRAM_DIRECTOR).email
            and "nobody holds" in m["Subject"]]
    assert [m["Subject"] for m in told] == [f"1 candidate in {pip.program.name} waits on a role nobody holds"]
    assert "Candidate: Upload the recruitment records (diligent search)" in told[0].get_body(("plain",)).get_content()


def test_someone_given_a_role_is_told_what_already_waits_on_them(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    admin = accounts.create_user(session, "admin.turns@example.org", "Sam Admin", "correct horse battery")
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    newcomer = accounts.create_user(session, "second.hr@example.org", "Hana Second", "correct horse battery")
    session.commit()
    organisation = session.get(Organisation, pip.program.organisation_id)
    with app.app_context():
        staff_invitations.add(session, admin, organisation, newcomer.email, Role.DISTRICT_HR.value)  # type: ignore[arg-type]
        outbox.commit(session)
    [told] = [m for m in f.folder_mail(app) if m["To"] == newcomer.email]
    assert told["Subject"].startswith("You have been added as district HR at")
    assert "1 thing already waits on you in your inbox." in told.get_body(("plain",)).get_content()
