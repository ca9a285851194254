"""Pacing: will each candidate's hours and meetings reach the requirement by its date?

For every requirement counted from logs (induction mentoring hours, CASC coaching weeks and
professional-learning hours per program year, PIP pre-service hours and tracker reviews) we know
what is logged (`have`), what is needed (`target`) and the window it must fit in. From that:

* expected now = target x (share of the window elapsed): what the calendar says by today;
  fewer than that is "behind pace" (the at-risk list uses it);
* current rate = have / weeks elapsed, and the projected completion date at that rate;
* needed rate = what is missing / weeks left;
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
from workflows.dates import add_years
from workflows.pip.dates import pip_expires_on
from workflows.facts import Count, Facts, Pathway

# States in which logs are being kept toward a requirement (elsewhere there is nothing to pace).
PACED_STATES = {
    Pathway.PIP: {"pip_active", "plan_established"},
    Pathway.INDUCTION: {"mentor_assigned", "ilp_goals_set", "eco_active", "year1_active", "year1_complete",
                        "year2_active", "extended"},
    Pathway.CASC: {"admitted", "year1_active", "year1_complete", "year2_active"},
}


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
            today: date, *, weekly: bool = False) -> Pace:
    """The pace of one requirement as of `today` (the module docstring has the formulas)."""
    window = max((due_on - starts_on).days, 1) / 7
    elapsed = min(max((today - starts_on).days, 0) / 7, window)
    left = max((due_on - today).days, 0) / 7
    remaining = max(target - have, 0.0)
    expected_now = target * elapsed / window
    rate = have / elapsed if elapsed >= 1 else None
    needed = remaining / left if left > 0 and remaining > 0 else (0.0 if remaining == 0 else None)
    projected = None
    if remaining == 0:
        projected = today
    elif rate:
        projected = today + timedelta(days=round(remaining / rate * 7))
    must_rise_by, short = None, False
    if remaining > 0 and (projected is None or projected > due_on):
        catch_up = 1.0 if weekly else 2 * target / window
        current = rate or 0.0
        if catch_up <= current or left == 0:
            must_rise_by, short = today, True
        else:
            weeks = (have + catch_up * left - target) / (catch_up - current)
            short = weeks < 0
            must_rise_by = today + timedelta(days=max(int(weeks * 7), 0))
    return Pace(key=key, label=label, unit=unit, have=have, target=target, starts_on=starts_on, due_on=due_on,
                expected_now=round(expected_now, 2), rate=None if rate is None else round(rate, 2),
                needed_rate=None if needed is None else round(needed, 2), projected_on=projected,
                must_rise_by=must_rise_by, weekly=weekly, out_of_reach=short)


def paces(enrollment: Enrollment, facts: Facts) -> list[Pace]:
    """Every logged requirement this enrolment is working toward now."""
    return at(plans(enrollment, facts), facts.today)


def at(specs: list[dict], today: date) -> list[Pace]:  # type: ignore[type-arg]
    """The paces of `plans` that apply on `today`, measured as of that day."""
    return [measure(s["key"], s["label"], s["unit"], s["have"], s["target"], date.fromisoformat(s["starts_on"]),
                    date.fromisoformat(s["due_on"]), today, weekly=s["weekly"])
            for s in specs if applies(s, today)]


def applies(spec: dict, today: date) -> bool:  # type: ignore[type-arg]
    """Whether a plan is the one paced on `today` (a CASC year's plan applies during that year)."""
    return ((spec["applies_from"] is None or date.fromisoformat(spec["applies_from"]) <= today)
            and (spec["applies_until"] is None or today < date.fromisoformat(spec["applies_until"])))


def behind_from(spec: dict) -> date | None:  # type: ignore[type-arg]
    """The first day on which this plan is behind pace (None: never, it is complete).

    Expected-by-now only grows with the calendar until the due date, so "behind" once is behind
    until something is logged: a binary search over the window finds where it starts.
    """
    starts, due = date.fromisoformat(spec["starts_on"]), date.fromisoformat(spec["due_on"])

    def behind(day: date) -> bool:
        return measure(spec["key"], spec["label"], spec["unit"], spec["have"], spec["target"], starts, due, day,
                       weekly=spec["weekly"]).behind

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
    stretch of days it is the one paced (both CASC years are kept; the day picks one). Stored in
    the enrolment's summary (app/services/enrollments/summaries.py) as JSON."""
    pathway = Pathway(enrollment.pathway)
    if enrollment.state not in PACED_STATES[pathway]:
        return []
    s, start = facts.settings, enrollment.enrolled_on

    def plan(key: str, label: str, unit: str, have: float, target: float, starts_on: date, due_on: date, *,
             weekly: bool = False, applies_from: date | None = None, applies_until: date | None = None) -> dict:  # type: ignore[type-arg]
        return {"key": key, "label": label, "unit": unit, "have": float(have), "target": float(target),
                "starts_on": starts_on.isoformat(), "due_on": due_on.isoformat(), "weekly": weekly,
                "applies_from": applies_from and applies_from.isoformat(),
                "applies_until": applies_until and applies_until.isoformat()}

    if pathway is Pathway.INDUCTION:
        end = add_years(start, 2)
        weeks = (end - start).days / 7
        return [plan("mentoring_hours", "Mentoring hours since enrolment", "hours",
                     facts.count(Count.MENTORING_HOURS), round(s.mentoring_hours_per_week * weeks, 1), start, end)]
    if pathway is Pathway.CASC:
        found = []
        for year, (weeks_count, pl_count) in ((1, (Count.COACHING_WEEKS_Y1, Count.PL_HOURS_Y1)),
                                              (2, (Count.COACHING_WEEKS_Y2, Count.PL_HOURS_Y2))):
            begins, ends = add_years(start, year - 1), add_years(start, year)
            # Year 1 is paced until its anniversary, year 2 from then on (as `today < add_years(start, 1)`).
            window = {"applies_until": ends} if year == 1 else {"applies_from": begins}
            found += [
                plan(f"coaching_weeks_y{year}", f"Weeks with a coaching meeting, Year {year}", "weeks",
                     facts.count(weeks_count), s.coaching_weeks_per_year, begins, ends, weekly=True, **window),
                plan(f"pl_hours_y{year}", f"Professional-learning hours, Year {year}", "hours",
                     facts.count(pl_count), s.pl_hours_per_year, begins, ends, **window),
            ]
        return found
    end = pip_expires_on(facts) or add_years(start, 1)
    return [
        plan("preservice_hours", "Pre-service hours before the permit expires", "hours",
             facts.count(Count.PRESERVICE_HOURS), s.pip_preservice_hours, start, end),
        plan("reviews", "Tracker reviews with the support team", "reviews",
             facts.count(Count.REVIEWS_HELD), s.pip_min_reviews, start, end),
    ]
