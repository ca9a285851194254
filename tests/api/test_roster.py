"""Roster imports for district HR over the API: JSON rows or the CSV template, all or nothing, idempotent."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, Membership, Organisation, OrganisationKind, Program, RosterImport, User
from tests.api.helpers import Api, api_as
from tests.conftest import make_user
from workflows.roles import Role

PROBLEM = "application/problem+json"


@pytest.fixture
def program(session: Session) -> Program:
    org = Organisation(name="Roster district", kind=OrganisationKind.DISTRICT)
    session.add(org)
    session.flush()
    row = Program(organisation_id=org.id, name="District Induction", pathway="induction")  # type: ignore[arg-type]
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def hr(app: Flask, session: Session, program: Program) -> Api:
    person = make_user(session, "hr@example.org", "Hana HR")
    session.add(Membership(user_id=person.id, role=Role.DISTRICT_HR.value, organisation_id=program.organisation_id))  # type: ignore[arg-type]
    session.commit()
    return api_as(app, session, person)


ROWS = [{"email": "ana@example.org", "name": "Ana Ruiz", "enrolled_on": "2026-08-15",
         "preliminary_issued_on": "2026-06-01", "preliminary_expires_on": "2031-06-01"},
        {"email": "ben@example.org", "name": "Ben Ortiz", "enrolled_on": "2026-08-15", "employer": "Unified"}]


def _enrolled(session: Session, program: Program) -> list[str]:
    session.expire_all()
    return sorted(session.exec(select(User.email).join(Enrollment, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                               .where(Enrollment.program_id == program.id)).all())


def test_json_rows_enrol_everyone_once_and_the_same_roster_again_changes_nothing(
        session: Session, program: Program, hr: Api) -> None:
    url = f"/programs/{program.id}/roster"
    preview = hr.post(url, json={"rows": ROWS, "dry_run": True})
    assert preview.status_code == 200 and preview.json["dry_run"] is True  # type: ignore[index]
    assert [r["action"] for r in preview.json["rows"]] == ["create account and enrol"] * 2  # type: ignore[index]
    assert _enrolled(session, program) == []  # a dry run writes nothing

    done = hr.post(url, json={"rows": ROWS})
    assert done.status_code == 200, done.json
    assert done.json["imported"] is True and done.json["enrolled"] == 2  # type: ignore[index]
    assert _enrolled(session, program) == ["ana@example.org", "ben@example.org"]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "roster.imported")).one()

    again = hr.post(url, json={"rows": ROWS})
    assert again.status_code == 200
    assert again.json["imported"] is False and again.json["already_imported"] is True  # type: ignore[index]
    assert again.json["enrolled"] == 0  # type: ignore[index]
    # An edited copy (Ben first, and someone new) adds only the new person.
    more = hr.post(url, json={"rows": [ROWS[1], {"email": "cy@example.org", "name": "Cy", "enrolled_on": "2026-09-01"}]})
    assert more.json["enrolled"] == 1 and [r["action"] for r in more.json["rows"]] == [  # type: ignore[index]
        "already enrolled: skipped", "create account and enrol"]
    assert _enrolled(session, program) == ["ana@example.org", "ben@example.org", "cy@example.org"]
    assert len(session.exec(select(RosterImport)).all()) == 2


def test_invalid_rows_are_422_with_each_rows_fields_and_nothing_is_imported(
        session: Session, program: Program, hr: Api) -> None:
    url = f"/programs/{program.id}/roster"
    bad = hr.post(url, json={"rows": [ROWS[0], {"email": "not-an-email", "name": "", "enrolled_on": "15/08/2026"}]})
    assert bad.status_code == 422 and bad.content_type == PROBLEM and bad.json["type"].endswith("/validation")  # type: ignore[index]
    locs = {tuple(e["loc"]) for e in bad.json["errors"]}  # type: ignore[index]
    assert {("body", "rows", 1, "email"), ("body", "rows", 1, "name"), ("body", "rows", 1, "enrolled_on")} <= locs
    # Errors only the service sees (a duplicate, a document expiring before it was issued) name the row too.
    rows = [ROWS[0], dict(ROWS[0]), {**ROWS[1], "preliminary_issued_on": "2026-06-01",
                                     "preliminary_expires_on": "2026-01-01"}]
    refused = hr.post(url, json={"rows": rows})
    assert refused.status_code == 422
    errors = refused.json["errors"]  # type: ignore[index]
    assert any(e["loc"][:3] == ["body", "rows", 1] and "Duplicate" in e["message"] for e in errors)
    assert any(e["loc"][:3] == ["body", "rows", 2] for e in errors)
    assert not any(e["loc"][:3] == ["body", "rows", 0] for e in errors)
    assert _enrolled(session, program) == [] and session.exec(select(RosterImport)).all() == []
    # A roster meant for another program is caught row by row.
    other = hr.post(url, json={"rows": [{**ROWS[0], "program": "Someone else's program"}]})
    assert other.status_code == 422 and other.json["errors"][0]["loc"] == ["body", "rows", 0, "program"]  # type: ignore[index]


def test_the_csv_template_imports_and_its_errors_name_the_line(session: Session, program: Program, hr: Api) -> None:
    url = f"/api/v1/programs/{program.id}/roster/csv"
    text = "email,name,enrolled_on\nana@example.org,Ana Ruiz,2026-08-15\nben@example.org,,08/15/2026\n"
    bad = hr.client.post(url, headers=hr._headers(), content_type="multipart/form-data",
                         data={"file": (io.BytesIO(text.encode()), "roster.csv")})
    assert bad.status_code == 422 and bad.json["errors"] == [  # type: ignore[index]
        {"loc": ["body", "file", 3, "name"], "message": "The name is empty."}]
    good = text.replace("ben@example.org,,", "ben@example.org,Ben Ortiz,")
    done = hr.client.post(url, headers=hr._headers(), content_type="multipart/form-data",
                          data={"file": (io.BytesIO(good.encode()), "roster.csv")})
    assert done.status_code == 200 and done.json["enrolled"] == 2  # type: ignore[index]
    again = hr.client.post(url, headers=hr._headers(), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(good.encode()), "roster.csv")})
    assert again.status_code == 200 and again.json["already_imported"] is True  # type: ignore[index]
    assert _enrolled(session, program) == ["ana@example.org", "ben@example.org"]


def test_only_district_hr_and_the_director_import(app: Flask, session: Session, program: Program) -> None:
    analyst = make_user(session, "analyst@example.org", "Ann Analyst")
    session.add(Membership(user_id=analyst.id, role=Role.CREDENTIAL_ANALYST.value, program_id=program.id))  # type: ignore[arg-type]
    stranger = make_user(session, "x@example.org", "Stranger")
    session.commit()
    url = f"/programs/{program.id}/roster"
    assert api_as(app, session, analyst).post(url, json={"rows": ROWS}).status_code == 403
    assert api_as(app, session, stranger).post(url, json={"rows": ROWS}).status_code == 404
    assert _enrolled(session, program) == []
