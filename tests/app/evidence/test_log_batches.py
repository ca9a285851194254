"""Several log entries in one submit: each passes the checks of one entry and is audited as one; a
batch is saved whole or not at all, and a refusal names the entry it stopped at."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, LogEntry
from app.services.evidence import log_batches, logs
from app.services.evidence.log_batches import LogRow
from tests.api.helpers import api_as
from tests.app.evidence.test_logs import coached
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token
from tests.today import TODAY
from workflows.roles import Role


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    return coached(app, session, enrolled_days_ago=70)


def add_many(driver: PathwayDriver, rows: list[LogRow], kind: str = "coaching") -> list[LogEntry]:
    entries = log_batches.add_many(driver.session, driver.refresh(), driver.candidate, kind=kind,
                                   signer=driver.people[Role.COACH], rows=rows, today=TODAY)
    driver.session.commit()
    return entries


def weekly_rows(weeks: int) -> list[LogRow]:
    last_monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    return [LogRow(last_monday - timedelta(weeks=n), 1.0, f"Week {n}") for n in range(weeks)]


def test_every_week_gives_the_chosen_weekdays_between_two_dates_inclusive() -> None:
    # 1 December 2026 is a Tuesday.
    tuesdays = log_batches.every_week(date(2026, 11, 3), date(2026, 12, 1), [1])
    assert tuesdays == [date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 17), date(2026, 11, 24),
                        date(2026, 12, 1)]
    both = log_batches.every_week(date(2026, 11, 2), date(2026, 11, 8), [0, 3])
    assert both == [date(2026, 11, 2), date(2026, 11, 5)]


@pytest.mark.parametrize(("first", "last", "weekdays", "message"), [
    (date(2026, 11, 10), date(2026, 11, 3), [1], "before the first"),
    (date(2026, 11, 3), date(2026, 11, 10), [], "day or days of the week"),
    (date(2026, 11, 3), date(2026, 11, 10), [7], "day or days of the week"),
    (date(2024, 1, 1), date(2026, 11, 10), [1], "at most"),
])
def test_a_repeating_meeting_needs_a_day_of_the_week_and_dates_in_order(first, last, weekdays, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(logs.LogError, match=message):
        log_batches.every_week(first, last, weekdays)


def test_a_batch_of_weekly_meetings_saves_each_as_its_own_audited_entry_waiting_for_the_coach(
        casc: PathwayDriver) -> None:
    entries = add_many(casc, weekly_rows(6))
    assert len(entries) == 6
    stored = casc.session.exec(select(LogEntry)).all()
    assert sorted(e.occurred_on for e in stored) == sorted(r.occurred_on for r in weekly_rows(6))
    assert all(e.signed_at is None and e.signer_id == casc.people[Role.COACH].id for e in stored)
    audited = casc.session.exec(select(AuditEvent).where(AuditEvent.action == "log.added")).all()
    assert sorted(a.details["log"] for a in audited) == sorted(e.id for e in stored)


def test_one_bad_entry_saves_nothing_and_the_message_names_it(casc: PathwayDriver) -> None:
    rows = weekly_rows(3)
    rows.insert(2, LogRow(rows[1].occurred_on + timedelta(days=2), 1.0))  # a second meeting in one week
    with pytest.raises(log_batches.BatchRefused) as refused:
        add_many(casc, rows)
    casc.session.rollback()
    day = rows[2].occurred_on
    assert refused.value.status == 409
    assert refused.value.message.startswith(f"Nothing was saved. Entry 3 of 4 ({day.day} {day:%B %Y}):")
    assert "already logged" in refused.value.message
    assert casc.session.exec(select(LogEntry)).all() == []
    assert casc.session.exec(select(AuditEvent).where(AuditEvent.action == "log.added")).all() == []


def test_a_future_date_in_a_batch_is_refused_by_its_place(casc: PathwayDriver) -> None:
    with pytest.raises(log_batches.BatchRefused, match=r"Entry 2 of 2 .*in the future"):
        add_many(casc, [LogRow(TODAY - timedelta(days=1), 2.0), LogRow(TODAY + timedelta(days=1), 2.0)],
                 kind="professional_learning")
    casc.session.rollback()
    assert casc.session.exec(select(LogEntry)).all() == []


def test_a_long_day_of_training_is_one_entry_but_no_day_holds_more_than_24_hours(casc: PathwayDriver) -> None:
    day = TODAY - timedelta(days=3)
    (entry,) = add_many(casc, [LogRow(day, 14.5, "Summer institute")], kind="professional_learning")
    assert entry.hours == 14.5
    with pytest.raises(log_batches.BatchRefused, match="between 0 and 24"):
        add_many(casc, [LogRow(day - timedelta(days=1), 25.0)], kind="professional_learning")


def test_an_empty_or_oversized_batch_is_refused(casc: PathwayDriver) -> None:
    with pytest.raises(logs.LogError, match="at least one entry"):
        add_many(casc, [])
    too_many = [LogRow(TODAY - timedelta(days=n), 1.0) for n in range(log_batches.MAX_ENTRIES + 1)]
    with pytest.raises(logs.LogError, match="at most"):
        add_many(casc, too_many, kind="professional_learning")


def test_the_logs_page_logs_a_weekly_meeting_for_each_week_and_refuses_a_bad_batch_whole(
        app: Flask, casc: PathwayDriver) -> None:
    eid = casc.enrollment.id
    client = app.test_client()
    Auth(client).sign_in(casc.candidate.email)
    page = client.get(f"/enrollments/{eid}/logs").get_data(as_text=True)
    assert page.index("Log a meeting or hours") < page.index("Log several at once") < page.index("Totals so far")
    token = csrf_token(client, f"/enrollments/{eid}/logs")
    first, last = TODAY - timedelta(days=34), TODAY - timedelta(days=7)
    weekly = {"csrf_token": token, "mode": "weekly", "kind": "coaching", "signer_id": str(casc.people[Role.COACH].id),
              "first": first.isoformat(), "last": last.isoformat(), "weekday": [str(first.weekday())],
              "hours": "1.5", "notes": "Weekly coaching."}
    done = client.post(f"/enrollments/{eid}/logs/batch", data=weekly, follow_redirects=True)
    assert done.status_code == 200 and "Logged 4 entries." in done.get_data(as_text=True)
    stored = casc.session.exec(select(LogEntry)).all()
    assert sorted(e.occurred_on for e in stored) == [first + timedelta(weeks=n) for n in range(4)]
    assert {e.hours for e in stored} == {1.5}
    # The same weeks again: the first is already logged, so nothing is saved and the form comes back open.
    again = client.post(f"/enrollments/{eid}/logs/batch", data=weekly)
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and "Nothing was saved. Entry 1 of 4" in text
    assert '<details class="fold" id="log-several" open>' in text and ">Weekly coaching.</textarea>" in text
    casc.session.expire_all()
    assert len(casc.session.exec(select(LogEntry)).all()) == 4
    unreadable = client.post(f"/enrollments/{eid}/logs/batch", data={
        "csrf_token": token, "mode": "rows", "kind": "professional_learning",
        "signer_id": str(casc.people[Role.COACH].id), "row_date": [TODAY.isoformat(), "someday"],
        "row_hours": ["2", "2"], "row_notes": ["", ""]})
    assert unreadable.status_code == 400 and "Row 2: enter the date" in unreadable.get_data(as_text=True)
    casc.session.expire_all()
    assert len(casc.session.exec(select(LogEntry)).all()) == 4


def test_the_api_logs_several_entries_or_none(app: Flask, session: Session, casc: PathwayDriver) -> None:
    eid = casc.enrollment.id
    candidate = api_as(app, session, casc.candidate)
    days = [TODAY - timedelta(days=n) for n in (3, 2, 1)]
    body = {"kind": "professional_learning", "signer_id": casc.people[Role.COACH].id,
            "entries": [{"occurred_on": d.isoformat(), "hours": 13, "notes": "Institute"} for d in days]}
    made = candidate.post(f"/enrollments/{eid}/logs/batch", json=body)
    assert made.status_code == 201, made.json
    assert [item["occurred_on"] for item in made.json["items"]] == [d.isoformat() for d in days]  # type: ignore[index]
    refused = candidate.post(f"/enrollments/{eid}/logs/batch", json={
        **body, "entries": [{"occurred_on": TODAY.isoformat(), "hours": 2},
                            {"occurred_on": (TODAY + timedelta(days=1)).isoformat(), "hours": 2}]})
    assert refused.status_code == 422 and "Entry 2 of 2" in refused.json["detail"]  # type: ignore[index]
    coach = api_as(app, session, casc.people[Role.COACH])
    assert coach.post(f"/enrollments/{eid}/logs/batch", json=body).status_code == 403
    session.expire_all()
    assert len(session.exec(select(LogEntry)).all()) == 3
