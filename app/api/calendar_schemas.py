"""Typed requests and responses for a program's school calendar; the OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.api.schemas import Strict


class CalendarQuery(Strict):
    """Which school year to read, by the year it starts in (2026 for 2026-27); the current one when left out."""

    year: int | None = Field(default=None, ge=2000, le=2100)


class BreakIn(Strict):
    """A named stretch of days without school, both days included."""

    name: str = Field(min_length=1, max_length=80)
    first_day: date
    last_day: date


class SchoolYearIn(Strict):
    """One school year's first and last day of school and its breaks (it lies within 1 July to 30 June)."""

    first_day: date
    last_day: date
    breaks: list[BreakIn] = Field(default_factory=list, max_length=30)


class CalendarIn(Strict):
    """Set whether every week counts, and one school year's dates (`year`), or put year `reset` back to the
    usual California year. Leaving both out changes only `every_week`."""

    every_week: bool = False
    year: SchoolYearIn | None = None
    reset: int | None = Field(default=None, ge=2000, le=2100)


class BreakOut(BaseModel):
    """A break in a school year."""

    name: str
    first_day: date
    last_day: date


class CalendarOut(BaseModel):
    """One school year of the program's calendar, as weekly requirements, pacing and reminders count it."""

    program_id: int
    every_week: bool = Field(description="Every week of the year counts (summer and breaks included).")
    starts_in: int = Field(description="The calendar year the school year starts in.")
    name: str = Field(description="The school year, such as 2026–27.")
    edited: bool = Field(description="The program set this year's dates; otherwise a usual California year.")
    first_day: date
    last_day: date
    breaks: list[BreakOut]
    school_weeks: int = Field(description="Monday-to-Sunday weeks holding at least one day of school.")
