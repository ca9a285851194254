"""Staff import from a CSV file: a preview that writes nothing, problems per row with their line,
all or nothing, the same file twice changes nothing, accounts given the role and new addresses invited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from app.models import (
    AuditEvent,
    Membership,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    PoolMember,
    Program,
    StaffInvitation,
    User,
)
from app.services import Conflict, PathwayError
from app.services.programs import csv_reader
from app.services.programs.staff_import import (
    COLUMNS,
    StaffAction,
    StaffImportError,
    check,
    import_staff,
    role_of,
    template_csv,
)
from app.services.team import accounts, staff, staff_invitations
from workflows.roles import Role

HEADER = "name,email,role,program,school\n"


@dataclass
class District:
    organisation: Organisation
    induction: Program
    casc: Program
    admin: User
    director: User  # of the induction program only
    teacher: User  # an account that holds no role yet


@pytest.fixture
def district(app: Flask, session: Session) -> Iterator[District]:
    organisation = Organisation(name="Linden USD", kind=OrganisationKind.DISTRICT)
    session.add(organisation)
    session.flush()
    induction = Program(organisation_id=organisation.id, name="Teacher Induction", pathway="induction", settings={})
    casc = Program(organisation_id=organisation.id, name="Administrator Induction", pathway="casc", settings={})
    session.add_all([induction, casc])
    admin = accounts.create_user(session, "ada@linden.example.org", "Ada Admin", "correct horse battery")
    director = accounts.create_user(session, "dee@linden.example.org", "Dee Director", "correct horse battery")
    teacher = accounts.create_user(session, "tomas@linden.example.org", "Tomás Teacher", "correct horse battery")
    session.flush()
    session.add(Membership(user_id=admin.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.add(Membership(user_id=director.id, role=Role.PROGRAM_DIRECTOR.value, program_id=induction.id))
    session.commit()
    with app.app_context():  # invitations read the app's INVITATION_DAYS
        yield District(organisation, induction, casc, admin, director, teacher)


def counts(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(session.exec(select(func.count()).select_from(t)).one()
                 for t in (Membership, PoolMember, StaffInvitation, AuditEvent, OutboxMessage, User))


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode()


GOOD = csv_bytes(
    "Tomás Teacher,TOMAS@linden.example.org,Mentor,teacher induction,Jefferson Elementary",
    "Ana Analyst,ana@linden.example.org,credential analyst,,",
    "Hal Human,hal@linden.example.org,District HR,,",
    "Pia Principal,pia@linden.example.org,principal,Administrator Induction,Lincoln High",
)


def test_the_check_says_what_each_row_would_do_and_writes_nothing(session: Session, district: District) -> None:
    before = counts(session)
    result = check(session, district.admin, district.organisation, GOOD)
    assert counts(session) == before
    assert not result.problems and result.importable
    assert [(row.line, row.action, row.role, row.program) for row in result.rows] == [
        (2, StaffAction.GRANT, Role.MENTOR, district.induction),
        (3, StaffAction.INVITE, Role.CREDENTIAL_ANALYST, None),
        (4, StaffAction.INVITE, Role.DISTRICT_HR, None),
        (5, StaffAction.INVITE, Role.SITE_ADMINISTRATOR, district.casc)]
    assert result.rows[0].user is not None and result.rows[0].user.id == district.teacher.id
    assert result.counts == {"grant": 1, "invite": 3, "already": 0, "problems": 0}


def test_an_account_is_given_the_role_and_a_new_address_invited(session: Session, district: District) -> None:
    before = counts(session)
    result = import_staff(session, district.admin, district.organisation, GOOD)
    session.commit()
    place = session.exec(select(PoolMember).where(PoolMember.user_id == district.teacher.id)).one()
    assert (place.program_id, place.role, place.school, place.granted_by_id) == (
        district.induction.id, "mentor", "Jefferson Elementary", district.admin.id)
    invited = {(i.email, i.role, i.program_id, i.school, i.name)
               for i in session.exec(select(StaffInvitation)).all()}
    assert invited == {("ana@linden.example.org", "credential_analyst", None, None, "Ana Analyst"),
                       ("hal@linden.example.org", "district_hr", None, None, "Hal Human"),
                       ("pia@linden.example.org", "site_administrator", district.casc.id, "Lincoln High", "Pia Principal")}
    jobs = session.exec(select(OutboxMessage.job)).all()
    assert sorted(jobs) == ["email.staff_invitation"] * 3  # an email per invitation, none for the grant
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions.count("staff.granted") == 1 and actions.count("staff.invited") == 3
    [imported] = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.imported")).all()
    assert imported.actor_id == district.admin.id
    assert imported.details["organisation_id"] == district.organisation.id
    assert (imported.details["granted"], imported.details["invited"], imported.details["already"]) == (1, 3, 0)
    assert counts(session) == (before[0], before[1] + 1, before[2] + 3, before[3] + 5, before[4] + 3, before[5])
    assert result.counts["grant"] == 1


def test_the_same_file_again_changes_nothing(session: Session, district: District) -> None:
    import_staff(session, district.admin, district.organisation, GOOD)
    session.commit()
    before = counts(session)
    again = import_staff(session, district.admin, district.organisation, GOOD)
    session.commit()
    assert counts(session) == before  # no grant, no invitation, no email, no staff.imported event
    assert [row.action for row in again.rows] == [StaffAction.ALREADY] * 4
    assert not again.importable and not again.problems
    assert "is already mentor there" in again.rows[0].notes[0]
    assert "invitation to ana@linden.example.org for this role is open" in again.rows[1].notes[0]


def test_an_open_invitation_is_nothing_to_do_and_an_account_holding_the_role_too(session: Session,
                                                                                  district: District) -> None:
    staff_invitations.invite(session, district.admin, district.organisation, "ana@linden.example.org",
                             "credential_analyst")
    staff.grant(session, district.admin, district.teacher, Role.PROGRAM_DIRECTOR, district.organisation, district.casc)
    session.commit()
    result = check(session, district.admin, district.organisation, csv_bytes(
        "Ana Analyst,ana@linden.example.org,credential_analyst,,",
        "Tomás Teacher,tomas@linden.example.org,program director,Administrator Induction,",
        # Director of the CASC program is not director of the organisation's every program.
        "Tomás Teacher,tomas@linden.example.org,program director,,"))
    assert [row.action for row in result.rows] == [StaffAction.ALREADY, StaffAction.ALREADY, StaffAction.GRANT]


def test_problems_are_listed_per_row_with_their_line(session: Session, district: District) -> None:
    district.teacher.active = False
    session.add(district.teacher)
    session.add(Program(organisation_id=district.organisation.id, name="Old Induction", pathway="induction",
                        settings={}, archived_at=district.organisation.created_at))
    session.commit()
    data = csv_bytes(
        "Fine Person,fine@linden.example.org,mentor,Teacher Induction,",  # line 2
        "Bad Email,not-an-email,mentor,Teacher Induction,",  # 3
        "",  # a blank line is skipped, and still counted
        "Odd Role,odd@linden.example.org,janitor,,",  # 5
        "Lost,lost@linden.example.org,mentor,Somewhere Else,",  # 6
        "Ana Analyst,ana@linden.example.org,credential analyst,Teacher Induction,",  # 7
        "Max Mentor,max@linden.example.org,mentor,,",  # 8: a pool role needs a program
        "Cole Coach,cole@linden.example.org,coach,Teacher Induction,",  # 9: induction has no coaches
        "Fine Again,FINE@linden.example.org,Mentor,teacher induction,",  # 10
        "Tomás Teacher,tomas@linden.example.org,mentor,Teacher Induction,",  # 11: deactivated
        ",noname@linden.example.org,mentor,Teacher Induction,",  # 12
        '"Multi\nLine",multi@linden.example.org,nurse,,',  # 13-14: a quoted cell over two lines
        "Pam Panel,pam@linden.example.org,exit-interview panel member,,",  # 15: a program role
        "Olga Old,olga@linden.example.org,mentor,old induction,",  # 16: an archived program
    )
    result = check(session, district.admin, district.organisation, data)
    by_line = {row.line: row.errors for row in result.rows}
    assert by_line[2] == []
    assert by_line[3] == ["“not-an-email” is not an email address."]
    assert by_line[5][0].startswith("Unknown role “janitor”: use one of credential analyst, district HR")
    assert by_line[6] == [("Unknown program “Somewhere Else”: Linden USD runs Administrator Induction, "
                          "Teacher Induction.")]
    assert by_line[7] == ["A credential analyst is given across Linden USD: leave the program empty."]
    assert by_line[8] == ["A mentor is given on a program: fill in the program column."]
    assert by_line[9] == [("At the Teacher Induction program, choose one of: program director, mentor, "
                          "site administrator.")]
    assert by_line[10] == ["Duplicate of line 2: the same person, role and program."]
    assert by_line[11] == [("The account of tomas@linden.example.org is deactivated: a service administrator "
                           "reactivates it first.")]
    assert by_line[12] == ["The name is empty."]
    assert by_line[14][0].startswith("Unknown role “nurse”")
    assert by_line[15] == ["An exit-interview panel member is given on a program: fill in the program column."]
    assert by_line[16] == ["The Old Induction program is archived: nobody is given a role there any more."]
    assert result.row_errors == 12 and not result.importable
    assert "Line 3: “not-an-email” is not an email address." in result.problems
    assert [row.action for row in result.rows if not row.errors] == [StaffAction.INVITE]


def test_one_bad_row_and_nothing_is_written(session: Session, district: District) -> None:
    before = counts(session)
    with pytest.raises(StaffImportError) as refused:
        import_staff(session, district.admin, district.organisation,
                     GOOD + b"Odd Role,odd@linden.example.org,janitor,,\n")
    assert isinstance(refused.value, PathwayError) and refused.value.status == 400
    assert "1 row(s) have problems; nothing was imported" in refused.value.message
    assert refused.value.reasons[0].startswith("Line 6: Unknown role “janitor”")
    assert refused.value.check.row_errors == 1
    session.commit()
    assert counts(session) == before


def test_a_row_refused_while_writing_rolls_everything_back(session: Session, district: District,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Something changed between the check and the writing (another import gave the role): all or nothing."""
    before = counts(session)

    def taken(*args: object, **kwargs: object) -> None:
        raise Conflict("Someone gave this role a moment ago.")

    monkeypatch.setattr(staff_invitations, "invite", taken)
    with pytest.raises(StaffImportError) as refused:
        import_staff(session, district.admin, district.organisation, GOOD)  # the grant on line 2 comes first
    assert "Line 3 could not be imported: Someone gave this role a moment ago." in refused.value.message
    session.commit()
    assert counts(session) == before


