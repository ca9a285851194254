"""The enrolment summary never drifts: after every kind of change, made through the services, the
stored summary and risk windows equal a fresh computation from the facts; and a risk window holds
on exactly the days the cohort's own risk test finds that risk."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session, select

from app.demo.walker import DEMO_JOURNEYS
from app.models import Enrollment, EnrollmentRisk, EnrollmentSummary, EnrollmentTurn, Membership, Program, SignOffTask
from app.services.enrollments.facts import program_calendar
from app.services.programs import cohort, pacing, summaries
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.deadlines import Deadline
from workflows.facts import Count
from workflows.roles import Role


def stored(session: Session, enrollment_id: int) -> tuple[dict, list, list]:  # type: ignore[type-arg]
    session.expire_all()
    row = session.get(EnrollmentSummary, enrollment_id)
    assert row is not None, "no summary"
    risks = session.exec(select(EnrollmentRisk).where(EnrollmentRisk.enrollment_id == enrollment_id)).all()
    turns = session.exec(select(EnrollmentTurn).where(EnrollmentTurn.enrollment_id == enrollment_id)).all()
    summary = {k: v for k, v in row.model_dump().items() if k != "computed_at"}
    return (summary, sorted((r.kind, r.starts_on, r.ends_on) for r in risks),
            sorted((t.role, t.kind, t.key, t.what, t.due_on, t.nobody) for t in turns))


def fresh(session: Session, enrollment_id: int) -> tuple[dict, list, list]:  # type: ignore[type-arg]
    rows, risks, (turns, _staffing) = summaries.compute(session, [session.get(Enrollment, enrollment_id)])  # type: ignore[list-item]
    summary = {k: v for k, v in rows[0].items() if k != "computed_at"}
    return (summary, sorted((r["kind"], r["starts_on"], r["ends_on"]) for r in risks),
            sorted((t["role"], t["kind"], t["key"], t["what"], t["due_on"], t["nobody"]) for t in turns))


def assert_current(session: Session, enrollment_id: int, after: str) -> None:
    assert stored(session, enrollment_id) == fresh(session, enrollment_id), f"summary drifted after {after}"


def test_every_kind_of_change_leaves_the_summary_equal_to_a_fresh_computation(app: Flask, session: Session) -> None:
    for pathway, (days, steps) in DEMO_JOURNEYS.items():
        driver = PathwayDriver(app, session, pathway, enrolled_days_ago=days)
        eid = driver.enrollment.id
        assert_current(session, eid, "enrolment")  # type: ignore[arg-type]
        for event, role in steps:  # sign-offs, documents, memberships, recorded facts, then the step itself
            driver.advance(event, role)
            assert_current(session, eid, event)  # type: ignore[arg-type]
        walker, today = driver.walker(), driver.facts().today
        with app.app_context():
            walker.log({"pip": Count.PRESERVICE_HOURS, "induction": Count.MENTORING_HOURS,
                        "casc": Count.PL_HOURS_Y1}[pathway], 3, today)
            session.commit()
        assert_current(session, eid, "signed logs")  # type: ignore[arg-type]
        session.add(SignOffTask(enrollment_id=eid, key="year1_complete", role="mentor", what="Year 1",
                                due_on=today - timedelta(days=2)))
        session.commit()
        assert_current(session, eid, "a sign-off task")  # type: ignore[arg-type]
        program = session.get(Program, driver.program.id)
        program.settings = {**(program.settings or {}), "pip_preservice_hours": 200, "pl_hours_per_year": 90,  # type: ignore[union-attr]
                            "mentoring_hours_per_week": 2}
        session.commit()
        assert_current(session, eid, "the program's thresholds")  # type: ignore[arg-type]


def test_a_rolled_back_change_leaves_the_summary_as_it_was(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    before = stored(session, driver.enrollment.id)  # type: ignore[arg-type]
    enrollment = session.get(Enrollment, driver.enrollment.id)
    enrollment.state = "mentor_assigned"  # type: ignore[union-attr]
    session.flush()
    session.rollback()
    assert stored(session, driver.enrollment.id) == before  # type: ignore[arg-type]
    summaries.rebuild(session)
    assert stored(session, driver.enrollment.id) == before  # type: ignore[arg-type]


def test_a_risk_window_holds_on_exactly_the_days_the_cohort_finds_the_risk(app: Flask, session: Session) -> None:
    for pathway, (days, steps) in DEMO_JOURNEYS.items():
        driver = PathwayDriver(app, session, pathway, enrolled_days_ago=days)
        for event, role in steps:
            driver.advance(event, role)
        session.add(SignOffTask(enrollment_id=driver.enrollment.id, key="year1_complete", role="mentor",
                                due_on=TODAY))
        session.commit()
        summary, windows, _turns = stored(session, driver.enrollment.id)  # type: ignore[arg-type]
        deadlines = [Deadline(**{**d, "due": date.fromisoformat(d["due"])}) for d in summary["deadlines"]]
        calendar = program_calendar(driver.program)  # the program's school weeks, as the cohort pages pace them
        for offset in range(-30, 800, 3):
            day = TODAY + timedelta(days=offset)
            found = {r.kind for r in cohort.risks(deadlines, summary["open_tasks"], pacing.at(summary["paces"], day, calendar), day)}
            held = {kind for kind, starts, ends in windows if starts <= day and (ends is None or day <= ends)}
            assert found == held, (pathway, day, found, held)


def test_the_overview_counts_each_candidate_once_in_the_standing_its_line_shows(app: Flask, session: Session) -> None:
    from app.services.programs.overview import overview

    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=25)
    for event, role in DEMO_JOURNEYS["casc"][1]:
        driver.advance(event, role)
    other = PathwayDriver(app, session, "casc", enrolled_days_ago=3)
    session.add(Membership(user_id=driver.person(Role.PROGRAM_DIRECTOR).id, role=Role.PROGRAM_DIRECTOR.value,
                           program_id=other.program.id))
    session.commit()
    with app.app_context():
        rows = overview(session, driver.person(Role.PROGRAM_DIRECTOR))
        for row in rows:
            [line] = cohort.load(session, row.program)
            assert row.total == 1 and row.counts == {k: int(k == line.standing) for k in cohort.STANDINGS}
            assert cohort.page(session, row.program, cohort.Filters(standing=line.standing)).total == 1
    assert {row.program.id for row in rows} == {driver.program.id, other.program.id}


def test_a_decision_made_by_bulk_update_still_refreshes_the_summary(app: Flask, session: Session) -> None:
    from app.services.signoffs import deciding
    from tests.app.signoffs.test_tasks import waiting_on_signoffs

    driver, [task] = waiting_on_signoffs(app, session, "casc")
    task.due_on = TODAY - timedelta(days=3)
    session.commit()
    assert stored(session, driver.enrollment.id)[0]["open_tasks"]  # type: ignore[arg-type]
    with app.app_context():
        deciding.send_back(session, task.id, driver.person(Role.PROGRAM_DIRECTOR), "Please attach the contract.")  # type: ignore[arg-type]
    assert_current(session, driver.enrollment.id, "a send-back")  # type: ignore[arg-type]
    assert stored(session, driver.enrollment.id)[0]["open_tasks"] == []  # type: ignore[arg-type]
