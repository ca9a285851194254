"""Remembered program figures are never stale: a program's mark moves with every change to one of its
enrolments (and only its own), so the cohort's counts and list totals always say what is stored;
a renamed candidate moves in the candidate list."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app.demo.walker import DEMO_JOURNEYS
from app.models import EnrollmentSummary, Program, User
from app.services.programs import cohort, tallies
from tests.app.pathway_driver import PathwayDriver


def _mark(session: Session, program_id: int) -> int:
    session.commit()  # a new transaction: the mark as now committed
    return tallies.revision(session, program_id)


def test_the_counts_follow_every_change_and_only_their_program_moves(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=30)
    other = PathwayDriver(app, session, "casc", enrolled_days_ago=30)
    program = session.get(Program, driver.program.id)
    before = cohort.counts(session, program)  # type: ignore[arg-type]
    assert [(state, n) for state, _, n in before.states if n] == [(driver.refresh().state, 1)]
    mark, others = _mark(session, driver.program.id), _mark(session, other.program.id)  # type: ignore[arg-type]

    event, role = DEMO_JOURNEYS["casc"][1][0]
    driver.advance(event, role)
    assert _mark(session, driver.program.id) != mark  # type: ignore[arg-type]
    assert _mark(session, other.program.id) == others  # type: ignore[arg-type]
    after = cohort.counts(session, program)  # type: ignore[arg-type]
    assert [(state, n) for state, _, n in after.states if n] == [(driver.refresh().state, 1)] != [
        (state, n) for state, _, n in before.states if n]
    assert cohort.page(session, program, cohort.Filters(state=driver.refresh().state)).total == 1  # type: ignore[arg-type]


def test_a_rolled_back_change_leaves_the_mark_where_it_was(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=30)
    mark = _mark(session, driver.program.id)  # type: ignore[arg-type]
    enrollment = driver.refresh()
    enrollment.state = "year_2"
    session.add(enrollment)
    session.flush()
    session.rollback()
    assert _mark(session, driver.program.id) == mark  # type: ignore[arg-type]


def test_a_renamed_candidate_moves_in_the_candidate_list(app: Flask, session: Session) -> None:
    first = PathwayDriver(app, session, "pip")
    second = PathwayDriver(app, session, "pip")
    # Both candidates in the first program, named so that the order is known.
    enrollment = second.refresh()
    enrollment.program_id = first.program.id
    session.add(enrollment)
    for driver, name in ((first, "Ana Alvarez"), (second, "Bea Brooks")):
        session.get(User, driver.candidate.id).name = name  # type: ignore[union-attr]
    session.commit()
    program = session.get(Program, first.program.id)

    def names() -> list[str]:
        return [line.candidate.name for line in cohort.page(session, program, cohort.Filters()).lines]  # type: ignore[arg-type]

    assert names() == ["Ana Alvarez", "Bea Brooks"]
    session.get(User, first.candidate.id).name = "Zoe Alvarez"  # type: ignore[union-attr]
    session.commit()
    assert names() == ["Bea Brooks", "Zoe Alvarez"]
    stored = session.exec(select(EnrollmentSummary.candidate_name).where(
        EnrollmentSummary.enrollment_id == first.enrollment.id)).one()
    assert stored == "Zoe Alvarez"
