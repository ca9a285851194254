"""Deadlines derived from the rules and key dates, each naming the rule and source that set it.

Dates are calendar days in the organisation's zone: turn "now" into a day with `local_today`
before building `Facts` (2027-01-01 06:00 UTC is still 2026-12-31 in Los Angeles). Month and
year arithmetic clamps to the month's end: see `workflows.dates` (a PIP issued on 29 Feb 2024
expires on 28 Feb 2025).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from workflows import dates as d
from workflows import rules as r
from workflows.facts import Facts, KeyDate, Pathway
from workflows.registry import current, definition
from workflows.settings import ProgramSettings

DEFAULT_TZ = "America/Los_Angeles"


@dataclass(frozen=True)
class Deadline:
    """A dated obligation: what, by when, which rule sets it, and whether it is met."""

    key: str
    label: str
    due: date
    rule_key: str
    source: str
    met: bool


def local_today(now_utc: datetime, tz: str = DEFAULT_TZ) -> date:
    """The calendar day in `tz` at instant `now_utc` (a naive datetime is taken as UTC)."""
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=timezone.utc)
    return now_utc.astimezone(ZoneInfo(tz)).date()


def days_left(deadline: Deadline | date, today: date) -> int:
    """Days from `today` to the due date (0 on the day, negative when overdue)."""
    due = deadline.due if isinstance(deadline, Deadline) else deadline
    return (due - today).days


def reminder_dates(deadline: Deadline, settings: ProgramSettings) -> list[date]:
    """The days reminders go out before the deadline (deadline_warning_days), earliest first."""
    return sorted(deadline.due - timedelta(days=n) for n in settings.deadline_warning_days)


def _all_hold(rules: tuple[r.Rule, ...], facts: Facts) -> bool:
    """Whether every rule holds."""
    return all(rule.check(facts) for rule in rules)


def _on_or_before(key_date: KeyDate, due: Callable[[Facts], date | None]) -> Callable[[Facts], bool]:
    """A 'met' test: the key date is recorded on or before the due date."""
    def met(facts: Facts) -> bool:
        on, by = facts.date_of(key_date), due(facts)
        return on is not None and by is not None and on <= by
    return met


def deadlines(facts: Facts, version: int | None = None) -> list[Deadline]:
    """Every deadline whose anchor date is known, soonest first.

    `version` is the enrolment's pinned pathway version (default: the current one); it decides
    which rules count as "ready" for the expiry deadlines.
    """
    defn = current(facts.pathway) if version is None else definition(facts.pathway, version)
    issued = r.CREDENTIAL_ISSUED.check(facts)
    # (key, label, due function, rule that sets it, met?)
    specs: list[tuple[str, str, Callable[[Facts], date | None], r.Rule, bool]] = []
    if facts.pathway is Pathway.PIP:
        ready = _all_hold(defn.events["declare_intern_ready"].rules, facts)
        specs.append(("pip_expiry", "Become intern-credential ready before your PIP expires",
                      d.pip_expires_on, r.PIP_PERMIT_EXPIRED, ready or issued))
    elif facts.pathway is Pathway.INDUCTION:
        specs += [
            ("mentor_assignment", "Mentor assigned", d.mentor_due_on, r.IND_MENTOR_IN_TIME,
             _on_or_before(KeyDate.MENTOR_ASSIGNED_ON, d.mentor_due_on)(facts)),
            ("ilp_goals", "ILP goals set", d.ilp_goals_due_on, r.IND_ILP_IN_TIME,
             _on_or_before(KeyDate.ILP_GOALS_SET_ON, d.ilp_goals_due_on)(facts)),
            ("preliminary_expiry", "Clear your credential before your preliminary expires",
             d.preliminary_expires_on, r.IND_PRELIMINARY_EXPIRED, issued),
        ]
    else:
        admitted = _on_or_before(KeyDate.ADMITTED_ON, d.enrolment_window_closes_on)(facts)
        specs += [
            ("casc_enrolment_warning", "Enrol and start coaching (CTC PS1: 120 days)",
             d.enrolment_warning_on, r.CASC_IN_WINDOW,
             _on_or_before(KeyDate.ADMITTED_ON, d.enrolment_warning_on)(facts)),
            ("casc_enrolment_window", "Be admitted to the CASC program",
             d.enrolment_window_closes_on, r.CASC_IN_WINDOW, admitted),
            ("coach_assignment", "Coach assigned", d.coach_due_on, r.CASC_COACH_IN_TIME,
             _on_or_before(KeyDate.COACH_ASSIGNED_ON, d.coach_due_on)(facts)),
            ("pasc_expiry", "Clear your credential before your preliminary ASC expires",
             d.pasc_expires_on, r.CASC_PASC_EXPIRED, issued),
        ]
    specs.append(("recommendation_window",
                  "Answer the fitness questions and pay for your recommendation on CTC Online",
                  d.recommendation_purged_on, r.RECOMMENDATION_PURGED, issued))
    result = []
    for key, label, due, rule, met in specs:
        when = due(facts)
        if when is not None:
            result.append(Deadline(key=key, label=label, due=when, rule_key=rule.key,
                                   source=rule.source, met=met))
    return sorted(result, key=lambda dl: (dl.due, dl.key))
