"""Run the date-sensitive tests as of each of a set of days: `python -m tests.calendar_days [DAY ...]`.

The suite runs as of one fixed day (tests/today.py); a rule that counts weeks, months or years can
still pass on that day and fail on another. These days cover every weekday, a month end, the last
evening of a year (already the next year in UTC), the first day of a year, a leap day, both
daylight-saving changes in California and a summer day. `make test-calendar` runs them two at a time
and prints one line per day; any failure prints its output and fails the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DAYS = (
    "2027-07-19",        # Monday, summer: no school weeks, program years carry on
    "2028-02-29",        # Tuesday, a leap day: a year later is 28 February
    "2027-06-30",        # Wednesday, a month end and the end of a school year
    "2026-12-31T17:30",  # Thursday evening, 31 December: already 1 January 2027 in UTC
    "2027-01-01",        # Friday, the first day of a year
    "2027-02-27",        # Saturday
    "2027-02-28",        # Sunday, a month end
    "2027-03-14",        # Sunday, daylight-saving time begins (a 23-hour day)
    "2027-11-07",        # Sunday, daylight-saving time ends (a 25-hour day)
)

# The engine and its deadlines, logs and weekly counts, the daily sweep and time-driven events,
# the per-enrolment summaries, the calendar feed and pacing.
DATE_SENSITIVE = (
    "tests/workflows",
    "tests/app/evidence/test_logs.py",
    "tests/app/notifications/test_reminders.py",
    "tests/app/enrollments/test_time_moves_the_machine.py",
    "tests/app/programs/test_summaries.py",
    "tests/app/notifications/test_calendar_feed.py",
    "tests/app/programs/test_director_pacing.py",
)


def run_on(day: str) -> tuple[str, int, float, str]:
    """The date-sensitive tests as of `day`: (day, exit code, seconds, output)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser",
                           *DATE_SENSITIVE], cwd=ROOT, env={**_environ(), "TEST_TODAY": day},
                          capture_output=True, text=True, check=False)
    return day, done.returncode, time.monotonic() - started, done.stdout + done.stderr


def _environ() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}


def _weekday(day: str) -> str:
    moment = datetime.fromisoformat(day) if "T" in day else date.fromisoformat(day)
    return f"{moment:%A}"


def main(days: list[str]) -> int:
    """Run every day, two at a time; print a line each, and the output of any that failed."""
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for day, code, seconds, output in pool.map(run_on, days or DAYS):
            summary = output.strip().splitlines()[-1] if output.strip() else ""
            print(f"{day:<17} {_weekday(day):<9} {'ok  ' if code == 0 else 'FAIL'} {seconds:5.0f} s  {summary}",
                  flush=True)
            if code:
                failed += 1
                print(output[-20000:], flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
