"""The CASC exit-interview panel: a rubric per member, a quorum that excludes the coach, dissent with a reason."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, PanelMember, User
from app.services import Conflict, NotFound, NotPermitted
from app.services.signoffs import panels
from app.services.team import accounts
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token
from workflows.roles import Role

TO_EXIT = [("verify_employment", Role.DISTRICT_HR), ("admit", Role.PROGRAM_DIRECTOR), ("start_year1", Role.CANDIDATE),
           ("complete_year1", Role.PROGRAM_DIRECTOR), ("start_year2", Role.CANDIDATE),
           ("complete_year2", Role.CANDIDATE)]
MASTERY = {str(n): 3 for n in range(1, 7)}


def at_exit_interview(app: Flask, session: Session) -> tuple[PathwayDriver, list[User]]:
    """A CASC candidate at the exit interview with everything else done, and three panel members."""
    driver = PathwayDriver(app, session, "casc")
    for event, role in TO_EXIT:
        driver.advance(event, role)
    with app.app_context():
        walker = driver.walker()
        for rule in walker.unmet("pass_exit_interview"):
            if rule.flag is None:
                walker.make_true(rule)
    members = [driver.person(Role.PANEL_MEMBER)]
    for n in (2, 3):
        user = accounts.create_user(session, f"panel{n}.{driver.enrollment.id}@example.org", f"Panelist {n}",
                                    "correct horse battery")
        session.add(Membership(user_id=user.id, role="panel_member", program_id=driver.program.id))
        members.append(user)
    session.commit()
    return driver, members


def convene(driver: PathwayDriver, members: list[User], quorum: int, coach: bool = True):  # type: ignore[no-untyped-def]
    ids = [m.id for m in members] + ([driver.person(Role.COACH).id] if coach else [])
    with driver.app.app_context():
        return panels.create(driver.session, driver.enrollment.id, driver.person(Role.PROGRAM_DIRECTOR), ids, quorum)  # type: ignore[arg-type]


def vote(driver: PathwayDriver, panel_id: int, user: User, mastery: bool, reason: str | None = None,
         scores: dict[str, int] | None = None) -> panels.Tally:
    with driver.app.app_context():
        return panels.vote(driver.session, panel_id, user, scores or MASTERY, mastery, reason)


def test_the_quorum_agreeing_on_mastery_passes_the_exit_interview_and_the_coach_does_not_count(
        app: Flask, session: Session) -> None:
    driver, members = at_exit_interview(app, session)
    panel = convene(driver, members, quorum=2)
    seats = {m.user_id: m.counts_toward_quorum for m in session.exec(select(PanelMember)).all()}
    assert seats[driver.person(Role.COACH).id] is False and sum(seats.values()) == 3

    tally = vote(driver, panel.id, driver.person(Role.COACH), True)  # type: ignore[arg-type]
    assert (tally.mastery, tally.panel.outcome) == (0, None)  # the coach's vote is recorded, not counted
    tally = vote(driver, panel.id, members[0], True)  # type: ignore[arg-type]
    assert (tally.mastery, tally.panel.outcome) == (1, None)
    assert driver.refresh().state == "exit_interview"
    tally = vote(driver, panel.id, members[1], True)  # type: ignore[arg-type]
    assert tally.panel.outcome == "mastery"
    enrollment = driver.refresh()
    assert "exit_panel_mastery" in enrollment.flags
    assert enrollment.state == "ready_for_recommendation"  # fired by itself, in the same transaction
    transition = session.exec(select(AuditEvent).where(AuditEvent.event == "pass_exit_interview")).one()
    assert transition.details["completed_by"] == "panel"
    with pytest.raises(Conflict):
        vote(driver, panel.id, members[2], True)  # type: ignore[arg-type]


def test_a_dissent_needs_a_reason_and_enough_dissent_means_not_yet(app: Flask, session: Session) -> None:
    driver, members = at_exit_interview(app, session)
    panel = convene(driver, members, quorum=3, coach=False)
    low = {**MASTERY, "5": 2}
    with pytest.raises(panels.PanelError, match="Say why"):
        vote(driver, panel.id, members[0], False, scores=low)  # type: ignore[arg-type]
    with pytest.raises(panels.PanelError, match="CPSEL 5"):
        vote(driver, panel.id, members[0], True, scores=low)  # type: ignore[arg-type]
    with pytest.raises(panels.PanelError, match="every CPSEL"):
        vote(driver, panel.id, members[0], True, scores={"1": 3})  # type: ignore[arg-type]
    tally = vote(driver, panel.id, members[0], False, "Ethics and integrity not yet shown.", scores=low)  # type: ignore[arg-type]
    assert tally.panel.outcome == "not_yet"  # three needed, only two can still agree
    assert "exit_panel_mastery" not in driver.refresh().flags
    assert driver.enrollment.state == "exit_interview"
    with pytest.raises(Conflict):
        vote(driver, panel.id, members[1], True)  # type: ignore[arg-type]
    # The director may convene a new panel later.
    assert convene(driver, members, quorum=2).id != panel.id


def test_panel_set_up_rules(app: Flask, session: Session) -> None:
    driver, members = at_exit_interview(app, session)
    with pytest.raises(panels.PanelError, match="between 1 and 3"):
        convene(driver, members, quorum=4)  # the coach does not count toward what the quorum can be
    outsider = driver.person(Role.MENTOR)
    with app.app_context(), pytest.raises(panels.PanelError, match="Only the program's panel members"):
        panels.create(session, driver.enrollment.id, driver.person(Role.PROGRAM_DIRECTOR), [outsider.id], 1)  # type: ignore[arg-type, list-item]
    with app.app_context(), pytest.raises(NotPermitted):
        panels.create(session, driver.enrollment.id, members[0], [m.id for m in members], 2)  # type: ignore[arg-type, misc]
    panel = convene(driver, members, quorum=2)
    with pytest.raises(Conflict):
        convene(driver, members, quorum=2)  # one undecided panel at a time
    with pytest.raises(NotFound):
        vote(driver, panel.id, outsider, True)  # type: ignore[arg-type]
    vote(driver, panel.id, members[0], True)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="already voted"):
        vote(driver, panel.id, members[0], True)  # type: ignore[arg-type]


def test_the_director_convenes_and_a_member_votes_in_the_browser(app: Flask, session: Session, client: FlaskClient) -> None:
    driver, members = at_exit_interview(app, session)
    auth = Auth(client)
    auth.sign_in(driver.person(Role.PROGRAM_DIRECTOR).email)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Convene the exit-interview panel" in inbox and "You are all caught up" not in inbox
    path = f"/inbox/enrollments/{driver.enrollment.id}/panel"
    page = client.get(path)
    assert page.status_code == 200 and "does not count toward the quorum" in page.get_data(as_text=True)
    token = csrf_token(client, path)
    bad = client.post(path, data={"csrf_token": token, "quorum": "9", "member": [str(m.id) for m in members]})
    assert bad.status_code == 400
    done = client.post(path, data={"csrf_token": token, "quorum": "2",
                                   "member": [str(m.id) for m in members] + [str(driver.person(Role.COACH).id)]})
    assert done.status_code == 302
    panel_path = done.headers["Location"]
    assert "Tally" in client.get(panel_path).get_data(as_text=True)  # the director follows the panel
    assert "already has a panel" in client.get(path).get_data(as_text=True)
    auth.sign_out()

    auth.sign_in(members[0].email)
    page = client.get(panel_path)
    assert page.status_code == 200 and "CPSEL 6: External Context and Policy" in page.get_data(as_text=True)
    token = csrf_token(client, panel_path)
    form = {"csrf_token": token, "mastery": "no", **{f"score_{n}": "2" for n in range(1, 7)}}
    assert client.post(panel_path + "/vote", data=form).status_code == 400  # a dissent without a reason
    form["reason"] = "Not yet: CPSEL 1-6 all emerging."
    assert client.post(panel_path + "/vote", data=form).status_code == 302
    assert "Not yet: CPSEL 1-6 all emerging." in client.get(panel_path).get_data(as_text=True)
    auth.sign_out()

    auth.sign_in(driver.candidate.email)
    assert client.get(panel_path).status_code == 404  # the candidate does not see the panel's page


def test_convening_is_the_directors_turn_and_each_seat_is_in_its_members_inbox_until_they_vote(
        app: Flask, session: Session) -> None:
    from app.services.signoffs import waiting_on, worklist
    from tests.app import notify_factories as f
    from tests.today import TODAY

    driver, members = at_exit_interview(app, session)
    director = driver.person(Role.PROGRAM_DIRECTOR)

    def turns_of(user: User) -> list[str]:
        session.expire_all()
        queue = worklist.build(session, user, TODAY)
        assert waiting_on.total(session, user, TODAY) == queue.total  # the badge counts the same
        return [i.title for i in queue.items if i.kind == "turn" and i.enrollment_id == driver.enrollment.id]

    assert turns_of(director) == ["Convene the exit-interview panel"]
    panel = convene(driver, members, quorum=2)
    assert turns_of(director) == []
    assert turns_of(members[0]) == ["Vote on the exit-interview panel"]
    assert turns_of(driver.person(Role.COACH)) == ["Vote on the exit-interview panel"]
    told = [m for m in f.folder_mail(app) if m["To"] == members[1].email]
    assert [m["Subject"] for m in told] == ["Your turn: the exit-interview panel for Candidate"]
    vote(driver, panel.id, members[0], True)  # type: ignore[arg-type]
    assert turns_of(members[0]) == [] and turns_of(members[1]) == ["Vote on the exit-interview panel"]
