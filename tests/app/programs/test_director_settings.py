"""Program settings: a form from ProgramSettings, refused when invalid, audited when saved."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Program
from app.services.enrollments.facts import program_settings
from app.services.programs.settings import fields
from tests.app.director_fixtures import post, signed_in
from tests.app.pathway_driver import PathwayDriver
from workflows.roles import Role
from workflows.settings import ProgramSettings


def form_values(program: Program) -> dict[str, str]:
    values = {}
    for f in fields(program):
        if f.kind == "bool":
            if f.value:
                values[f.name] = "on"
        else:
            values[f.name] = f.shown
    return values


def test_the_page_shows_defaults_sources_and_conflicts_in_plain_words(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    body = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email).get(
        f"/programs/{driver.program.id}/settings").get_data(as_text=True)
    assert "Days to enrol after starting an administrative post" in body and "The rule book says 365" in body
    assert "The sources disagree on this value" in body and "PSA 16-13" in body  # the conflict, the source
    assert "Applies to 1 candidate now" in body
    for code_words in ("[C]", "[I]", "Default:", "allowed", "open enrolment(s)", "Casc enrolment window days"):
        assert code_words not in body, code_words
    # This pathway's settings, then the program-wide ones; another pathway's are not listed at all.
    assert (body.index("Clear Administrative Services Credential") < body.index("Weeks with a coaching meeting each year")
            < body.index("Every pathway") < body.index("Days an approver has for a sign-off"))
    assert "Provisional Internship Permit" not in body and "Mentoring hours a week" not in body
    assert not [f.name for f in fields(driver.program) if f.name.startswith(("pip_", "mentor", "ilp_"))]


def test_a_valid_change_is_saved_with_before_and_after(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/settings"
    values = form_values(driver.program) | {"casc_enrolment_window_days": "120", "deadline_warning_days": "30, 7"}
    assert post(client, page, page, values).status_code == 302
    session.expire_all()
    program = session.get(Program, driver.program.id)
    assert program.settings == {"casc_enrolment_window_days": 120, "deadline_warning_days": [30, 7]}
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "program.settings_changed")).one()
    assert audit.details["changed"]["casc_enrolment_window_days"] == {"from": 365, "to": 120}
    assert audit.details["reach"]["casc_enrolment_window_days"] == 1  # the one open enrolment reads it
    assert ProgramSettings.from_mapping(program.settings).casc_enrolment_window_days == 120
    # Another pathway's settings, not on this page, keep their values.
    assert "pip_validity_months" not in values and program_settings(program).pip_validity_months == 12


def test_invalid_values_are_refused_with_400_and_nothing_changes(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", settings={"coaching_weeks_per_year": 36})
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/settings"
    for bad in ({"coaching_weeks_per_year": "60"}, {"coaching_weeks_per_year": "many"},
                {"deadline_warning_days": "30, 30"}, {"pl_hours_per_year": ""}):
        response = post(client, page, page, form_values(driver.program) | bad)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "Nothing was saved" in body, bad
        assert re.search(r'aria-invalid="true"', body)
    session.expire_all()
    assert session.get(Program, driver.program.id).settings == {"coaching_weeks_per_year": 36}
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "program.settings_changed")).all() == []
