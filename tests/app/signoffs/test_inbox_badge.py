"""The navigation badge counts in SQL (`waiting_on.total`) exactly what the inbox lists (`worklist.build`):
for every demo account, for a stand-in, a claimed task, a removed mentor and a plan one may not read."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session, select

from app.models import Membership, SignOffTask, User
from app.services.evidence import filing
from app.services.evidence import logs as logs_service
from app.services.signoffs import waiting_on, worklist
from app.services.team import accounts
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.signoffs.test_delegations import delegate
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from tests.conftest import signed_in
from tests.today import TODAY
from workflows.roles import Role


def _both(session: Session, person: User, today: date) -> tuple[int | None, int | None]:
    queue = worklist.build(session, person, today)
    return waiting_on.total(session, person, today), (queue.total if queue.approver else None)


def test_the_badge_counts_what_the_queue_lists_for_every_demo_account(app: Flask, session: Session) -> None:
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    session.expire_all()
    today = TODAY
    counted = {person.email: _both(session, person, today) for person in session.exec(select(User)).all()}
    assert {email: pair for email, pair in counted.items() if pair[0] != pair[1]} == {}
    # Some of them have work waiting, and some approve nothing, so both answers are exercised.
    assert any(listed for _, listed in counted.values()) and any(listed is None for _, listed in counted.values())


def test_the_badge_follows_stand_ins_claims_removals_and_what_one_may_read(app: Flask, session: Session) -> None:
    casc, [task] = waiting_on_signoffs(app, session, "casc")
    director = casc.person(Role.PROGRAM_DIRECTOR)
    induction = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    induction.walker().assign(Role.MENTOR)
    session.commit()
    mentor = induction.person(Role.MENTOR)
    today = TODAY
    with app.app_context():
        logs_service.add(session, induction.refresh(), induction.candidate, kind="mentoring",
                         occurred_on=today - timedelta(days=2), hours=1.5, notes="Lesson planning",
                         signer=mentor, today=today)
        filing.submit(session, induction.refresh(), "ilp", "ilp.pdf", pdf_bytes("ilp"), induction.candidate)
        session.commit()
    deputy = accounts.create_user(session, "deputy@example.org", "Deputy Dee", "correct horse battery")
    delegate(session, director, deputy, today, today + timedelta(days=5))
    people = [director, mentor, deputy, casc.candidate, induction.candidate]

    def agree() -> list[tuple[int | None, int | None]]:
        pairs = [_both(session, person, today) for person in people]
        assert [total for total, _ in pairs] == [listed for _, listed in pairs]
        return pairs

    before = agree()
    assert before[1][0] == 2 and before[2][0] >= 1  # the mentor's log and plan; the deputy's stand-in task
    # Claimed by someone else: out of the director's count and the deputy's.
    session.exec(select(SignOffTask).where(SignOffTask.id == task.id)).one().claimed_by_id = induction.candidate.id
    session.commit()
    claimed = agree()
    assert claimed[0][0] == before[0][0] - 1 and claimed[2][0] == before[2][0] - 1
    # Removed from the team: the mentor no longer signs or verifies for that candidate.
    for membership in session.exec(select(Membership).where(Membership.user_id == mentor.id)).all():
        membership.revoked_at = membership.created_at
    session.commit()
    removed = agree()
    assert removed[1] == (None, None)


def test_every_page_shows_the_badge_the_inbox_heading_shows(app: Flask, session: Session) -> None:
    driver, _ = waiting_on_signoffs(app, session, "casc")
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    badge = re.compile(r'aria-label="(\d+) open"')
    inbox = client.get("/inbox").get_data(as_text=True)
    heading = re.search(r'data-count="heading"[^>]*>(\d+)<', inbox)
    home = client.get("/").get_data(as_text=True)
    assert heading and badge.search(home) and badge.search(home).group(1) == heading.group(1) != "0"  # type: ignore[union-attr]
