"""The confirm row of a candidate's proposal: the account's email, who proposed it, whether it is staff.

The issue's case: an account signed up under a real mentor's name and proposed by the candidate looked
exactly like that mentor on the director's confirm row.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from app.models import Membership, PoolMember
from app.services.programs import assignments
from tests.app.director_fixtures import signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import make_user
from workflows.roles import Role


def proposed(session: Session, driver: PathwayDriver, email: str, name: str) -> Membership:
    """`email`'s account proposed by the candidate as their mentor (a viewer until confirmed)."""
    person = make_user(session, email, name)
    membership = Membership(user_id=person.id, enrollment_id=driver.enrollment.id, role=Role.VIEWER.value,
                            proposed_role=Role.MENTOR.value, granted_by_id=driver.candidate.id)
    session.add(membership)
    session.commit()
    return membership


def row_text(app: Flask, driver: PathwayDriver, name: str) -> str:
    """The words of the assignments page's line about `name`."""
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = client.get(f"/programs/{driver.program.id}/assignments").get_data(as_text=True)
    [line] = [li for li in re.findall(r"<li>(.*?)</li>", page, re.DOTALL) if name in li]
    return " ".join(re.sub(r"<[^>]+>", " ", line).split())


def test_a_look_alike_account_shows_its_email_and_that_it_is_not_staff(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    real = driver.person(Role.MENTOR)
    session.add(PoolMember(program_id=driver.program.id, user_id=real.id, role=Role.MENTOR.value))
    session.commit()
    proposed(session, driver, "mentor.lookalike@mail.example", real.name)
    text = row_text(app, driver, "mentor.lookalike@mail.example")
    assert f"{real.name} · mentor.lookalike@mail.example · proposed by the candidate as mentor" in text
    assert "Not on your organisation’s staff. Check that this is the person you know before you confirm." in text


def test_a_proposal_of_someone_on_staff_says_so(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    real = driver.person(Role.MENTOR)
    session.add(PoolMember(program_id=driver.program.id, user_id=real.id, role=Role.MENTOR.value))
    session.add(Membership(user_id=real.id, enrollment_id=driver.enrollment.id, role=Role.VIEWER.value,
                           proposed_role=Role.MENTOR.value, granted_by_id=driver.candidate.id))
    session.commit()
    text = row_text(app, driver, real.email)
    assert "On your organisation’s staff." in text and "Not on" not in text


def test_the_overview_names_who_proposed_and_whether_each_is_staff(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    analyst = driver.person(Role.CREDENTIAL_ANALYST)  # holds a program-wide role: staff
    on_staff = Membership(user_id=analyst.id, enrollment_id=driver.enrollment.id, role=Role.VIEWER.value,
                          proposed_role=Role.MENTOR.value, granted_by_id=driver.candidate.id)
    session.add(on_staff)
    session.commit()
    stranger = proposed(session, driver, "stranger@mail.example", "Sam Stranger")
    with app.app_context():
        [row] = assignments.overview(session, driver.program)
    assert {m: (p.on_staff, p.proposed_by.id if p.proposed_by else None) for m, p in row.proposals.items()} == {
        on_staff.id: (True, driver.candidate.id), stranger.id: (False, driver.candidate.id)}
    # A confirmed assignment is no proposal.
    site = session.exec(select(Membership).where(Membership.enrollment_id == driver.enrollment.id,
                                                 Membership.role == Role.SITE_ADMINISTRATOR.value)).one()
    assert site.id not in row.proposals
