"""Reminders, nudges and escalations: the daily sweep writes each once; handlers re-check before sending."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session, select

from app import outbox
from app.jobs.outbox import run_message
from app.models import EnrollmentSummary, LogEntry, OutboxMessage, utcnow
from app.services.notifications import reminders as notifications
from tests.app import notify_factories as f
from tests.app.mail_server import html_part, text_part
from workflows.dates import last_week
from workflows.deadlines import local_today

TODAY = local_today(utcnow())
EVERY_WEEK = {"school_calendar": {"every_week": True, "years": []}}


def sweep(app: Flask, session: Session) -> dict[str, int]:
    with app.app_context():
        return dict(notifications.schedule_reminders(session))


def subjects(app: Flask, to: str | None = None) -> list[str]:
    return sorted(m["Subject"] for m in f.folder_mail(app) if to is None or m["To"] == to)


def test_deadline_reminders_go_out_at_the_tightest_threshold_reached_once_each(app: Flask, session: Session) -> None:
    candidate, director = f.person(session, "Ana Ruiz"), f.person(session, "Dee Rector")
    program = f.program(session, "induction")
    f.role(session, director, "program_director", program_id=program.id)
    enrollment = f.enrolment(app, session, candidate, program, TODAY - timedelta(days=23))
    # Mentor due in 7 days (threshold 7); ILP goals due in 37 days (threshold 60, not 90 as well).
    assert sweep(app, session) == {"email.deadline_reminder": 2}
    assert sweep(app, session) == {}
    # Each to whoever meets it: the ILP goals are the candidate's; assigning a mentor is the director's.
    assert subjects(app, candidate.email) == ["Due in 37 days: ILP goals set"]
    assert subjects(app, director.email) == ["Due in 7 days: Mentor assigned for Ana Ruiz"]
    reminder = next(m for m in f.folder_mail(app) if "Mentor" in m["Subject"])
    assert f"/enrollments/{enrollment.id}" in text_part(reminder) and f"/enrollments/{enrollment.id}" in html_part(reminder)
    assert "Mentor assigned for Ana Ruiz is due in 7 days" in text_part(reminder)
    keys = sorted(session.exec(select(OutboxMessage.dedupe_key)).all())
    due = TODAY + timedelta(days=7)
    assert f"deadline-{enrollment.id}-mentor_assignment-{due}-7-{director.id}" in keys


def test_a_reminder_for_a_deadline_met_since_it_was_queued_sends_nothing(app: Flask, session: Session) -> None:
    candidate, mentor = f.person(session), f.person(session, "Mo Mentor")
    enrollment = f.enrolment(app, session, candidate, f.program(session, "induction"), TODAY - timedelta(days=23))
    message = outbox.add(session, "email.deadline_reminder", "late-reminder", enrollment_id=enrollment.id,
                         deadline_key="mentor_assignment", due=str(TODAY + timedelta(days=7)), threshold=7)
    session.commit()
    f.role(session, mentor, "mentor", enrollment_id=enrollment.id)  # the mentor is assigned meanwhile
    with app.app_context():
        assert run_message(message.id) == "completed"  # type: ignore[arg-type]
    assert f.folder_mail(app) == []


def test_an_overdue_deadline_is_escalated_to_the_program_director_once(app: Flask, session: Session) -> None:
    candidate, director, other = f.person(session, "Ana Ruiz"), f.person(session, "Dee Rector"), f.person(session)
    prog = f.program(session, "induction")
    f.role(session, director, "program_director", program_id=prog.id)
    f.role(session, other, "program_director", program_id=f.program(session, "induction").id)  # not this program
    f.enrolment(app, session, candidate, prog, TODAY - timedelta(days=40))  # mentor was due 10 days ago
    assert sweep(app, session) == {"email.deadline_escalation": 1, "email.deadline_reminder": 1}
    sweep(app, session)
    assert subjects(app, director.email) == ["Overdue for Ana Ruiz: Mentor assigned"]
    assert subjects(app, candidate.email) == ["Due in 20 days: ILP goals set"]
    assert subjects(app, other.email) == []


def test_a_deadline_long_past_is_left_to_the_at_risk_list_not_emailed(app: Flask, session: Session) -> None:
    director = f.person(session, "Dee Rector")
    prog = f.program(session, "induction")
    f.role(session, director, "program_director", program_id=prog.id)
    # Mentor assignment was due 30 days after enrolment: one passed a day ago, one longer ago than the sweep looks back.
    f.enrolment(app, session, f.person(session, "Ana Ruiz"), prog, TODAY - timedelta(days=31))
    f.enrolment(app, session, f.person(session, "Bo Old"), prog,
                TODAY - timedelta(days=30 + notifications.ESCALATE_WITHIN_DAYS + 1))
    sweep(app, session)
    assert [s for s in subjects(app, director.email) if s.startswith("Overdue")] == [
        "Overdue for Ana Ruiz: Mentor assigned"]


def test_a_week_without_a_mentoring_log_gets_one_nudge(app: Flask, session: Session) -> None:
    # Programs that count every week, so last week is owed whatever day the suite runs as (school calendars:
    # tests/app/notifications/test_school_calendar_nudges.py).
    candidate, mentor = f.person(session, "Ana Ruiz"), f.person(session, "Mo Mentor")
    quiet = f.enrolment(app, session, candidate, f.program(session, "induction", EVERY_WEEK), TODAY - timedelta(days=100))
    f.role(session, mentor, "mentor", enrollment_id=quiet.id)
    logged_candidate = f.person(session, "Lu Logged")
    logged = f.enrolment(app, session, logged_candidate, f.program(session, "induction", EVERY_WEEK), TODAY - timedelta(days=100))
    f.role(session, mentor, "mentor", enrollment_id=logged.id)
    session.add(LogEntry(enrollment_id=logged.id, kind="mentoring", occurred_on=last_week(TODAY) + timedelta(days=2),
                         hours=1, author_id=logged_candidate.id))
    unassigned = f.enrolment(app, session, f.person(session), f.program(session, "induction", EVERY_WEEK), TODAY - timedelta(days=100))
    session.commit()

    counts = sweep(app, session)
    sweep(app, session)
    assert counts["email.log_nudge"] == 1
    week_start = last_week(TODAY)
    assert subjects(app, candidate.email)[-1] == f"No mentoring logged for the week of {week_start:%B} {week_start.day}"
    assert not any("logged" in s for s in subjects(app, logged_candidate.email))
    assert unassigned.id not in [int(k.split("-")[2]) for k in session.exec(select(OutboxMessage.dedupe_key)).all()
                                 if k.startswith("log-nudge")]


def test_a_recommendation_gets_its_steps_once_and_a_reminder_before_ctc_purges_it(app: Flask, session: Session) -> None:
    candidate = f.person(session, "Ana Ruiz")
    f.enrolment(app, session, candidate, f.program(session, "pip"), TODAY - timedelta(days=200),
                recommended_on=TODAY - timedelta(days=83))
    counts = sweep(app, session)
    sweep(app, session)
    assert counts["email.recommendation_steps"] == 1
    mail = {m["Subject"]: m for m in f.folder_mail(app)}
    steps = mail["Your credential recommendation: finish it on CTC Online"]
    assert "Pay the application fee" in text_part(steps)
    reminder = mail["Due in 7 days: Answer the fitness questions and pay for your recommendation on CTC Online"]
    assert "CTC Online" in text_part(reminder)


def test_flask_reminders_run_queues_the_sweep_and_reports_it(app: Flask, session: Session) -> None:
    f.enrolment(app, session, f.person(session), f.program(session, "induction"), TODAY - timedelta(days=23))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "run"])
    assert first.exit_code == 0 and "queued 1 message(s)" in first.output
    assert "queued 0 message(s)" in runner.invoke(args=["reminders", "run"]).output
    bad = runner.invoke(args=["reminders", "run", "--at", "yesterday"])
    assert bad.exit_code == 2 and "not an ISO 8601" in bad.output
    assert "queued 0 digest(s)" in runner.invoke(args=["reminders", "digest"]).output


def test_the_reminder_job_runs_the_same_sweep(app: Flask, session: Session) -> None:
    from app.jobs.reminders import run_reminders

    f.enrolment(app, session, f.person(session), f.program(session, "induction"), TODAY - timedelta(days=23))
    with app.app_context():
        assert run_reminders() == {"email.deadline_reminder": 1}  # the mentor's is the director's: none here
        assert run_reminders() == {}


def test_threshold_choice() -> None:
    from workflows.deadlines import Deadline

    deadline = Deadline("k", "K", date(2026, 6, 30), "r", "s", False)
    pick = notifications.reminder_threshold
    assert pick(deadline, date(2026, 1, 1), (90, 60, 30, 7)) is None  # 180 days left
    assert pick(deadline, date(2026, 4, 1), (90, 60, 30, 7)) == 90
    assert pick(deadline, date(2026, 6, 25), (90, 60, 30, 7)) == 7
    assert pick(deadline, date(2026, 6, 30), (90, 60, 30, 7)) == 7  # due today
    assert pick(deadline, date(2026, 7, 1), (90, 60, 30, 7)) is None  # overdue: escalation instead


def test_an_overdue_sign_off_task_is_marked_and_escalated_to_the_director_once(app: Flask, session: Session) -> None:
    from app.demo.walker import Walker
    from app.models import SignOffTask
    from app.services import Blocked
    from app.services.signoffs import queueing
    from tests.app.pathway_driver import at
    from workflows.roles import Role

    people = {r: f.person(session, r.label) for r in Role if r is not Role.SERVICE_ADMINISTRATOR}
    prog = f.program(session, "casc")
    enrollment = f.enrolment(app, session, people[Role.CANDIDATE], prog, TODAY - timedelta(days=30))
    for r in (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST):
        f.role(session, people[r], r.value, program_id=prog.id)
    with app.app_context():
        walker = Walker(session, enrollment, people)
        walker.advance("verify_employment", Role.CREDENTIAL_ANALYST)
        for rule in walker.unmet("admit"):  # everything but the director's sign-off
            if rule.signoff is None:
                walker.make_true(rule)
        # Asking for the step queues the sign-off task, due in signoff_due_days (7).
        try:
            queueing.ask_for_step(session, enrollment.id, "admit", people[Role.PROGRAM_DIRECTOR])
        except Blocked:
            pass
    task = session.exec(select(SignOffTask)).one()
    assert task.due_on == TODAY + timedelta(days=7) and task.escalated_at is None
    assert "email.task_overdue" not in sweep(app, session)  # not due yet

    def sweep_at(day: date) -> dict[str, int]:
        with app.app_context():
            return dict(notifications.schedule_reminders(session, at(day)))

    assert "email.task_overdue" not in sweep_at(TODAY + timedelta(days=7))  # due today is not overdue
    assert sweep_at(TODAY + timedelta(days=8))["email.task_overdue"] == 1
    assert "email.task_overdue" not in sweep_at(TODAY + timedelta(days=9))  # once
    session.refresh(task)
    assert task.escalated_at is not None
    director_mail = subjects(app, people[Role.PROGRAM_DIRECTOR].email)
    assert director_mail.count(f"Sign-off overdue for {people[Role.CANDIDATE].name}: Admitted sign-off (program director)") == 1


def test_a_casc_candidate_admitted_after_day_120_is_never_chased_for_the_120_day_mark(app: Flask, session: Session) -> None:
    """Admitted on day 130 of the position, inside the 12-month window: "Enrol and start coaching
    (CTC PS1: 120 days)" was met the day they enrolled; no escalation, nothing overdue in the summary."""
    director = f.person(session, "Dee Rector")
    prog = f.program(session, "casc")
    f.role(session, director, "program_director", program_id=prog.id)
    enrollment = f.enrolment(app, session, f.person(session, "Cam Late"), prog, TODAY,
                             admin_position_started_on=TODAY - timedelta(days=130))
    sweep(app, session)
    assert not [s for s in subjects(app) if "Enrol and start coaching" in s]
    row = session.exec(select(EnrollmentSummary).where(EnrollmentSummary.enrollment_id == enrollment.id)).one()
    warning = next(d for d in row.deadlines if d["key"] == "casc_enrolment_warning")
    assert warning["met"] and warning["due"] < TODAY.isoformat()


def test_a_deadline_the_director_carried_the_enrolment_past_is_not_escalated(app: Flask, session: Session) -> None:
    """No mentor 31 days in, but the director let the enrolment carry on with a reason: dealt with."""
    director = f.person(session, "Dee Rector")
    prog = f.program(session, "induction")
    f.role(session, director, "program_director", program_id=prog.id)
    f.enrolment(app, session, f.person(session, "Ana Ruiz"), prog, TODAY - timedelta(days=31),
                flags=["mentor_late_accepted"])
    sweep(app, session)
    assert [s for s in subjects(app, director.email) if s.startswith("Overdue")] == []
