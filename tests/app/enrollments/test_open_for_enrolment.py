"""Only programs open for enrolment take new candidates: the wizard lists them, anything else is refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from app.models import AuditEvent, Enrollment, Membership, Organisation, OutboxMessage, Program, User, utcnow
from app.services import Conflict
from app.services.enrollments import signup
from app.services.programs import organisations
from tests.api.helpers import api_as
from tests.app import notify_factories as f
from tests.conftest import csrf_token, make_user, signed_in
from tests.today import TODAY
from workflows.roles import Role


def candidate(app: Flask, session: Session) -> FlaskClient:
    make_user(session, "ana@example.org", "Ana Ruiz")
    return signed_in(app, "ana@example.org")


def named(session: Session, pathway: str, name: str, *, closed: bool = False, archived: bool = False,
          organisation_archived: bool = False) -> Program:
    """A program called `name` in a fresh organisation, open unless told otherwise (committed)."""
    program = f.program(session, pathway)
    program.name, program.open_for_enrolment = name, not closed
    program.archived_at = utcnow() if archived else None
    session.add(program)
    if organisation_archived:
        organisation = session.get(Organisation, program.organisation_id)
        organisation.archived_at = utcnow()  # type: ignore[union-attr]
        session.add(organisation)
    session.commit()
    return program


def wizard_form(client: FlaskClient, program: Program, **overrides: Any) -> dict[str, Any]:
    return {"pathway": program.pathway, "program": str(program.id), "credential_sought": "Clear credential",
            "enrolled_on": TODAY.isoformat(), "csrf_token": csrf_token(client, f"/enrol?pathway={program.pathway}"),
            **overrides}


def footprint(session: Session) -> tuple[int, int, int]:
    """Enrolments, audit events and outbox messages: what an enrolment would add."""
    session.expire_all()
    return tuple(session.exec(select(func.count()).select_from(t)).one()  # type: ignore[return-value]
                 for t in (Enrollment, AuditEvent, OutboxMessage))


CLOSED_WAYS = {"closed": {"closed": True}, "archived": {"archived": True},
               "organisation archived": {"organisation_archived": True}}


def test_the_wizard_lists_only_programs_open_for_enrolment(app: Flask, session: Session) -> None:
    named(session, "induction", "Linden Induction")
    for label, how in CLOSED_WAYS.items():
        named(session, "induction", f"Induction {label}", **how)
    page = candidate(app, session).get("/enrol?pathway=induction").get_data(as_text=True)
    assert "Linden Induction" in page
    for label in CLOSED_WAYS:
        assert f"Induction {label}" not in page


@pytest.mark.parametrize("how", CLOSED_WAYS.values(), ids=CLOSED_WAYS.keys())
def test_a_forged_post_for_a_program_not_taking_enrolments_is_refused_and_changes_nothing(
        app: Flask, session: Session, how: dict[str, bool]) -> None:
    named(session, "induction", "Linden Induction")  # one open program, so the wizard shows its form
    shut = named(session, "induction", "Shut Induction", **how)
    client = candidate(app, session)
    before = footprint(session)
    response = client.post("/enrol", data=wizard_form(client, shut))
    assert response.status_code == 400
    assert "Choose one of the listed programs." in response.get_data(as_text=True)
    assert footprint(session) == before


@pytest.mark.parametrize("how", CLOSED_WAYS.values(), ids=CLOSED_WAYS.keys())
def test_the_service_itself_refuses_a_program_not_taking_enrolments(app: Flask, session: Session,
                                                                     how: dict[str, bool]) -> None:
    shut = named(session, "casc", "Shut CASC", **how)
    person = make_user(session, "ana@example.org", "Ana Ruiz")
    before = footprint(session)
    with app.app_context(), pytest.raises(Conflict) as refused:
        signup.start_enrolment(session, person, shut.id, "casc", TODAY, TODAY)  # type: ignore[arg-type]
    session.rollback()
    assert refused.value.status == 409
    assert refused.value.message.startswith("Shut CASC is not taking new enrolments.")
    assert footprint(session) == before


def test_reopening_a_program_brings_it_back_to_the_wizard(app: Flask, session: Session) -> None:
    program = named(session, "pip", "Linden PIP", closed=True)
    client = candidate(app, session)
    page = client.get("/enrol?pathway=pip").get_data(as_text=True)
    assert "Linden PIP" not in page and "No program is taking enrolments on this pathway" in page
    program.open_for_enrolment = True
    session.add(program)
    session.commit()
    assert client.post("/enrol", data=wizard_form(client, program)).status_code == 302
    [enrollment] = session.exec(select(Enrollment)).all()
    assert enrollment.program_id == program.id


def test_with_no_open_program_the_wizard_says_so_in_plain_words_and_offers_another_pathway(
        app: Flask, session: Session) -> None:
    named(session, "casc", "Shut CASC", closed=True)
    page = candidate(app, session).get("/enrol?pathway=casc").get_data(as_text=True)
    assert "No program is taking enrolments on this pathway" in page
    assert "ask your program coordinator" in page and "Choose another pathway" in page
    assert 'name="program"' not in page and "Start my enrolment" not in page
    assert "set theirs up" not in page and "Shut CASC" not in page


@pytest.mark.parametrize(("open_", "archived", "organisation_archived"),
                         list(itertools.product([True, False], repeat=3)))
def test_the_wizards_rule_is_the_programs_rule(open_: bool, archived: bool, organisation_archived: bool) -> None:
    program = Program(organisation_id=1, name="P", pathway="induction", open_for_enrolment=open_,
                      archived_at=utcnow() if archived else None)
    organisation = Organisation(name="O", kind="district", archived_at=utcnow() if organisation_archived else None)
    assert signup.taking_enrolments(program, organisation) == organisations.enrolling(program, organisation)
    assert signup.taking_enrolments(program, organisation) == (open_ and not archived and not organisation_archived)


# --- A roster import is an enrolment too --------------------------------------------------------------


@pytest.mark.parametrize("how", CLOSED_WAYS.values(), ids=CLOSED_WAYS.keys())
def test_a_roster_into_a_program_not_taking_enrolments_is_refused_over_the_api(app: Flask, session: Session,
                                                                               how: dict[str, bool]) -> None:
    shut = named(session, "induction", "Shut Induction", **how)
    hr = make_user(session, "hr@example.org", "Hana HR")
    session.add(Membership(user_id=hr.id, role=Role.DISTRICT_HR.value, organisation_id=shut.organisation_id))
    session.commit()
    api = api_as(app, session, hr)
    before = footprint(session)
    users_before = session.exec(select(func.count()).select_from(User)).one()
    response = api.post(f"/programs/{shut.id}/roster", json={"rows": [
        {"email": "nia@example.org", "name": "Nia Teacher", "enrolled_on": TODAY.isoformat()}]})
    assert response.status_code == 422
    assert "Shut Induction is not taking new enrolments" in str(response.json)
    assert footprint(session) == before
    assert session.exec(select(func.count()).select_from(User)).one() == users_before
