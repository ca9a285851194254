"""A program's school calendar: which weeks are school weeks, for weekly rules, pacing and nudges.

Programs run on a school year. "At least one hour of mentoring a week" means a week of school: a
candidate met every school week has not fallen behind over the summer, winter break or spring break,
and nobody is nudged for a week without school.

A school year is named by the calendar year it starts in (2026 is 2026-27) and lies within 1 July to
30 June. A program may edit any year (first day, last day, breaks as named date ranges); a year it
has not edited takes `california_year`, the defaults below, which a program edits to its own
district's dates:

* first day: the Monday on or after 12 August;
* last day: the Friday on or before 10 June of the next year;
* Thanksgiving break: Monday to Friday of the week holding the fourth Thursday of November;
* winter break: two weeks, from the Monday of the week holding 24 December to the Friday after;
* spring break: one week, from the last Monday of March to its Friday.

A school day is a weekday from the first to the last day that falls in no break. A school week is a
Monday-to-Sunday week holding at least one school day. A program may also count every week (the
calendar `EVERY_WEEK`): then every day is a school day and the weekly count is whole weeks since
enrolment, exactly as before school calendars existed.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any


class InvalidCalendar(ValueError):
    """A school calendar that cannot be used; `problems` says each thing wrong in words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Break:
    """A named stretch of days without school (both days included)."""

    name: str
    first_day: date
    last_day: date

    def holds(self, day: date) -> bool:
        """Whether `day` falls in the break."""
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class SchoolYear:
    """One school year: its first and last day of school and its breaks, in date order."""

    first_day: date
    last_day: date
    breaks: tuple[Break, ...] = ()

    @property
    def starts_in(self) -> int:
        """The calendar year the school year is named by (2026 for 2026-27)."""
        return school_year_of(self.first_day)

    @property
    def name(self) -> str:
        """"2026–27"."""
        return f"{self.starts_in}–{(self.starts_in + 1) % 100:02d}"

    def is_school_day(self, day: date) -> bool:
        """A weekday from the first to the last day, in no break."""
        return (day.weekday() < 5 and self.first_day <= day <= self.last_day
                and not any(b.holds(day) for b in self.breaks))

    def problems(self) -> list[str]:
        """What makes this year unusable, in words (empty when it is fine)."""
        found: list[str] = []
        closes = date(self.starts_in + 1, 6, 30)
        if self.last_day <= self.first_day:
            found.append("The last day of school must be after the first day.")
        elif self.last_day > closes:
            found.append(f"A school year runs from 1 July to 30 June: the last day must be on or before "
                         f"{_words(closes)}.")
        for b in self.breaks:
            label = b.name.strip() or "A break"
            if not b.name.strip():
                found.append("Each break needs a name (for example “Winter break”).")
            if b.last_day < b.first_day:
                found.append(f"{label} ends before it starts.")
            elif self.first_day < self.last_day and (b.first_day < self.first_day or b.last_day > self.last_day):
                found.append(f"{label} must fall between the first and the last day of school "
                             f"({_words(self.first_day)} to {_words(self.last_day)}).")
        ordered = sorted(self.breaks, key=lambda b: b.first_day)
        for earlier, later in pairwise(ordered):
            if later.first_day <= earlier.last_day:
                found.append(f"{earlier.name.strip() or 'A break'} and {later.name.strip() or 'another break'} "
                             "overlap.")
        return found

    def to_mapping(self) -> dict[str, Any]:
        """The year as JSON-ready data."""
        return {"first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
                "breaks": [{"name": b.name, "first_day": b.first_day.isoformat(), "last_day": b.last_day.isoformat()}
                           for b in self.breaks]}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SchoolYear:
        """A year from `to_mapping`'s data (ValueError when a date does not read)."""
        return cls(date.fromisoformat(data["first_day"]), date.fromisoformat(data["last_day"]),
                   tuple(sorted((Break(str(b["name"]), date.fromisoformat(b["first_day"]),
                                       date.fromisoformat(b["last_day"])) for b in data.get("breaks", ())),
                                key=lambda b: b.first_day)))


