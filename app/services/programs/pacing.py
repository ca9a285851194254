"""Pacing: will each candidate's hours and meetings reach the requirement by its date?

For every requirement counted from logs (each pathway declares its own: `PathwayPlugin.pace`) we know
what is logged (`have`), what is needed (`target`) and the window it must fit in. From that:

* expected now = target x (share of the window elapsed): what the calendar says by today;
  fewer than that is "behind pace" (the at-risk list uses it);
* current rate = have / weeks elapsed, and the projected completion date at that rate;
* needed rate = what is missing / weeks left;
* weeks are the program's school weeks (workflows/school_calendar.py): summer and breaks neither
  pass nor are left, so nobody falls behind over the summer; a program counting every week gets
  calendar weeks (days / 7);
* must rise by = the latest date on which the candidate can still switch from the current rate
  to the catch-up rate and finish on time. The catch-up rate is one a week for weekly meetings
  (a week counts once however many meetings it holds) and twice the nominal rate for hours.
  Solving have + r*x + c*(W - x) = target for x weeks from today gives x = (have + c*W - target)
  / (c - r); a negative x means even the catch-up rate no longer reaches the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.models import Enrollment
from workflows.facts import Facts
from workflows.registry import plugin
from workflows.school_calendar import EVERY_WEEK, SchoolCalendar, after_school_weeks


@dataclass(frozen=True)
class Pace:
    """One requirement's pace for one candidate."""

    key: str
    label: str
    unit: str
    have: float
    target: float
    starts_on: date
    due_on: date
    expected_now: float
    rate: float | None  # per week so far (None in the first week)
    needed_rate: float | None  # per week from today (None once the window is over)
    projected_on: date | None  # at the current rate (None when nothing is logged yet)
    must_rise_by: date | None  # None when complete or on track
    weekly: bool  # counted in weeks with a meeting, so at most one a week
    out_of_reach: bool = False  # even the catch-up rate from today no longer reaches the target

    @property
    def complete(self) -> bool:
        """Whether the requirement is already reached."""
        return self.have >= self.target

    @property
    def behind(self) -> bool:
        """Fewer than the calendar says by now."""
        return not self.complete and self.have + 1e-9 < self.expected_now

def measure(key: str, label: str, unit: str, have: float, target: float, starts_on: date, due_on: date,
            today: date, *, weekly: bool = False, calendar: SchoolCalendar = EVERY_WEEK) -> Pace:
    """The pace of one requirement as of `today` (the module docstring has the formulas), in the weeks the
    program's calendar counts: school weeks (summer and breaks neither elapse nor are left), or every week."""
    window = max(calendar.weeks_in(starts_on, due_on), 1 / 7)
    elapsed = min(calendar.weeks_in(starts_on, today), window)
    left = calendar.weeks_in(today, due_on)
    remaining = max(target - have, 0.0)
    expected_now = target * elapsed / window
    rate = have / elapsed if elapsed >= 1 else None
    needed = remaining / left if left > 0 and remaining > 0 else (0.0 if remaining == 0 else None)
    projected = None
    if remaining == 0:
        projected = today
    elif rate:
        projected = after_school_weeks(calendar, today, remaining / rate)
    must_rise_by, short = None, False
    if remaining > 0 and (projected is None or projected > due_on):
        catch_up = 1.0 if weekly else 2 * target / window
        current = rate or 0.0
        if catch_up <= current or left == 0:
            must_rise_by, short = today, True
        else:
            weeks = (have + catch_up * left - target) / (catch_up - current)
            short = weeks < 0
            must_rise_by = after_school_weeks(calendar, today, max(int(weeks * 7), 0) / 7)
    return Pace(key=key, label=label, unit=unit, have=have, target=target, starts_on=starts_on, due_on=due_on,
                expected_now=round(expected_now, 2), rate=None if rate is None else round(rate, 2),
                needed_rate=None if needed is None else round(needed, 2), projected_on=projected,
                must_rise_by=must_rise_by, weekly=weekly, out_of_reach=short)


def paces(enrollment: Enrollment, facts: Facts) -> list[Pace]:
    """Every logged requirement this enrolment is working toward now."""
    return at(plans(enrollment, facts), facts.today, facts.calendar)


def at(specs: list[dict], today: date, calendar: SchoolCalendar = EVERY_WEEK) -> list[Pace]:  # type: ignore[type-arg]
    """The paces of `plans` that apply on `today`, measured as of that day on the program's calendar."""
    return [measure(s["key"], s["label"], s["unit"], s["have"], s["target"], date.fromisoformat(s["starts_on"]),
                    date.fromisoformat(s["due_on"]), today, weekly=s["weekly"], calendar=calendar)
            for s in specs if applies(s, today)]


def applies(spec: dict, today: date) -> bool:  # type: ignore[type-arg]
    """Whether a plan is the one paced on `today` (a CASC year's plan applies during that year)."""
    return ((spec["applies_from"] is None or date.fromisoformat(spec["applies_from"]) <= today)
            and (spec["applies_until"] is None or today < date.fromisoformat(spec["applies_until"])))


def behind_from(spec: dict, calendar: SchoolCalendar = EVERY_WEEK) -> date | None:  # type: ignore[type-arg]
    """The first day on which this plan is behind pace (None: never, it is complete).

    Expected-by-now only grows with the calendar until the due date, so "behind" once is behind
    until something is logged: a binary search over the window finds where it starts.
    """
    starts, due = date.fromisoformat(spec["starts_on"]), date.fromisoformat(spec["due_on"])

    def behind(day: date) -> bool:
        return measure(spec["key"], spec["label"], spec["unit"], spec["have"], spec["target"], starts, due, day,
                       weekly=spec["weekly"], calendar=calendar).behind

    if not behind(due):
        return None
    low, high = 0, max((due - starts).days, 0)  # behind on starts + high; find the first such day
    while low < high:
        middle = (low + high) // 2
        if behind(starts + timedelta(days=middle)):
            high = middle
        else:
            low = middle + 1
    return starts + timedelta(days=low)


def plans(enrollment: Enrollment, facts: Facts) -> list[dict]:  # type: ignore[type-arg]
    """What `paces` measures, without the day: each requirement's have, target and window, and the
    stretch of days it is the one paced (every program year is kept; the day picks one). Stored in
    the enrolment's summary (app/services/programs/summaries.py) as JSON."""
    pathway = plugin(enrollment.pathway)
    if pathway.pace is None or enrollment.state not in pathway.paced_states:
        return []
    return [{"key": t.key, "label": t.label, "unit": t.unit, "have": float(t.have), "target": float(t.target),
             "starts_on": t.starts_on.isoformat(), "due_on": t.due_on.isoformat(), "weekly": t.weekly,
             "applies_from": t.applies_from and t.applies_from.isoformat(),
             "applies_until": t.applies_until and t.applies_until.isoformat()}
            for t in pathway.pace(facts, enrollment.enrolled_on)]
