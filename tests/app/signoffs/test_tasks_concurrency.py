"""Decisions racing on real concurrent connections: exactly one is recorded, the other hears "already decided".

Each thread has its own session (its own connection from the engine's pool) and waits at a barrier,
so both commands run at the same moment. Run on PostgreSQL with TEST_DATABASE_URL (the lane this
is written for: row locks and READ COMMITTED); it runs on SQLite too, where the single writer
serialises the two.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, SignOff, SignOffTask, User
from app.services.signoffs import deciding as task_service
from app.services.team import accounts
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from workflows.roles import Role

Command = Callable[[Session, User], object]


def _approve(task_id: int, session: Session, user: User):  # type: ignore[no-untyped-def]
    return task_service.approve(session, task_id, user)


def race(app: Flask, *runs: tuple[Command, User]) -> list[str]:
    """Run the commands at the same moment, one connection each; returns each outcome."""
    barrier = threading.Barrier(len(runs))
    outcomes: list[str] = []

    def run(command: Command, person: User) -> None:
        with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as own:
            me = own.get(User, person.id)
            barrier.wait()
            try:
                command(own, me)  # type: ignore[arg-type]
                outcomes.append("decided")
            except task_service.AlreadyDecided as error:
                assert error.status == 409 and "Already decided" in error.message
                outcomes.append("already decided")

    threads = [threading.Thread(target=run, args=pair) for pair in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def decisions(session: Session) -> list[str]:
    session.expire_all()
    return [a.action for a in session.exec(select(AuditEvent).where(
        AuditEvent.action.in_(["task.approved", "task.sent_back"]))).all()]  # type: ignore[attr-defined]


def test_two_approvers_deciding_one_task_at_once_record_one_decision(app: Flask, session: Session) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    site_task = next(t for t in tasks if t.role == "site_administrator")
    second = accounts.create_user(session, "other.site@example.org", "Other Site", "correct horse battery")
    session.add(Membership(user_id=second.id, role="site_administrator", enrollment_id=driver.enrollment.id))
    session.commit()
    approve: Command = lambda s, u: task_service.approve(s, site_task.id, u)  # type: ignore[arg-type]
    assert race(app, (approve, driver.person(Role.SITE_ADMINISTRATOR)), (approve, second)) == [
        "already decided", "decided"]
    assert decisions(session) == ["task.approved"]
    assert len(session.exec(select(SignOff)).all()) == 1


def test_a_double_clicked_approve_records_one_decision(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    approve: Command = lambda s, u: task_service.approve(s, task.id, u)  # type: ignore[arg-type]
    assert race(app, (approve, director), (approve, director)) == ["already decided", "decided"]
    assert decisions(session) == ["task.approved"]
    assert driver.refresh().state == "admitted"
    transitions = session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.transition",
                                                        AuditEvent.event == "admit")).all()
    assert len(transitions) == 1


def test_an_approve_racing_a_send_back_records_only_one_of_them(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    second = accounts.create_user(session, "co.director@example.org", "Co Director", "correct horse battery")
    session.add(Membership(user_id=second.id, role="program_director", program_id=driver.program.id))
    session.commit()
    approve: Command = lambda s, u: task_service.approve(s, task.id, u)  # type: ignore[arg-type]
    send_back: Command = lambda s, u: task_service.send_back(s, task.id, u, "Not yet.")  # type: ignore[arg-type]
    assert race(app, (approve, director), (send_back, second)) == ["already decided", "decided"]
    [decision] = decisions(session)
    final = session.get(SignOffTask, task.id, populate_existing=True)
    assert final.status == {"task.approved": "approved", "task.sent_back": "sent_back"}[decision]  # type: ignore[union-attr]
    assert len(session.exec(select(SignOff)).all()) == (1 if decision == "task.approved" else 0)


def test_the_last_two_parallel_sign_offs_at_once_fire_the_step_exactly_once(app: Flask, session: Session) -> None:
    """Site administrator and district HR sign the PIP plan at the same moment: the step fires once."""
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    runs = [(functools.partial(_approve, t.id), driver.person(Role(t.role))) for t in tasks]
    assert race(app, *runs) == ["decided", "decided"]
    assert driver.refresh().state == "plan_established"
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.transition",
                                                     AuditEvent.event == "establish_plan")).all()) == 1
