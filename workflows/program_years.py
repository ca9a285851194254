"""Program years and which logged entries count: derived from dates, never typed by a person.

Year 1 is the first 12 months from the enrolment date and Year 2 the rest of the enrolment
(rule book §2.1 and §3.2: two-year programs that start at enrolment). An Early Completion
candidate is admitted as Year 2 (§2.3), so their whole enrolment is Year 2. An entry dated
before the enrolment or after today belongs to no year and counts toward nothing. Entries after
the second year (an induction extension, a late CASC Year 2) stay in Year 2: the last year runs
until the candidate completes it.
"""

from __future__ import annotations

from datetime import date

from workflows.dates import add_years

YEARS = (1, 2)


def program_year(day: date, enrolled_on: date, *, early_completion: bool = False) -> int | None:
    """The program year `day` falls in (1 or 2), or None when it is before the enrolment."""
    if day < enrolled_on:
        return None
    if early_completion:
        return 2
    return 1 if day < add_years(enrolled_on, 1) else 2


def year_starts_on(year: int, enrolled_on: date, *, early_completion: bool = False) -> date:
    """The first day of program year `year` (an Early Completion year starts at enrolment)."""
    if year not in YEARS:
        raise ValueError(f"program year is 1 or 2, got {year!r}")
    return enrolled_on if year == 1 or early_completion else add_years(enrolled_on, 1)


def counts_on(day: date, enrolled_on: date, today: date) -> bool:
    """Whether an entry dated `day` can count at all: inside the enrolment and not in the future."""
    return enrolled_on <= day <= today


def in_words(parts: list[str], last: str = "and") -> str:
    """"a, b and c" (or "a, b or c") for a list of phrases ("" for none)."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]
