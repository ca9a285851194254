"""Deadlines: leap years, the Los Angeles / UTC boundary, and the rule behind each."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from workflow_scenarios import HAPPY

from workflows import deadlines as dl
from workflows import engine
from workflows.dates import add_months, add_years
from workflows.errors import StepBlocked
from workflows.facts import EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate
from workflows.registry import definition
from workflows.settings import ProgramSettings


def _by_key(facts: Facts) -> dict[str, dl.Deadline]:
    """The deadlines of a snapshot keyed by deadline key."""
    return {d.key: d for d in dl.deadlines(facts)}


def test_a_permit_issued_on_february_29_expires_on_february_28_next_year() -> None:
    """Month arithmetic clamps to the month's end; the expiry is the first invalid day."""
    facts = Facts(pathway="pip", today=date(2024, 3, 1),
                  dates={KeyDate.PERMIT_ISSUED_ON: date(2024, 2, 29)})
    assert _by_key(facts)["pip_expiry"].due == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_an_explicit_expiry_date_overrides_the_computed_one() -> None:
    """The document's own expiry date wins (e.g. tied to a prerequisite credential)."""
    facts = Facts(pathway="induction", today=date(2026, 1, 1),
                  dates={KeyDate.PRELIMINARY_ISSUED_ON: date(2024, 2, 29),
                         KeyDate.PRELIMINARY_EXPIRES_ON: date(2028, 7, 1)})
    assert _by_key(facts)["preliminary_expiry"].due == date(2028, 7, 1)
    computed = facts.replace(dates={KeyDate.PRELIMINARY_ISSUED_ON: date(2024, 2, 29)})
    assert _by_key(computed)["preliminary_expiry"].due == date(2029, 2, 28)


def test_day_counts_cross_february_29() -> None:
    """30/60-day clocks count real days, including a leap day."""
    facts = Facts(pathway="induction", today=date(2028, 2, 1),
                  dates={KeyDate.ENROLLED_ON: date(2028, 2, 1)})
    due = _by_key(facts)
    assert due["mentor_assignment"].due == date(2028, 3, 2)  # 2028 is a leap year
    assert due["ilp_goals"].due == date(2028, 4, 1)
    assert dl.days_left(due["mentor_assignment"], facts.today) == 30


@pytest.mark.parametrize(("now", "local"), [
    (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), date(2026, 12, 31)),  # PST, UTC-8
    (datetime(2027, 1, 1, 8, 0, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2026, 7, 1, 6, 59, tzinfo=UTC), date(2026, 6, 30)),  # PDT, UTC-7
    (datetime(2026, 7, 1, 7, 0, tzinfo=UTC), date(2026, 7, 1)),
    (datetime(2028, 3, 1, 7, 59, tzinfo=UTC), date(2028, 2, 29)),  # leap day in LA
    (datetime(2027, 1, 1, 6, 0), date(2026, 12, 31)),  # naive is taken as UTC
])
def test_local_today_uses_the_organisations_zone(now: datetime, local: date) -> None:
    """2027-01-01 06:00 UTC is still 2026-12-31 in Los Angeles."""
    assert dl.local_today(now) == local
    assert dl.local_today(now, "UTC") == now.date()


def test_the_local_day_decides_whether_a_permit_has_expired() -> None:
    """At 06:00 UTC on the expiry day it is still the day before in LA: not expired yet."""
    issued = {KeyDate.PERMIT_ISSUED_ON: date(2026, 1, 1)}
    still = Facts(pathway="pip", today=dl.local_today(datetime(2027, 1, 1, 6, tzinfo=UTC)),
                  dates=issued)
    with pytest.raises(StepBlocked):
        engine.fire("pip", 1, "pip_active", "expire_permit", still)
    later = still.replace(today=dl.local_today(datetime(2027, 1, 1, 8, tzinfo=UTC)))
    assert engine.fire("pip", 1, "pip_active", "expire_permit", later) == "pip_expired_not_ready"


@pytest.mark.parametrize("pathway", ["pip", "induction", "casc"])
def test_each_deadline_names_the_rule_that_sets_it_and_its_source(pathway: str) -> None:
    """The dashboard shows the rule and source behind every date."""
    rules = definition(pathway, 1).rules
    found = dl.deadlines(HAPPY[pathway])
    assert found == sorted(found, key=lambda d: (d.due, d.key))
    for deadline in found:
        assert deadline.rule_key in rules
        assert deadline.source == rules[deadline.rule_key].source


def test_the_expected_deadlines_per_pathway() -> None:
    """PIP expiry; mentor/ILP/preliminary; CASC window, warning, coach, PASC; 90-day window."""
    assert set(_by_key(HAPPY["pip"])) == {"pip_expiry", "recommendation_window"}
    assert set(_by_key(HAPPY["induction"])) == {"mentor_assignment", "ilp_goals",
                                                "preliminary_expiry", "recommendation_window"}
    casc = _by_key(HAPPY["casc"])
    assert set(casc) == {"casc_enrolment_warning", "casc_enrolment_window", "coach_assignment",
                         "pasc_expiry", "recommendation_window"}
    assert casc["casc_enrolment_window"].due == date(2026, 7, 1)
    assert casc["casc_enrolment_warning"].due == date(2025, 10, 29)
    assert casc["coach_assignment"].due == date(2025, 10, 1)
    assert casc["pasc_expiry"].due == date(2030, 6, 1)
    assert casc["recommendation_window"].due == date(2026, 5, 16)
    assert all(d.met for d in casc.values())


