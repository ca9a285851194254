"""How the enrolment pages say dates, countdowns and figures: "2 March 2027", "about 14 months left", "40 of 120"."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.zones import MONTHS, current_zone, day_in_words, local_day, local_time, use_zone

__all__ = ["MONTHS", "current_zone", "day_in_words", "local_day", "local_time", "short_day", "use_zone"]

# Past about two months a day count reads as noise ("1426 days left"): say months, then years.
DAYS_BEFORE_MONTHS = 60


def short_day(day: date | datetime | None) -> str:
    """A date in a list: "2 Mar" (a moment, on the organisation's calendar)."""
    day = local_day(day)
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def _span(days: int) -> str:
    if days <= DAYS_BEFORE_MONTHS:
        return f"{days} day{'s' if days != 1 else ''}"
    months = round(days / 30.44)
    years, rest = divmod(months, 12)
    if years == 0:
        return f"about {months} months"
    if rest == 0:
        return f"about {years} year{'s' if years != 1 else ''}"
    return f"about {years} year{'s' if years != 1 else ''} and {rest} month{'s' if rest != 1 else ''}"


def countdown(days_left: int) -> str:
    """Days left (or overdue) in words: "12 days left", "about 3 years and 10 months left", "Due today"."""
    if days_left == 0:
        return "Due today"
    if days_left < 0:
        return f"{_span(-days_left)} overdue"
    return f"{_span(days_left)} left"


def figure(value: float | None) -> str:
    """A number without needless decimals: 40.0 -> "40", 1.5 -> "1.5"."""
    if value is None:
        return ""
    return f"{float(value):g}" if float(value) != int(value) else str(int(value))


def count_unit(count: object, amount: float | None = None) -> str:
    """What a total counts, for "40 of 120 hours": hours, weeks, reviews, self-assessments; singular
    when `amount` (the figure it follows) is exactly one ("0 of 1 hour", "1 self-assessment so far")."""
    name = str(getattr(count, "value", count) or "")
    for word, unit in (("hours", "hours"), ("weeks", "weeks"), ("reviews", "reviews"),
                       ("self_assessments", "self-assessments"), ("years", "years"), ("permits", "permits")):
        if word in name:
            return unit[:-1] if amount == 1 else unit
    return ""


_MARKS = re.compile(r"\s*\[(?:configurable[^\]]*|[A-Z])\]")


def source_words(source: str) -> str:
    """A rule's source as people read it: the rule book's bracketed marks and setting names left out."""
    return _MARKS.sub("", source or "").strip()


def sentence_case(text: str) -> str:
    """The first letter capitalised, acronyms kept ("official transcripts" -> "Official transcripts")."""
    return text[:1].upper() + text[1:]
