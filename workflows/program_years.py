"""Program years and which logged entries count: derived from dates, never typed by a person.

Year 1 is the first 12 months from the enrolment date and Year 2 the rest of the enrolment
(rule book §2.1 and §3.2: two-year programs that start at enrolment). An Early Completion
candidate is admitted as Year 2 (§2.3), so their whole enrolment is Year 2. An entry dated
before the enrolment or after today belongs to no year and counts toward nothing. Entries after
the second year (an induction extension, a late CASC Year 2) stay in Year 2: the last year runs
until the candidate completes it.

A PIP review meeting counts toward `pip_min_reviews` only when the roles the rule book names
(§1.3, seed: "with your district, direct supervisor, mentor and support provider") attended;
which of them are required is a program setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from workflows.dates import add_years
from workflows.roles import Role
from workflows.settings import ProgramSettings

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


# Who stands for each part of "district, direct supervisor, mentor and support provider".
REVIEW_PARTS: dict[str, tuple[str, frozenset[Role]]] = {
    "pip_review_needs_district": (
        "someone from your district (HR or credential analyst)",
        frozenset({Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST})),
    "pip_review_needs_supervisor": (
        "your direct supervisor (site administrator)", frozenset({Role.SITE_ADMINISTRATOR})),
    "pip_review_needs_mentor": ("your mentor", frozenset({Role.MENTOR})),
    "pip_review_needs_support_provider": (
        "your teacher-preparation program support provider",
        frozenset({Role.PREP_PROGRAM_SUPPORT_PROVIDER})),
}
# The roles a review meeting's record may list as present.
REVIEW_ROLES = (Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.SITE_ADMINISTRATOR, Role.MENTOR,
                Role.PREP_PROGRAM_SUPPORT_PROVIDER)


def review_missing(attended: Iterable[str], settings: ProgramSettings) -> list[str]:
    """Who the program requires at a review but did not attend, in plain words (empty = counts)."""
    present = {Role(role) for role in attended}
    return [who for name, (who, roles) in REVIEW_PARTS.items()
            if getattr(settings, name) and not present & roles]


def review_required(settings: ProgramSettings) -> list[str]:
    """Who the program requires at every review, in plain words."""
    return [who for name, (who, _roles) in REVIEW_PARTS.items() if getattr(settings, name)]


def in_words(parts: list[str]) -> str:
    """"a, b and c" for a list of phrases ("" for none)."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
