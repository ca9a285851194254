"""Logs: only the candidate writes them, only the named mentor or coach signs them, and evaluators
never read confidential notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import LogEntry
from app.services import NotPermitted
from app.services.evidence import logs
from tests.app.pathway_driver import PathwayDriver
from tests.today import TODAY
from workflows.facts import Count
from workflows.roles import Role


def coached(app: Flask, session: Session, enrolled_days_ago: int = 10) -> PathwayDriver:
    driver = PathwayDriver(app, session, "casc", enrolled_days_ago=enrolled_days_ago)
    driver.walker().assign(Role.COACH)
    session.commit()
    return driver


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    return coached(app, session)


def log(driver: PathwayDriver, **overrides):  # type: ignore[no-untyped-def]
    values = {"kind": "coaching", "occurred_on": TODAY - timedelta(days=1), "hours": 1.0, "notes": "Talked budgets.",
              "signer": driver.people[Role.COACH], "today": TODAY}
    values.update(overrides)
    entry = logs.add(driver.session, driver.refresh(), driver.candidate, **values)
    driver.session.commit()
    return entry


def test_a_signed_coaching_meeting_counts_and_an_unsigned_one_does_not(casc: PathwayDriver) -> None:
    entry = log(casc)
    assert casc.facts().counts[Count.COACHING_WEEKS_Y1] == 0
    logs.sign(casc.session, entry, casc.people[Role.COACH])
    casc.session.commit()
    assert casc.facts().counts[Count.COACHING_WEEKS_Y1] == 1


def test_a_second_coaching_meeting_in_the_same_week_is_refused(app: Flask, session: Session) -> None:
    # Last week's Monday and Thursday (7 to 13 days ago, whatever the weekday): inside an enrolment of three weeks.
    casc = coached(app, session, enrolled_days_ago=21)
    monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    log(casc, occurred_on=monday)
    with pytest.raises(logs.AlreadyLogged) as refused:
        log(casc, occurred_on=monday + timedelta(days=3))
    assert refused.value.status == 409 and "already logged" in refused.value.message
    assert len(casc.session.exec(select(LogEntry)).all()) == 1


@pytest.mark.parametrize(("overrides", "message"), [
    ({"hours": -1}, "between 0 and 24"),
    ({"hours": 30}, "between 0 and 24"),
    ({"hours": float("nan")}, "between 0 and 24"),
    ({"hours": 0}, "how many hours"),
    ({"occurred_on": TODAY + timedelta(days=1)}, "in the future"),
    ({"occurred_on": TODAY - timedelta(days=5 * 365)}, "before your enrolment began"),
    ({"occurred_on": TODAY - timedelta(days=11)}, "before your enrolment began"),  # the day before
    ({"kind": "mentoring"}, "This pathway keeps these logs"),
    ({"kind": "nonsense"}, "This pathway keeps these logs"),
])
def test_bad_entries_are_refused_with_a_message_and_nothing_is_stored(casc: PathwayDriver, overrides, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(logs.LogError, match=message):
        log(casc, **overrides)
    casc.session.rollback()
    assert casc.session.exec(select(LogEntry)).all() == []


def test_the_signer_must_be_the_candidates_coach(casc: PathwayDriver) -> None:
    with pytest.raises(logs.LogError, match="not your coach"):
        log(casc, signer=casc.people[Role.MENTOR])


def test_only_the_named_signer_signs_and_only_once(casc: PathwayDriver) -> None:
    entry = log(casc)
    with pytest.raises(NotPermitted):
        logs.sign(casc.session, entry, casc.people[Role.PROGRAM_DIRECTOR])
    with pytest.raises(NotPermitted):
        logs.sign(casc.session, entry, casc.candidate)
    logs.sign(casc.session, entry, casc.people[Role.COACH])
    with pytest.raises(logs.LogError, match="already signed"):
        logs.sign(casc.session, entry, casc.people[Role.COACH])


def test_someone_else_cannot_write_the_candidates_log(casc: PathwayDriver) -> None:
    with pytest.raises(NotPermitted):
        logs.add(casc.session, casc.refresh(), casc.people[Role.COACH], kind="coaching", occurred_on=TODAY,
                 hours=1, notes="", signer=casc.people[Role.COACH], today=TODAY)


def test_confidential_notes_are_hidden_from_evaluators_only(casc: PathwayDriver) -> None:
    entry = log(casc)
    assert logs.visible_notes(entry, frozenset({Role.CANDIDATE})) == "Talked budgets."
    assert logs.visible_notes(entry, frozenset({Role.COACH})) == "Talked budgets."
    assert logs.visible_notes(entry, frozenset({Role.SITE_ADMINISTRATOR})) is None
    assert logs.visible_notes(entry, frozenset({Role.DISTRICT_HR})) is None
    assert logs.visible_notes(entry, frozenset({Role.COACH, Role.SITE_ADMINISTRATOR})) is None
    assert logs.visible_notes(entry, frozenset({Role.PROGRAM_DIRECTOR})) is None
