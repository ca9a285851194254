"""A program's school calendar for directors: one school year at a time, validated, audited.

The calendar lives in the program's settings JSON under its own key (`facts.CALENDAR_KEY`), so a
change rewrites the enrolments' summaries (paces, weeks owed) like any other setting. A year the
program never edited shows California's defaults (workflows/school_calendar.py); saving it stores
the program's own dates for that year. Nothing is saved when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import AuditEvent, Program, User
from app.services import PathwayError
from app.services.enrollments.facts import CALENDAR_KEY, program_calendar
from workflows.school_calendar import Break, SchoolCalendar, SchoolYear, california_year, school_year_of

# Blank rows the form offers for new breaks.
BLANK_ROWS = 2


class CalendarError(PathwayError):
    """The calendar as submitted cannot be used: every problem is in `reasons` (400, nothing saved)."""


@dataclass(frozen=True)
class YearView:
    """One school year as the page and the API show it."""

    starts_in: int
    name: str
    every_week: bool
    edited: bool
    year: SchoolYear
    school_weeks: int

    @property
    def breaks(self) -> tuple[Break, ...]:
        return self.year.breaks


def year_shown(requested: str | int | None, today: date) -> int:
    """The school year asked for (a year such as 2026), else the one `today` falls in."""
    try:
        starts_in = int(requested) if requested not in (None, "") else school_year_of(today)  # type: ignore[arg-type]
    except ValueError:
        raise CalendarError("Choose a school year such as 2026.") from None
    if not 2000 <= starts_in <= 2100:
        raise CalendarError("Choose a school year from 2000 to 2100.")
    return starts_in


def view(program: Program, starts_in: int) -> YearView:
    """The program's school year `starts_in`: its own dates, or California's defaults."""
    calendar = program_calendar(program)
    year = calendar.year(starts_in)
    return YearView(starts_in, year.name if calendar.edited(starts_in) else california_year(starts_in).name,
                    calendar.every_week, calendar.edited(starts_in), year,
                    SchoolCalendar(years=(year,)).school_weeks_between(year.first_day, year.last_day))


def _day(raw: Any, what: str, problems: list[str]) -> date | None:
    text = str(raw or "").strip()
    if not text:
        problems.append(f"Enter {what}.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{what[0].upper()}{what[1:]} must be a date such as 2026-08-17 (“{text}” is not).")
        return None


def year_from(first_day: Any, last_day: Any, breaks: list[Mapping[str, Any]], starts_in: int) -> SchoolYear:
    """A school year from submitted values (text or dates); CalendarError naming every problem."""
    problems: list[str] = []
    first = _day(first_day, "the first day of school", problems)
    last = _day(last_day, "the last day of school", problems)
    rows: list[Break] = []
    for number, row in enumerate(breaks, start=1):
        name = str(row.get("name") or "").strip()
        label = name or f"Break {number}"
        opens = _day(row.get("first_day"), f"the first day of {label}", problems)
        closes = _day(row.get("last_day"), f"the last day of {label}", problems)
        if len(name) > 80:
            problems.append(f"{label[:40]}…: a break's name is at most 80 characters.")
        if opens and closes:
            rows.append(Break(name, opens, closes))
    if first and school_year_of(first) != starts_in:
        problems.append(f"The first day of the {starts_in}–{(starts_in + 1) % 100:02d} school year must fall "
                        f"between 1 July {starts_in} and 30 June {starts_in + 1}.")
    year = None
    if first is not None and last is not None:
        year = SchoolYear(first, last, tuple(sorted(rows, key=lambda b: b.first_day)))
        problems += year.problems()  # every problem at once, with those of the rows that did read
    if problems or year is None:
        raise CalendarError("The calendar was not saved.", problems)
    return year


def form_breaks(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The break rows of the page's form (break-<n>-name/-first/-last), leaving out blank and removed rows."""
    rows = []
    numbers = sorted({int(key.split("-")[1]) for key in form if key.startswith("break-") and key.split("-")[1].isdigit()})
    for n in numbers:
        row = {"name": form.get(f"break-{n}-name", ""), "first_day": form.get(f"break-{n}-first", ""),
               "last_day": form.get(f"break-{n}-last", "")}
        if form.get(f"break-{n}-remove") or not any(v.strip() for v in row.values()):
            continue
        rows.append(row)
    return rows


def save(session: Session, program: Program, actor: User, *, every_week: bool,
         year: SchoolYear | None = None, reset: int | None = None) -> dict[str, Any]:
    """Store the program's calendar (one year's dates, or back to the defaults for year `reset`) and audit
    before and after; returns what changed, {} when nothing did (caller commits)."""
    before = program_calendar(program)
    after = SchoolCalendar(every_week, before.years)
    if year is not None:
        after = after.with_year(year)
    if reset is not None:
        after = SchoolCalendar(every_week, tuple(y for y in after.years if y.starts_in != reset))
    if after == before:
        return {}
    changed = {"before": before.to_mapping(), "after": after.to_mapping()}
    stored = {k: v for k, v in (program.settings or {}).items() if k != CALENDAR_KEY}
    if after != SchoolCalendar():
        stored[CALENDAR_KEY] = after.to_mapping()
    program.settings = stored  # a new dict: the change is seen, and the summaries are rewritten
    session.add(program)
    session.add(AuditEvent(actor_id=actor.id, action="program.calendar_changed",
                           details={"program_id": program.id, **changed}))
    return changed
