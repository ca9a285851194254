"""Issue 29: no "nothing logged" nudge for a week without school (summer, breaks); one for a school week."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from app import outbox
from app.jobs.outbox import run_message
from app.models import OutboxMessage
from app.services.notifications import reminders as notifications
from tests.app import notify_factories as f
from tests.app.pathway_driver import at
from tests.today import TODAY
from workflows.school_calendar import california_year, school_year_of


def nudges(session: Session) -> list[str]:
    """The week each log nudge queued so far is about."""
    return sorted(m.payload["week_start"] for m in session.exec(select(OutboxMessage)).all()
                  if m.job == "email.log_nudge")


def test_the_daily_sweep_sends_no_log_nudge_all_summer_and_one_for_the_first_school_week(
        app: Flask, session: Session) -> None:
    candidate, mentor = f.person(session, "Ana Ruiz"), f.person(session, "Mo Mentor")
    program = f.program(session, "induction")  # California's usual school years: nothing edited
    enrollment = f.enrolment(app, session, candidate, program, TODAY - timedelta(days=100))
    f.role(session, mentor, "mentor", enrollment_id=enrollment.id)
    # The next summer, whatever day the suite runs as: from 1 July to the first day of the next school year.
    year = california_year(school_year_of(TODAY) + 1)
    day = year.first_day.replace(month=7, day=1)
    with app.app_context():
        while day <= year.first_day:  # a Monday: the week before it is still summer
            notifications.schedule_reminders(session, at(day))
            day += timedelta(days=1)
        assert nudges(session) == []
        # The Monday after the first week of school, with nothing logged that week: one nudge, about that week.
        notifications.schedule_reminders(session, at(year.first_day + timedelta(days=7)))
        notifications.schedule_reminders(session, at(year.first_day + timedelta(days=8)))
    assert nudges(session) == [year.first_day.isoformat()]


def test_no_nudge_for_thanksgiving_week_unless_the_program_counts_every_week(app: Flask, session: Session) -> None:
    year = california_year(school_year_of(TODAY) + 1)
    thanksgiving = year.breaks[0].first_day
    sent = {}
    for name, settings in (("school", None), ("every week", {"school_calendar": {"every_week": True, "years": []}})):
        candidate, mentor = f.person(session), f.person(session)
        enrollment = f.enrolment(app, session, candidate, f.program(session, "induction", settings),
                                 TODAY - timedelta(days=30))
        f.role(session, mentor, "mentor", enrollment_id=enrollment.id)
        before = set(nudges(session))
        with app.app_context():
            notifications.schedule_reminders(session, at(thanksgiving + timedelta(days=7)))
        sent[name] = sorted(set(nudges(session)) - before)
    assert sent == {"school": [], "every week": [thanksgiving.isoformat()]}


def test_a_nudge_queued_for_a_week_the_director_then_makes_a_break_sends_nothing(app: Flask, session: Session) -> None:
    candidate, mentor = f.person(session), f.person(session)
    program = f.program(session, "induction", {"school_calendar": {"every_week": True, "years": []}})
    enrollment = f.enrolment(app, session, candidate, program, TODAY - timedelta(days=60))
    f.role(session, mentor, "mentor", enrollment_id=enrollment.id)
    summer_week = california_year(school_year_of(TODAY) + 1).first_day - timedelta(days=21)
    queued = [outbox.add(session, "email.log_nudge", f"nudge-{n}", enrollment_id=enrollment.id, kind="mentoring",
                         week_start=summer_week.isoformat()) for n in (1, 2)]
    session.commit()
    with app.app_context():
        assert run_message(queued[0].id) == "sent"  # type: ignore[arg-type]
    assert len(f.folder_mail(app)) == 1  # every week counts: the nudge goes out
    program.settings = {}  # the director goes back to California's school year, where that week is summer
    session.add(program)
    session.commit()
    with app.app_context():
        assert run_message(queued[1].id) == "completed"  # type: ignore[arg-type]  (handled: nothing to send)
    assert len(f.folder_mail(app)) == 1


def test_the_directors_remind_offers_no_log_reminder_for_a_week_without_school(app: Flask, session: Session) -> None:
    """The at-risk list's "Remind" (app/services/programs/nudges.py) asks the same question as the sweep."""
    from types import SimpleNamespace

    from app.services.programs.nudges import reminders_for

    thanksgiving = california_year(school_year_of(TODAY) + 1).breaks[0].first_day
    offered = {}
    for name, settings in (("school", None), ("every week", {"school_calendar": {"every_week": True, "years": []}})):
        candidate, mentor = f.person(session), f.person(session)
        enrollment = f.enrolment(app, session, candidate, f.program(session, "induction", settings),
                                 TODAY - timedelta(days=30))
        f.role(session, mentor, "mentor", enrollment_id=enrollment.id)
        # A candidate behind pace with no deadline near, the Monday after Thanksgiving week.
        line = SimpleNamespace(enrollment=enrollment, today=thanksgiving + timedelta(days=7), facts=None,
                               deadlines=[], paces=[SimpleNamespace(behind=True)])
        reminder = reminders_for(session, [line])[enrollment.id]  # type: ignore[list-item, index]
        offered[name] = reminder and reminder.about
    assert offered["school"] is None
    assert offered["every week"] == f"no mentoring logged for the week of {thanksgiving.day} {thanksgiving:%B}"
