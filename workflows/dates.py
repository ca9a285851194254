"""Calendar arithmetic and the due dates the rules and deadlines share.

Choice for month/year arithmetic: adding months keeps the day of month and clamps to the last
day of a shorter month. So a permit issued on 29 Feb 2024 expires on 28 Feb 2025 (the year
after has no 29th), and one issued on 31 Jan + 1 month gives 28/29 Feb. This never extends a
document past its anniversary month, which is the conservative reading for a compliance date.

Expiry dates are the first day the document is no longer valid: "expired" means today >= expiry
(the rule book's "now >= expiry").
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from workflows.facts import Facts
from workflows.keys import CommonDate


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamping the day to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def add_years(start: date, years: int) -> date:
    """`start` plus whole years (29 Feb -> 28 Feb in a common year)."""
    return add_months(start, 12 * years)


def after(start: date | None, days: int) -> date | None:
    """`start` plus `days`, or None when the start is unknown."""
    return None if start is None else start + timedelta(days=days)


def recommendation_purged_on(facts: Facts) -> date | None:
    """Day the CTC purges an unpaid recommendation (recommended_on + window)."""
    return after(facts.date_of(CommonDate.RECOMMENDED_ON), facts.settings.recommendation_window_days)


def last_week(today: date) -> date:
    """The Monday of the last complete Monday-to-Sunday week before `today`."""
    return today - timedelta(days=today.weekday() + 7)


def whole_weeks_since(start: date | None, today: date) -> int:
    """Completed weeks from `start` to `today` (0 if unknown or in the future)."""
    return 0 if start is None else max(0, (today - start).days // 7)