def test_a_director_imports_for_their_own_program_only(session: Session, district: District) -> None:
    data = csv_bytes(
        "Tomás Teacher,tomas@linden.example.org,mentor,Teacher Induction,Jefferson Elementary",  # 2: fine
        "Sam Site,sam@linden.example.org,site administrator,Teacher Induction,Lincoln High",  # 3: fine
        "Ana Analyst,ana@linden.example.org,credential analyst,,",  # 4: organisation-wide
        "Hal Human,hal@linden.example.org,district hr,,",  # 5: organisation-wide
        "Dan Director,dan@linden.example.org,program director,Teacher Induction,",  # 6: a director
        "Dora Director,dora@linden.example.org,program director,,",  # 7: director of every program
        "Cole Coach,cole@linden.example.org,coach,Administrator Induction,",  # 8: another program
        "Pam Panel,pam@linden.example.org,panel member,Administrator Induction,",  # 9: another program
    )
    before = counts(session)
    result = check(session, district.director, district.organisation, data)
    refused = {row.line for row in result.rows if row.errors}
    assert refused == {4, 5, 6, 7, 8, 9}
    assert all(row.errors[0].startswith("You cannot make someone") for row in result.rows if row.errors)
    assert [(row.line, row.action) for row in result.rows if not row.errors] == [(2, StaffAction.GRANT),
                                                                                   (3, StaffAction.INVITE)]
    with pytest.raises(StaffImportError):
        import_staff(session, district.director, district.organisation, data)
    session.commit()
    assert counts(session) == before
    # The two rows alone are theirs to give.
    import_staff(session, district.director, district.organisation, csv_bytes(*data.decode().splitlines()[1:3]))
    session.commit()
    assert session.exec(select(PoolMember.role).where(PoolMember.granted_by_id == district.director.id)).all() == [
        "mentor"]
    assert session.exec(select(StaffInvitation.invited_by_id)).all() == [district.director.id]


