"""Who may open the program pages: directors, district HR and analysts; everyone else gets 404."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session

from tests.app.director_fixtures import post, signed_in
from tests.app.pathway_driver import PathwayDriver
from workflows.roles import Role

PAGES = ["", "/candidates", "/candidates.csv", "/at-risk", "/pacing", "/assignments", "/roster",
         "/roster/template.csv", "/accreditation", "/accreditation.csv", "/recommendations", "/settings"]


@pytest.fixture
def two(app: Flask, session: Session) -> tuple[PathwayDriver, PathwayDriver]:
    return PathwayDriver(app, session, "induction"), PathwayDriver(app, session, "casc")


def test_the_program_list_shows_the_programs_a_person_directs(app: Flask, two) -> None:  # type: ignore[no-untyped-def]
    induction, casc = two
    client = signed_in(app, induction.person(Role.PROGRAM_DIRECTOR).email)
    body = client.get("/programs/").get_data(as_text=True)
    assert induction.program.name in body and casc.program.name not in body
    assert 'href="/programs/"' in client.get("/").get_data(as_text=True)  # the nav offers Programs


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.MENTOR, Role.SITE_ADMINISTRATOR])
def test_people_without_a_program_role_get_404_everywhere(app: Flask, session: Session, two, role: Role) -> None:  # type: ignore[no-untyped-def]
    induction, _ = two
    person = induction.person(role)
    if role is Role.MENTOR:
        from app.models import Membership

        session.add(Membership(user_id=person.id, role="mentor", enrollment_id=induction.enrollment.id))
        session.commit()
    client = signed_in(app, person.email)
    assert client.get("/programs/").status_code == 404
    for page in PAGES:
        assert client.get(f"/programs/{induction.program.id}{page}").status_code == 404, page
    assert 'href="/programs/"' not in client.get("/").get_data(as_text=True)


def test_another_programs_director_gets_404(app: Flask, two) -> None:  # type: ignore[no-untyped-def]
    induction, casc = two
    client = signed_in(app, casc.person(Role.PROGRAM_DIRECTOR).email)
    for page in PAGES:
        assert client.get(f"/programs/{induction.program.id}{page}").status_code == 404, page
    assert client.get("/programs/999999").status_code == 404


def test_district_hr_sees_the_cohort_and_imports_but_cannot_change_settings_or_recommend(app: Flask, two) -> None:  # type: ignore[no-untyped-def]
    induction, _ = two
    client = signed_in(app, induction.person(Role.DISTRICT_HR).email)
    base = f"/programs/{induction.program.id}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/roster").status_code == 200
    assert client.get(f"{base}/settings").status_code == 403
    assert client.get(f"{base}/accreditation.csv").status_code == 403
    response = post(client, base, f"{base}/recommendations", {"attest": "yes", "attestation": "x" * 20})
    assert response.status_code == 403


def test_an_analyst_views_but_may_not_assign_mentors(app: Flask, two) -> None:  # type: ignore[no-untyped-def]
    induction, _ = two
    client = signed_in(app, induction.person(Role.CREDENTIAL_ANALYST).email)
    base = f"/programs/{induction.program.id}"
    assert client.get(f"{base}/assignments").status_code == 200
    response = post(client, base, f"{base}/assignments", {"enrollment_id": induction.enrollment.id,
                                                          "user_id": induction.person(Role.MENTOR).id, "role": "mentor"})
    assert response.status_code == 403
