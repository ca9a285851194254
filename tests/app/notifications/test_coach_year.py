"""A CASC coach's year of weekly logs: the emails they receive and the signatures they make, with
routine items in the daily digest (the default) against one email each (the old default), and
signing several at once against one by one. bench/coach_year.py runs the whole year and prints it.

The year: 40 weeks of coaching, each week one coaching meeting and professional-learning entries
(4 a week for 15 weeks, then 3: 135), so 175 entries, as in issue 25's CASC journey. The
candidate logs each week's entries in one sitting (`sittings=1`) or on two days (`sittings=2`:
the meeting one day, the learning another). The digest runs once a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import clock, outbox
from app.models import AuditEvent, LogEntry
from app.services.evidence import logs
from app.services.notifications import emails, reminders
from tests.app.evidence.test_logs import coached
from tests.app.notify_factories import folder_mail
from workflows.roles import Role

WEEKS = 40


@dataclass(frozen=True)
class Year:
    entries: int
    emails: int  # every email the coach received about the logs (one each, or digests)
    signatures_one_by_one: int
    signatures_by_week: int
    signatures_by_month: int


def simulate(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, *, choice: str, weeks: int = WEEKS,
             sittings: int = 1) -> Year:
    """Log `weeks` weeks of entries, run the daily digest after each logging day, and count."""
    driver = coached(app, session, enrolled_days_ago=7 * weeks + 14)
    coach = driver.people[Role.COACH]
    emails.set_delivery(session, coach, choice)
    session.commit()
    before = len([m for m in folder_mail(app) if m["To"] == coach.email])
    start = driver.refresh().enrolled_on + timedelta(days=1)
    with app.app_context():
        for week in range(weeks):
            meeting = start + timedelta(weeks=week)
            learning = meeting + timedelta(days=2) if sittings == 2 else meeting
            entries = [("coaching", meeting)] + [("professional_learning", learning)] * (4 if week < 15 else 3)
            for day in sorted({d for _, d in entries}):
                moment = datetime.combine(day, time(18, 0), tzinfo=UTC)  # 10:00 in California
                monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
                for kind, on in entries:
                    if on == day:
                        logs.add(session, driver.refresh(), driver.candidate, kind=kind, occurred_on=on, hours=1.0,
                                 notes="", signer=coach, today=day)
                outbox.commit(session)
                evening = moment + timedelta(hours=5)  # the daily digest, later that day
                monkeypatch.setattr(clock, "now", lambda evening=evening: evening)
                reminders.queue_digests(session, now=evening)
    received = len([m for m in folder_mail(app) if m["To"] == coach.email]) - before
    waiting = session.exec(select(LogEntry).where(LogEntry.signer_id == coach.id,
                                                  LogEntry.signed_at.is_(None))).all()  # type: ignore[union-attr]
    by_week = {e.occurred_on - timedelta(days=e.occurred_on.weekday()) for e in waiting}
    by_month = {(e.occurred_on.year, e.occurred_on.month) for e in waiting}
    # The coach signs month by month, with the button of the logs page: one signature per month.
    months: dict[tuple[int, int], list[int]] = {}
    for entry in waiting:
        months.setdefault((entry.occurred_on.year, entry.occurred_on.month), []).append(entry.id)  # type: ignore[arg-type]
    for ids in months.values():
        logs.sign_many(session, driver.refresh(), coach, ids)
        session.commit()
    assert session.exec(select(LogEntry).where(LogEntry.signed_at.is_(None))).all() == []
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "log.signed")).all()) == len(waiting)
    return Year(len(waiting), received, len(waiting), len(by_week), len(by_month))


def test_a_coach_on_the_default_gets_one_digest_per_logging_day_not_one_email_per_log(
        app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    year = simulate(app, session, monkeypatch, choice=emails.ROUTINE, weeks=6)
    assert year.entries == 6 * 5  # a meeting and four learning entries a week
    assert year.emails == 6  # one digest a week: the candidate logs in one sitting
    assert year.signatures_by_week == 6 and year.signatures_by_month <= 3


def test_one_email_each_is_still_there_for_who_chooses_it(app: Flask, session: Session,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    year = simulate(app, session, monkeypatch, choice=emails.EACH, weeks=3, sittings=2)
    assert year.entries == 15 and year.emails == 15


def test_two_sittings_a_week_make_two_digests(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    year = simulate(app, session, monkeypatch, choice=emails.ROUTINE, weeks=3, sittings=2)
    assert year.emails == 6


def test_an_urgent_task_comes_at_once_even_to_who_chose_everything_daily() -> None:
    today = date(2026, 12, 7)
    assert emails.urgent(today + timedelta(days=7), today) and not emails.urgent(today + timedelta(days=8), today)
    assert not emails.urgent(None, today)


# --- Which items wait, by each choice -----------------------------------------------------------


@pytest.mark.parametrize(("choice", "due_in", "at_once"), [
    (emails.ROUTINE, None, True),  # a sign-off is not routine: at once by default
    (emails.DAILY, None, False),  # held for who chose everything daily
    (emails.DAILY, 30, False),
    (emails.DAILY, 3, True),  # due within a week: urgent, at once whatever the choice
    (emails.EACH, 30, True),
])
def test_a_sign_off_task_comes_at_once_or_waits_as_the_person_chose(app: Flask, session: Session, choice: str,
                                                                   due_in: int | None, at_once: bool) -> None:
    from tests.app import notify_factories as f
    from tests.app.notifications.test_jobs import open_task
    from tests.today import TODAY

    candidate, director = f.person(session, "Ana Ruiz"), f.person(session, "Dee Rector")
    enrollment = f.enrolment(app, session, candidate, f.program(session, "casc"), TODAY)
    emails.set_delivery(session, director, choice)
    session.commit()
    with app.app_context():
        task = open_task(session, enrollment, "admitted")
        task.due_on = TODAY + timedelta(days=due_in) if due_in is not None else None
        outbox.add(session, "email.task_queued", "task-x", task_id=task.id, assignee_id=director.id)
        outbox.commit(session)
    sent = [m for m in folder_mail(app) if m["To"] == director.email]
    assert len(sent) == (1 if at_once else 0)


def test_a_log_signed_before_the_digest_goes_out_is_left_out_of_it(app: Flask, session: Session,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.today import TODAY

    driver = coached(app, session, enrolled_days_ago=30)
    coach = driver.people[Role.COACH]
    with app.app_context():
        entries = [logs.add(session, driver.refresh(), driver.candidate, kind="professional_learning",
                            occurred_on=TODAY - timedelta(days=n), hours=1.0, notes="", signer=coach, today=TODAY)
                   for n in (1, 2, 3)]
        outbox.commit(session)
        logs.sign(session, entries[0], coach)
        session.commit()
        later = clock.now() + timedelta(minutes=5)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert reminders.queue_digests(session, now=later) == 1
    [digest] = [m for m in folder_mail(app) if m["To"] == coach.email]
    assert "2 updates" in digest["Subject"]
    with app.app_context():
        entries.append(logs.add(session, driver.refresh(), driver.candidate, kind="professional_learning",
                                occurred_on=TODAY - timedelta(days=4), hours=1.0, notes="", signer=coach,
                                today=TODAY))
        outbox.commit(session)
        logs.sign_many(session, driver.refresh(), coach, [entries[-1].id])  # type: ignore[list-item]
        session.commit()
        tomorrow = later + timedelta(days=1)
        monkeypatch.setattr(clock, "now", lambda: tomorrow)
        reminders.queue_digests(session, now=tomorrow)
        assert reminders.queue_digests(session, now=tomorrow + timedelta(days=1)) == 0  # the signed one was dropped
    assert len([m for m in folder_mail(app) if m["To"] == coach.email]) == 1
