"""A CASC coach's year of weekly logs: emails received and signatures made, before and after issue 25.

Run with `.venv/bin/python bench/coach_year.py`. The year (tests/app/notifications/test_coach_year.py
`simulate`): 40 weeks of coaching, each week one coaching meeting and 3 or 4 professional-learning
entries (175 entries in all, as in the issue's CASC journey), logged in one sitting a week or on two
days a week; the daily digest runs every day. Before: one email per entry (the old default, still
the "each" choice) and one signature per entry. After: the default (logs to sign in the daily
digest) and the logs page's "several at once" buttons (a week's, a month's, all waiting).
Only the emails about logs are counted; the issue's 183 included 8 others (invitation, panel, tasks).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest
from sqlmodel import Session, SQLModel

from app import create_app
from app.services.notifications import emails
from tests.app.notifications.test_coach_year import simulate


def run(choice: str, sittings: int) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/coach.db", "SECRET_KEY": "bench",
                          "UPLOAD_FOLDER": folder, "MAIL_BACKEND": "folder", "MAIL_FOLDER": f"{folder}/mail",
                          "REDIS_URL": None, "RATELIMIT_ENABLED": False})
        engine = app.extensions["db_engine"]
        SQLModel.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session, pytest.MonkeyPatch.context() as patch:
            year = simulate(app, session, patch, choice=choice, sittings=sittings)
        engine.dispose()
    return vars(year)


def main() -> None:
    print("| the candidate logs | delivery | entries | emails to the coach | signatures: one by one "
          "| by week | by month |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for sittings in (1, 2):
        for choice, words in ((emails.EACH, "one email each (before)"), (emails.ROUTINE, "daily digest (after)")):
            y = run(choice, sittings)
            print(f"| {'once' if sittings == 1 else 'twice'} a week | {words} | {y['entries']} | {y['emails']} "
                  f"| {y['signatures_one_by_one']} | {y['signatures_by_week']} | {y['signatures_by_month']} |",
                  flush=True)


if __name__ == "__main__":
    main()
