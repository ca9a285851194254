"""The director's overview (tiles per program, each a link to exactly its candidates) and the at-risk
list's actions: remind (one reminder email through the outbox, CSRF, post/redirect/get), assign, open."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, OutboxMessage, PoolMember
from app.services.enrollments import pathways
from app.services.team import accounts
from tests.app.director_fixtures import post, signed_in
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.roles import Role


def _tiles(body: str) -> dict[str, tuple[int, str]]:
    """The overview's tiles: label -> (figure, link)."""
    found = re.findall(r'<a class="tile [^"]*" href="([^"]+)">\s*<span class="tile-figure">(\d+)</span> '
                       r'<span class="tile-label">([^<]+)</span>', body)
    return {label: (int(n), href.replace("&amp;", "&")) for href, n, label in found}


def test_each_tile_counts_what_its_list_shows(app: Flask, session: Session) -> None:
    # The driver's candidate enrolled 10 days ago: no mentor yet, the 30-day window is closing (at risk).
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    settled = accounts.create_user(session, "settled@example.org", "Sam Settled", "correct horse battery")
    with app.app_context():
        pathways.enroll(session, settled, driver.program, TODAY - timedelta(days=400), settled)
    session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    body = client.get("/programs/").get_data(as_text=True)
    tiles = _tiles(body)
    assert list(tiles) == ["On track", "At risk", "Overdue", "Ready to recommend", "In progress"]
    assert tiles["In progress"][0] == 2 and sum(tiles[k][0] for k in list(tiles)[:4]) == 2
    assert tiles["At risk"][0] >= 1
    for label, (figure, href) in tiles.items():
        listed = client.get(href).get_data(as_text=True)
        heading = re.search(r'<h2 id="list-heading">(\d+) candidate', listed)
        rows = re.findall(r'<th scope="row"><a href="/enrollments/\d+">([^<]+)</a>', listed)
        assert int(heading.group(1)) == figure == len(rows), (label, heading.group(0), rows)
    assert "Candidate" in client.get(tiles["At risk"][1]).get_data(as_text=True)


def test_remind_queues_the_reminder_once_and_comes_back_to_the_list(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/at-risk"
    body = client.get(page).get_data(as_text=True)
    assert "Remind emails Candidate: Mentor assigned" in body and "Open<span" in body
    assign = re.search(r'href="([^"]+/assign)">Assign someone', body).group(1)
    form = client.get(assign).get_data(as_text=True)
    assert "Assign someone to Candidate" in form and 'name="back" value="at-risk"' in form
    action = f"{page}/{driver.enrollment.id}/remind"
    assert client.post(action).status_code == 400  # no CSRF token, nothing queued
    assert not session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("director-reminder"))).all()
    response = post(client, page, action)
    assert response.status_code == 302 and response.location.endswith(page)
    flashed = client.get(page).get_data(as_text=True)
    assert "Reminder emailed to Candidate: Mentor assigned" in flashed
    queued = session.exec(select(OutboxMessage).where(OutboxMessage.job == "email.deadline_reminder")).all()
    assert [m.payload["enrollment_id"] for m in queued if m.dedupe_key.startswith("director-reminder")] == [
        driver.enrollment.id]
    # Again the same day: nothing more is queued, and the director is told so.
    assert post(client, page, action).status_code == 302
    assert "Candidate already has this reminder" in client.get(page).get_data(as_text=True)
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("director-reminder"))).all()) == 1
    audits = session.exec(select(AuditEvent).where(AuditEvent.action == "reminder.sent_by_director")).all()
    assert len(audits) == 1 and audits[0].enrollment_id == driver.enrollment.id


def test_remind_is_refused_to_those_who_do_not_assign_and_for_other_programs(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    other = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    page = f"/programs/{driver.program.id}/at-risk"
    analyst = signed_in(app, driver.person(Role.CREDENTIAL_ANALYST).email)
    assert "Remind" not in analyst.get(page).get_data(as_text=True).split("<main", 1)[1]
    assert post(analyst, page, f"{page}/{driver.enrollment.id}/remind").status_code == 403
    assert analyst.get(f"{page}/{driver.enrollment.id}/assign").status_code == 403
    director = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    assert post(director, page, f"{page}/{other.enrollment.id}/remind").status_code == 404
    assert not session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("director-reminder"))).all()


def test_assigning_from_the_at_risk_list_comes_back_to_it(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=10)
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/at-risk"
    # Someone in the program's pool of mentors as the candidate's mentor.
    person = driver.person(Role.SITE_ADMINISTRATOR).id
    session.add(PoolMember(user_id=person, role="mentor", program_id=driver.program.id))
    session.commit()
    data = {"enrollment_id": str(driver.enrollment.id), "user_id": str(person), "role": "mentor", "back": "at-risk"}
    done = post(client, page, f"/programs/{driver.program.id}/assignments", data)
    assert done.status_code == 302 and done.location.endswith(page)
    assert "Assigned as mentor." in client.get(page).get_data(as_text=True)
    assert session.exec(select(Membership).where(Membership.user_id == person, Membership.role == "mentor",
                                                 Membership.enrollment_id == driver.enrollment.id)).one()
    # The same again is refused, said on the list, and changes nothing.
    before = len(session.exec(select(Membership)).all())
    refused = post(client, page, f"/programs/{driver.program.id}/assignments", data)
    assert refused.status_code == 302 and refused.location.endswith(page)
    assert "is already this candidate" in client.get(page).get_data(as_text=True)
    assert len(session.exec(select(Membership)).all()) == before