@pytest.mark.parametrize("written, role", [
    ("credential analyst", Role.CREDENTIAL_ANALYST), ("Credential Analyst", Role.CREDENTIAL_ANALYST),
    ("credential_analyst", Role.CREDENTIAL_ANALYST), ("Mentor", Role.MENTOR), ("COACH", Role.COACH),
    ("district HR", Role.DISTRICT_HR), ("HR", Role.DISTRICT_HR), ("district_hr", Role.DISTRICT_HR),
    ("exit-interview panel member", Role.PANEL_MEMBER), ("panel member", Role.PANEL_MEMBER),
    ("Exit Interview Panel Member", Role.PANEL_MEMBER), ("site administrator", Role.SITE_ADMINISTRATOR),
    ("principal", Role.SITE_ADMINISTRATOR), ("Site_Administrator", Role.SITE_ADMINISTRATOR),
    ("program director", Role.PROGRAM_DIRECTOR), ("  program   director ", Role.PROGRAM_DIRECTOR),
    ("preparation-program support provider", Role.PREP_PROGRAM_SUPPORT_PROVIDER),
    ("prep_program_support_provider", Role.PREP_PROGRAM_SUPPORT_PROVIDER),
    ("janitor", None), ("", None), ("candidate", None), ("viewer", None), ("service administrator", None),
])
def test_roles_are_read_as_people_write_them(written: str, role: Role | None) -> None:
    assert role_of(written) is role


