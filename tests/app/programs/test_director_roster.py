"""Roster import: preview writes nothing, errors per row block everything, re-import is a no-op."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from app.models import AuditEvent, Enrollment, OutboxMessage, RosterImport, User
from tests.app.director_fixtures import signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token
from workflows.roles import Role

GOOD = ("email,name,program,credential_sought,enrolled_on,preliminary_issued_on,preliminary_expires_on\n"
        "new.teacher@example.org,Nia Teacher,{program},Clear Multiple Subject,2025-08-04,2025-06-01,2030-06-01\n"
        "second@example.org,Sam Second,,Clear Single Subject,08/11/2025,,\n")


@pytest.fixture
def driver(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "induction")


@pytest.fixture
def hr(app: Flask, driver: PathwayDriver) -> FlaskClient:
    return signed_in(app, driver.person(Role.DISTRICT_HR).email)


def upload(client: FlaskClient, driver: PathwayDriver, step: str, text: str | bytes, name: str = "roster.csv"):  # type: ignore[no-untyped-def]
    base = f"/programs/{driver.program.id}/roster"
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"{base}/{step}", data={"csrf_token": csrf_token(client, base), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def counts(session: Session) -> tuple[int, int, int, int]:
    session.expire_all()
    return tuple(session.exec(select(func.count()).select_from(t)).one()  # type: ignore[return-value]
                 for t in (User, Enrollment, AuditEvent, OutboxMessage))


def test_preview_shows_what_would_happen_and_writes_nothing(hr: FlaskClient, driver: PathwayDriver, session: Session) -> None:
    before = counts(session)
    response = upload(hr, driver, "preview", GOOD.format(program=driver.program.name))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count("Create account and enrol") == 2 and "Import 2 candidates" in body
    assert counts(session) == before


def test_import_enrols_everyone_in_one_go_and_emails_a_set_password_link(hr: FlaskClient, driver: PathwayDriver,
                                                                        session: Session) -> None:
    page = upload(hr, driver, "preview", GOOD.format(program=driver.program.name)).get_data(as_text=True)
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    base = f"/programs/{driver.program.id}/roster"
    response = hr.post(f"{base}/import", data={"csrf_token": csrf_token(hr, base), "payload": payload,
                                               "filename": "roster.csv"})
    assert response.status_code == 302
    nia = session.exec(select(User).where(User.email == "new.teacher@example.org")).one()
    assert not nia.check_password("") and nia.password_hash == ""
    enrollment = session.exec(select(Enrollment).where(Enrollment.candidate_id == nia.id)).one()
    assert enrollment.program_id == driver.program.id and enrollment.state == "eligible"
    assert str(enrollment.preliminary_issued_on) == "2025-06-01" and enrollment.credential_sought == "Clear Multiple Subject"
    second = session.exec(select(Enrollment).join(User, Enrollment.candidate_id == User.id)
                          .where(User.email == "second@example.org")).one()
    assert str(second.enrolled_on) == "2025-08-11"
    jobs = session.exec(select(OutboxMessage.job).where(OutboxMessage.dedupe_key.like("roster-welcome-%"))).all()
    assert jobs == ["email.password_reset", "email.password_reset"]
    assert session.exec(select(RosterImport)).one().rows == 2

    # The same file again: refused, nothing changes.
    before = counts(session)
    again = upload(hr, driver, "import", GOOD.format(program=driver.program.name))
    assert again.status_code == 409 and "already imported on" in again.get_data(as_text=True)
    # An edited copy with the same people: skipped as already enrolled, nothing changes.
    edited = upload(hr, driver, "import", GOOD.format(program=driver.program.name) + "\n")
    assert edited.status_code == 409 and "already enrolled" in edited.get_data(as_text=True)
    assert counts(session) == before


@pytest.mark.parametrize("text, message", [
    ("email,name\nx@example.org,X\n", "Missing column(s): enrolled_on"),
    ("email,name,enrolled_on,nickname\nx@example.org,X,2025-08-01,Xy\n", "Unknown column(s): nickname"),
    ("", "The file is empty"),
])
def test_file_level_errors_are_named(hr: FlaskClient, driver: PathwayDriver, session: Session, text: str, message: str) -> None:
    before = counts(session)
    response = upload(hr, driver, "import", text)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert counts(session) == before


def test_row_errors_are_listed_per_row_and_block_the_whole_import(hr: FlaskClient, driver: PathwayDriver,
                                                                   session: Session) -> None:
    text = ("email,name,program,enrolled_on,preliminary_issued_on,preliminary_expires_on\n"
            "fine@example.org,Fine Person,,2025-08-01,,\n"
            "not-an-email,Bad Email,,2025-08-01,,\n"
            "date@example.org,Bad Date,,2025-13-45,,\n"
            "order@example.org,Out Of Order,,2025-08-01,2025-06-01,2024-06-01\n"
            "fine@example.org,Fine Again,,2025-08-01,,\n"
            "other@example.org,Other Program,Somewhere Else Induction,2025-08-01,,\n")
    before = counts(session)
    preview = upload(hr, driver, "preview", text)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 400
    assert "is not an email address" in body
    assert "“2025-13-45” is not a date" in body
    assert "must come after the" in body  # dates out of order, the enrolment service's own check
    assert "Duplicate: fine@example.org is already on line 2." in body
    assert "Unknown program “Somewhere Else Induction”" in body
    assert 'name="payload"' not in body  # no confirm button while any row has an error
    imported = upload(hr, driver, "import", text)
    assert imported.status_code == 400 and "nothing was imported" in imported.get_data(as_text=True)
    assert counts(session) == before


def test_oversize_and_non_utf8_files_are_refused(hr: FlaskClient, driver: PathwayDriver) -> None:
    big = "email,name,enrolled_on\n" + "a@example.org,A,2025-08-01\n" * 40_000
    assert "larger than 1024 KB" in upload(hr, driver, "preview", big).get_data(as_text=True)
    latin = "email,name,enrolled_on\nj@example.org,José,2025-08-01\n".encode("latin-1")
    assert "not UTF-8" in upload(hr, driver, "preview", latin).get_data(as_text=True)
    bom = "\ufeffemail,name,enrolled_on\nj@example.org,José,2025-08-01\n"
    assert "Create account and enrol" in upload(hr, driver, "preview", bom).get_data(as_text=True)


def test_the_template_lists_every_column(hr: FlaskClient, driver: PathwayDriver) -> None:
    response = hr.get(f"/programs/{driver.program.id}/roster/template.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    header = response.get_data().decode("utf-8").lstrip("\ufeff").strip()
    assert header.startswith("email,name,program,pathway,credential_sought")
    assert "admin_position_started_on" in header