def test_the_enrolment_window_follows_the_program_setting() -> None:
    """[C] 12 months by default; a program choosing the CTC's 120 days gets that date."""
    facts = HAPPY["casc"].replace(settings=ProgramSettings(casc_enrolment_window_days=120))
    window = _by_key(facts)["casc_enrolment_window"]
    assert window.due == date(2025, 10, 29) and window.met  # admitted on 2025-09-01


def test_a_missed_deadline_is_not_met_and_shows_negative_days_left() -> None:
    """No mentor by day 31: the deadline is missed."""
    dates = {k: v for k, v in HAPPY["induction"].dates.items() if k != KeyDate.MENTOR_ASSIGNED_ON}
    facts = HAPPY["induction"].replace(dates=dates)
    mentor = _by_key(facts)["mentor_assignment"]
    assert not mentor.met and dl.days_left(mentor, facts.today) < 0


def test_a_step_done_late_is_met_and_told_late() -> None:
    """Mentor assigned on day 45: done, so nothing is overdue; the lateness stays on the record."""
    facts = HAPPY["induction"].replace(dates={**HAPPY["induction"].dates,
                                              KeyDate.MENTOR_ASSIGNED_ON: date(2025, 9, 15)})
    mentor = _by_key(facts)["mentor_assignment"]
    assert mentor.met and mentor.late and mentor.done


def test_the_casc_120_day_mark_is_met_once_admitted_even_after_day_120() -> None:
    """Admitted on day 200 of the position (inside the 12-month window): the 120-day mark is
    behind the candidate, never due or overdue from the day they enrol."""
    start = date(2025, 1, 1)
    facts = HAPPY["casc"].replace(dates={**HAPPY["casc"].dates, KeyDate.ADMIN_POSITION_STARTED_ON: start,
                                         KeyDate.ADMITTED_ON: date(2025, 7, 20)}, today=date(2025, 7, 20))
    found = _by_key(facts)
    assert found["casc_enrolment_warning"].due == date(2025, 5, 1)
    assert found["casc_enrolment_warning"].met
    assert found["casc_enrolment_window"].met


def test_a_deadline_the_director_carried_the_enrolment_past_is_met() -> None:
    """No mentor yet, but the director let the enrolment carry on with a reason: not overdue."""
    dates = {k: v for k, v in HAPPY["induction"].dates.items() if k != KeyDate.MENTOR_ASSIGNED_ON}
    facts = HAPPY["induction"].replace(dates=dates, flags={Flag.MENTOR_LATE_ACCEPTED})
    mentor = _by_key(facts)["mentor_assignment"]
    assert mentor.met and mentor.late and not mentor.done


def test_nothing_is_overdue_on_an_enrolment_in_a_final_state() -> None:
    """Withdrawn (or issued): every deadline is met, whatever its step."""
    facts = Facts(pathway="pip", today=date(2027, 1, 1), dates={KeyDate.PERMIT_ISSUED_ON: date(2025, 8, 1)})
    assert not _by_key(facts)["pip_expiry"].met
    final = next(s.value for s in definition("pip", 1).machine.states_map.values()
                 if s.final and not s.value.startswith("pip_expired"))
    assert all(d.met for d in dl.deadlines(facts, 1, final))
    assert not any(d.met for d in dl.deadlines(facts, 1, "pip_active"))


def test_expiry_deadlines_are_met_once_the_credential_is_issued() -> None:
    """Issued credential: nothing left to chase."""
    facts = Facts(pathway="pip", today=date(2026, 1, 1),
                  dates={KeyDate.PERMIT_ISSUED_ON: date(2025, 8, 1)})
    assert not _by_key(facts)["pip_expiry"].met
    done = facts.replace(evidence={EvidenceKind.ISSUED_CREDENTIAL: EvidenceStatus.VERIFIED})
    assert _by_key(done)["pip_expiry"].met


def test_reminders_go_out_on_the_warning_days() -> None:
    """90/60/30/7 days before by default."""
    deadline = _by_key(HAPPY["pip"])["pip_expiry"]
    assert dl.reminder_dates(deadline, ProgramSettings()) == [
        date(2026, 5, 3), date(2026, 6, 2), date(2026, 7, 2), date(2026, 7, 25)]


def test_dates_already_past_a_closing_deadline_are_told_with_their_rule() -> None:
    """A CASC position started 13 months ago with no extension: the window already closed, and
    the rule and its source say so; with the director's extension, nothing closes it."""
    facts = Facts(pathway="casc", today=date(2026, 12, 2),
                  dates={KeyDate.ADMIN_POSITION_STARTED_ON: date(2025, 11, 1), KeyDate.ADMITTED_ON: date(2026, 12, 2)})
    [closing] = dl.already_closing(facts)
    assert closing.event == "miss_enrolment_window" and closing.due == date(2026, 11, 1)
    assert closing.rule.source and "window" in closing.meaning
    assert dl.already_closing(facts.replace(flags={Flag.ENROLMENT_WINDOW_EXTENSION})) == []
    assert dl.already_closing(facts.replace(dates={KeyDate.ADMIN_POSITION_STARTED_ON: date(2026, 10, 1)})) == []