def test_a_byte_order_mark_and_the_header_in_any_case_and_order(session: Session, district: District) -> None:
    data = "\ufeffROLE,Email,Name\r\nMentor,tomas@linden.example.org,Tomás Teacher\r\n".encode()
    result = check(session, district.admin, district.organisation, data)
    # No program column: the mentor needs one; the header and the BOM were read.
    assert result.file_errors == []
    assert result.rows[0].errors == ["A mentor is given on a program: fill in the program column."]
    data = "\ufeffRole,Email,Name,Program\r\nCredential Analyst,ana@linden.example.org,Ana Analyst,\r\n".encode()
    assert [row.action for row in check(session, district.admin, district.organisation, data).rows] == [
        StaffAction.INVITE]


@pytest.mark.parametrize("data, message", [
    ("name,email,role\nJosé Núñez,jose@linden.example.org,mentor\n".encode("latin-1"), "The file is not UTF-8 text."),
    (b"", "The file is empty"),
    (HEADER.encode(), "The file has no one in it"),
    (b"name,email\nA,a@linden.example.org\n", "Missing column(s): role."),
    (b"name,email,role,nickname\nA,a@linden.example.org,mentor,Al\n", "Unknown column(s): nickname."),
    (HEADER.encode() + b"A,a@linden.example.org,mentor,Teacher Induction,\n" * 2001,
     "The file has 2001 rows; at most 2000 can be imported at once."),
    (HEADER.encode() + b"A,a@linden.example.org,mentor,Teacher Induction," + b" " * csv_reader.MAX_BYTES + b"\n",
     "The file is larger than 1024 KB; split the list."),
])
def test_files_that_cannot_be_read_are_refused_saying_why(session: Session, district: District, data: bytes,
                                                           message: str) -> None:
    before = counts(session)
    result = check(session, district.admin, district.organisation, data)
    assert result.file_errors and result.file_errors[0].startswith(message) and result.rows == []
    with pytest.raises(StaffImportError) as refused:
        import_staff(session, district.admin, district.organisation, data)
    assert refused.value.message == "The file cannot be imported." and refused.value.reasons == result.file_errors
    assert counts(session) == before


def test_an_archived_organisation_takes_no_staff(session: Session, district: District) -> None:
    district.organisation.archived_at = district.organisation.created_at
    session.add(district.organisation)
    session.commit()
    result = check(session, district.admin, district.organisation, GOOD)
    assert result.file_errors == ["Linden USD is archived: nobody is given a role there any more."]


def test_the_template_has_the_header_and_an_example_that_checks(session: Session, district: District) -> None:
    text = template_csv()
    assert text.startswith("\ufeffname,email,role,program,school\r\n")
    assert tuple(text.lstrip("\ufeff").splitlines()[0].split(",")) == COLUMNS
    [row] = check(session, district.admin, district.organisation, text.encode()).rows
    assert (row.errors, row.action, row.role, row.program) == ([], StaffAction.INVITE, Role.MENTOR, district.induction)
    assert row.school == "Jefferson Elementary"


def test_a_school_is_kept_for_pool_places_only(session: Session, district: District) -> None:
    result = check(session, district.admin, district.organisation, csv_bytes(
        "Ana Analyst,ana@linden.example.org,credential analyst,,Lincoln High",
        "Tomás T,tomas@linden.example.org,mentor,Teacher Induction,Lincoln High"))
    analyst, mentor = result.rows
    assert analyst.school is None and analyst.notes == [
        "A school is kept only for mentors, coaches and site administrators; it is left out."]
    assert mentor.school == "Lincoln High"
    assert mentor.notes == ["The account with this email is named “Tomás Teacher”."]