def _words(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def school_year_of(day: date) -> int:
    """The school year a day belongs to, named by the year it starts in (1 July to 30 June)."""
    return day.year if day.month >= 7 else day.year - 1


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _week_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=64)
def california_year(starts_in: int) -> SchoolYear:
    """The default California school year starting in `starts_in` (the module docstring has the rules)."""
    first = _monday_on_or_after(date(starts_in, 8, 12))
    june_10 = date(starts_in + 1, 6, 10)
    last = june_10 - timedelta(days=(june_10.weekday() - 4) % 7)
    november = _calendar.monthcalendar(starts_in, 11)
    thursdays = [week[_calendar.THURSDAY] for week in november if week[_calendar.THURSDAY]]
    thanksgiving = _week_of(date(starts_in, 11, thursdays[3]))
    winter = _week_of(date(starts_in, 12, 24))
    march_31 = date(starts_in + 1, 3, 31)
    spring = march_31 - timedelta(days=march_31.weekday())
    return SchoolYear(first, last, (
        Break("Thanksgiving break", thanksgiving, thanksgiving + timedelta(days=4)),
        Break("Winter break", winter, winter + timedelta(days=11)),
        Break("Spring break", spring, spring + timedelta(days=4)),
    ))


@dataclass(frozen=True)
class SchoolCalendar:
    """A program's school calendar: the years it edited, California's defaults for the others, or
    every week counted (`every_week`)."""

    every_week: bool = False
    years: tuple[SchoolYear, ...] = field(default=())

    def year(self, starts_in: int) -> SchoolYear:
        """The school year starting in `starts_in`: the program's, else the California default."""
        return next((y for y in self.years if y.starts_in == starts_in), None) or california_year(starts_in)

    def edited(self, starts_in: int) -> bool:
        """Whether the program set this year's dates itself."""
        return any(y.starts_in == starts_in for y in self.years)

    def is_school_day(self, day: date) -> bool:
        """Whether there is school on `day` (every day, when every week counts)."""
        return self.every_week or self.year(school_year_of(day)).is_school_day(day)

    def is_school_week(self, day: date) -> bool:
        """Whether the Monday-to-Sunday week holding `day` holds a school day."""
        monday = _week_of(day)
        return any(self.is_school_day(monday + timedelta(days=n)) for n in range(7))

    def school_weeks_between(self, start: date, end: date) -> int:
        """Monday-based weeks holding at least one school day within [start, end] (0 if end < start)."""
        return _school_weeks_between(self, start, end)

    def weeks_owed(self, start: date | None, today: date) -> int:
        """The weeks a weekly requirement counts since `start`, as of `today`.

        Every week: whole weeks since `start` (today's behaviour before calendars). A school calendar:
        the school weeks since `start` that have ended (Monday to Sunday, before today), so the week
        under way is not owed yet and weeks without school never are."""
        if start is None:
            return 0
        if self.every_week:
            return max(0, (today - start).days // 7)  # workflows.dates.whole_weeks_since
        return self.school_weeks_between(start, today - timedelta(days=today.weekday() + 1))

    def weeks_in(self, start: date, end: date) -> float:
        """The length of [start, end) in the weeks this calendar counts (school weeks, or days / 7)."""
        if self.every_week:
            return max((end - start).days, 0) / 7
        return float(self.school_weeks_between(start, end - timedelta(days=1)))

    @property
    def week_word(self) -> str:
        """"school week", or "week" when every week counts."""
        return "week" if self.every_week else "school week"

    def with_year(self, year: SchoolYear) -> SchoolCalendar:
        """This calendar with `year` set (replacing the program's own dates for that year, if any)."""
        kept = tuple(y for y in self.years if y.starts_in != year.starts_in)
        return SchoolCalendar(self.every_week, tuple(sorted((*kept, year), key=lambda y: y.first_day)))

    def problems(self) -> list[str]:
        """Everything wrong with the edited years, in words."""
        found = [p for y in self.years for p in y.problems()]
        seen = [y.starts_in for y in self.years]
        if len(set(seen)) != len(seen):
            found.append("A school year is given twice.")
        return found

    def to_mapping(self) -> dict[str, Any]:
        """The calendar as JSON-ready data (what a program stores)."""
        return {"every_week": self.every_week, "years": [y.to_mapping() for y in self.years]}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> SchoolCalendar:
        """A calendar from stored data (None or empty: California's defaults); InvalidCalendar when unusable."""
        data = dict(data or {})
        unknown = sorted(set(data) - {"every_week", "years"})
        if unknown:
            raise InvalidCalendar([f"{unknown[0]} is not part of a school calendar."])
        every_week = data.get("every_week", False)
        if not isinstance(every_week, bool):
            raise InvalidCalendar(["Say yes or no to counting every week."])
        try:
            years = tuple(SchoolYear.from_mapping(y) for y in data.get("years", ()))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidCalendar(["Each date must be a day such as 2026-08-17."]) from None
        found = cls(every_week, tuple(sorted(years, key=lambda y: y.first_day)))
        if problems := found.problems():
            raise InvalidCalendar(problems)
        return found


@lru_cache(maxsize=512)
def _school_mondays(calendar: SchoolCalendar, starts_in: int) -> tuple[date, ...]:
    """The Mondays of the weeks holding a school day of school year `starts_in`, in order (remembered:
    the rules and pacing ask many times per page)."""
    year = calendar.year(starts_in)
    found, monday = [], _week_of(year.first_day)
    while monday <= year.last_day:
        if any(year.is_school_day(monday + timedelta(days=n)) for n in range(7)):
            found.append(monday)
        monday += timedelta(days=7)
    return tuple(found)


def _mondays(calendar: SchoolCalendar, start: date, end: date) -> list[date]:
    """The school weeks' Mondays of every school year that may hold a day from `start` to `end`, in order."""
    years = range(school_year_of(start) - 1, school_year_of(end) + 1)
    return sorted({m for y in years for m in _school_mondays(calendar, y)})


def _school_weeks_between(calendar: SchoolCalendar, start: date, end: date) -> int:
    """`SchoolCalendar.school_weeks_between`: the weeks strictly between the first and the last are counted from
    each year's list; the first and the last (which [start, end] may hold only in part) day by day."""
    if end < start:
        return 0
    first, last = _week_of(start), _week_of(end)
    if calendar.every_week:
        return (last - first).days // 7 + 1

    def holds(monday: date) -> bool:
        days = (monday + timedelta(days=n) for n in range(7))
        return any(start <= d <= end and calendar.is_school_day(d) for d in days)

    if first == last:
        return int(holds(first))
    mondays = _mondays(calendar, start, end)
    inside = bisect_left(mondays, last) - bisect_right(mondays, first)
    return inside + int(holds(first)) + int(holds(last))


def after_school_weeks(calendar: SchoolCalendar, day: date, weeks: float) -> date:
    """The day `weeks` of this calendar's weeks after `day`: days x 7 when every week counts, else the end
    (Sunday) of the school week that many school weeks on (summer and breaks passed over)."""
    whole = int(weeks)
    if calendar.every_week or whole <= 0:
        return day + timedelta(days=round(max(weeks, 0) * 7))
    horizon = day
    while True:
        horizon = date(horizon.year + 2, 6, 30)
        later = [m for m in _mondays(calendar, day, horizon) if m > _week_of(day)]
        if len(later) >= whole or horizon.year > day.year + 60:
            break
    return (later[whole - 1] if len(later) >= whole else horizon) + timedelta(days=6)


# California's defaults for every year, and the calendar that counts every week.
CALIFORNIA = SchoolCalendar()
EVERY_WEEK = SchoolCalendar(every_week=True)
