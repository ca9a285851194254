"""Deadlines derived from the rules and key dates, each naming the rule and source that set it.

Each pathway declares its own deadlines (`PathwayPlugin.deadlines`). Dates are calendar days in the organisation's zone: turn "now" into a day with `local_today`
before building `Facts` (2027-01-01 06:00 UTC is still 2026-12-31 in Los Angeles). Month and
year arithmetic clamps to the month's end: see `workflows.dates` (a PIP issued on 29 Feb 2024
expires on 28 Feb 2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflows import dates as d
from workflows import rules as r
from workflows.base import Definition
from workflows.facts import Facts
from workflows.pathway import DeadlineSpec, credential_issued
from workflows.registry import current, definition, plugin
from workflows.settings import ProgramSettings

DEFAULT_TZ = "America/Los_Angeles"


@dataclass(frozen=True)
class Deadline:
    """A dated obligation: what, by when, which rule sets it, and whether it is met.

    `met` means nothing is left to chase: its step was done (on time or late), the program director
    let the enrolment carry on past it with a reason, or the enrolment is in a final state. Only an
    unmet deadline is ever due or overdue. `late` tells a met deadline that was dealt with after
    it fell due (done late or carried on past), for the record; `done`, that its step happened.
    """

    key: str
    label: str
    due: date
    rule_key: str
    source: str
    met: bool
    late: bool = False
    done: bool = False


def local_today(now_utc: datetime, tz: str = DEFAULT_TZ) -> date:
    """The calendar day in `tz` at instant `now_utc` (a naive datetime is taken as UTC)."""
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=UTC)
    return now_utc.astimezone(ZoneInfo(tz)).date()


def days_left(deadline: Deadline | date, today: date) -> int:
    """Days from `today` to the due date (0 on the day, negative when overdue)."""
    due = deadline.due if isinstance(deadline, Deadline) else deadline
    return (due - today).days


def reminder_dates(deadline: Deadline, settings: ProgramSettings) -> list[date]:
    """The days reminders go out before the deadline (deadline_warning_days), earliest first."""
    return sorted(deadline.due - timedelta(days=n) for n in settings.deadline_warning_days)


def deadlines(facts: Facts, version: int | None = None, state: str | None = None) -> list[Deadline]:
    """Every deadline whose anchor date is known, soonest first: the pathway's own, then the
    recommendation window every pathway shares.

    `version` is the enrolment's pinned pathway version (default: the current one); it decides
    which rules count as "ready" for the expiry deadlines. `state`, the enrolment's, when given:
    in a final state every deadline is met (nothing is left to chase on a closed enrolment).
    """
    defn = current(facts.pathway) if version is None else definition(facts.pathway, version)
    specs = [*plugin(facts.pathway).deadlines, RECOMMENDATION_WINDOW]
    final = state is not None and is_final(defn, state)
    result = []
    for spec in specs:
        when = spec.due(facts)
        if when is None:
            continue
        done, waived = spec.met(facts, defn), spec.rule.waived(facts)
        met = done or waived or final
        late = met and (waived or (done and spec.rule.is_late(facts)) or (not done and facts.today > when))
        result.append(Deadline(key=spec.key, label=spec.label, due=when, rule_key=spec.rule.key,
                               source=spec.rule.source, met=met, late=late, done=done))
    return sorted(result, key=lambda dl: (dl.due, dl.key))


@dataclass(frozen=True)
class Closing:
    """A date already past that closes the enrolment (a time event the daily sweep fires): what it
    means in words, the day it fell, and the rule and source behind it."""

    event: str
    meaning: str
    due: date
    rule: r.Rule


def already_closing(facts: Facts, version: int | None = None) -> list[Closing]:
    """The time events whose date has already come on these facts (an expiry passed, a window
    closed): entered now, the enrolment would be closed by the next daily sweep."""
    defn = current(facts.pathway) if version is None else definition(facts.pathway, version)
    found = []
    for time_event in plugin(facts.pathway).time_events:
        rules = defn.events[time_event.event].rules
        due = time_event.due(facts)
        if due is not None and rules and all(rule.check(facts) for rule in rules):
            found.append(Closing(time_event.event, time_event.meaning, due, rules[0]))
    return found


def is_final(defn: Definition, state: str) -> bool:
    """Whether `state` is a final state of the definition's machine (an unknown state is not)."""
    found = defn.machine.states_map.get(state)
    return bool(found is not None and found.final)


RECOMMENDATION_WINDOW = DeadlineSpec(
    "recommendation_window",
    "Answer the fitness questions and pay for your recommendation on CTC Online",
    d.recommendation_purged_on, r.RECOMMENDATION_PURGED, credential_issued)
