"""The suite's one "today": a fixed, documented day, never the machine's calendar.

Every test runs as of `TODAY` at `TIME_OF_DAY` in California (10:00 by default), whatever day the
suite is run on: each test's app gets the offset from the system clock to that moment as its
`CLOCK_OFFSET_SECONDS`, the live servers the browser tests start get it in their environment, and
tests take their own dates from here (`TODAY`, `now()`), so the app and the tests agree on the day.

`TEST_TODAY=2027-02-26 make test` runs the whole suite as of another day (`TEST_TODAY=2026-12-31T23:50`
as of a moment: late evening in California is already the next day in UTC). `.ci/run` runs the
date-sensitive tests at a set of days chosen to cover each weekday, month and year ends, a leap day,
both daylight-saving changes and summer (`tests/calendar_days.py`).

The clock ticks from that moment as the run goes on, the way the real one would. Only tests about
the real clock itself read the system's time (tests/test_house.py lists them).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A Wednesday in the middle of a school year, away from month ends and daylight-saving changes.
DEFAULT_TODAY = "2026-12-02"
DEFAULT_TIME_OF_DAY = time(10, 0)
ZONE = ZoneInfo("America/Los_Angeles")  # the app's default TIMEZONE; conftest sets TZ to match


def _reference(raw: str) -> datetime:
    """The moment TEST_TODAY names, in California: a date (at 10:00) or a date and time."""
    text = raw.strip()
    try:
        if "T" in text:
            local = datetime.fromisoformat(text)
            if local.tzinfo is None:
                local = local.replace(tzinfo=ZONE)
            return local.astimezone(UTC)
        return datetime.combine(date.fromisoformat(text), DEFAULT_TIME_OF_DAY, ZONE).astimezone(UTC)
    except ValueError:
        raise SystemExit(f"TEST_TODAY must be a date such as 2027-02-26 or a local date and time such as "
                         f"2026-12-31T23:50, not {raw!r}") from None


REFERENCE = _reference(os.environ.get("TEST_TODAY") or DEFAULT_TODAY)
# Fixed for the process's life: the app's clock = the system clock + this, so it ticks on from REFERENCE.
OFFSET_SECONDS = (REFERENCE - datetime.now(UTC)).total_seconds()
TODAY: date = REFERENCE.astimezone(ZONE).date()


def now() -> datetime:
    """Now on the suite's clock, as an aware UTC datetime (the app's clock with no test's own move)."""
    return datetime.now(UTC) + timedelta(seconds=OFFSET_SECONDS)


def today() -> date:
    """Today in California on the suite's clock (TODAY, or the day after in a run that crossed midnight)."""
    return now().astimezone(ZONE).date()


def environment() -> dict[str, str]:
    """What a process the tests start (a live server, a worker) needs to run on the suite's clock."""
    return {"CLOCK_OFFSET_SECONDS": repr(OFFSET_SECONDS)}
