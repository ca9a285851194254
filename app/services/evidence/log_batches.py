"""Several log entries in one go: a week's or a month's meetings, or a run of training days.

People log the way they work: the same coaching meeting every Tuesday, or five days of pre-service
training. Each entry goes through exactly the checks and audit of `logs.add`; the batch is all or
nothing, and a refusal names the entry it stopped at, so the person fixes that row and sends again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from app.models import Enrollment, LogEntry, User
from app.services import PathwayError
from app.services.evidence import logs

# A month of daily entries, or a school year of weekly ones, fits; a longer list is not one sitting.
MAX_ENTRIES = 62


@dataclass(frozen=True)
class LogRow:
    """One entry of a batch: when, how long, and what happened."""

    occurred_on: date
    hours: float
    notes: str = ""


class BatchRefused(logs.LogError):
    """One entry of the batch could not be saved, so none was; the message names that entry."""


def every_week(first: date, last: date, weekdays: Iterable[int]) -> list[date]:
    """The dates from `first` to `last` (both included) that fall on the chosen weekdays (Monday = 0)."""
    days = {int(d) for d in weekdays}
    if not days or any(d < 0 or d > 6 for d in days):
        raise logs.LogError("Choose the day or days of the week it happens on.")
    if last < first:
        raise logs.LogError("The last date is before the first. Choose the first date, then a later last date.")
    if (last - first).days > 7 * MAX_ENTRIES:
        raise logs.LogError(f"Choose at most {MAX_ENTRIES} weeks at once.")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() in days]


def add_many(session: Session, enrollment: Enrollment, author: User, *, kind: str, signer: User | None,
             rows: Sequence[LogRow], today: date) -> list[LogEntry]:
    """Record every row as its own entry of `kind`, signed by `signer`, or none (the caller commits,
    or rolls back on the error, which names the entry by its place and its date)."""
    logs.check_author(session, enrollment, author, kind)  # who asks first, then what they sent
    if not rows:
        raise logs.LogError("Add at least one entry: a date and the hours.")
    if len(rows) > MAX_ENTRIES:
        raise logs.LogError(f"Log at most {MAX_ENTRIES} entries at once; split the rest into another batch.")
    entries = []
    for number, row in enumerate(rows, start=1):
        try:
            entries.append(logs.add(session, enrollment, author, kind=kind, occurred_on=row.occurred_on,
                                    hours=row.hours, notes=row.notes, signer=signer, today=today))
        except PathwayError as error:
            refused = BatchRefused(f"Nothing was saved. Entry {number} of {len(rows)} "
                                   f"({row.occurred_on.day} {row.occurred_on:%B %Y}): {error.message}",
                                   reasons=[error.message])
            refused.status = error.status
            raise refused from None
    return entries
