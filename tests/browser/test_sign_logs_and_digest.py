"""A coach at phone size: signs a candidate's logs several at once (a week's from the logs page, the
rest from the inbox), and chooses how task emails come (logs to sign in the daily digest by default).

Each run enrols a CASC candidate of its own (20 days ago) with the demo coach and five unsigned entries naming
him: a coaching meeting and professional learning 8 days ago, and the same 1 and 2 days ago.
The email choice is put back to the default at the end, so other journeys see the demo as it was.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import date, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any

import pytest

from tests.browser.conftest import DEMO, ROOT, assert_flash, check_page, sign_in, submit, visit

pytestmark = pytest.mark.browser

_SETUP = """
import json, sys
from datetime import timedelta
from sqlmodel import Session
from app import clock, create_app, outbox
from app.db import engine
from app.models import Enrollment, Membership, User
from app.services.evidence import logs
from app.services.team import accounts
from app.demo.cohort import _program
from app.demo.people import DEMO_PASSWORD
from app.services.enrollments import pathways

with create_app().app_context():
    with Session(engine(), expire_on_commit=False) as session:
        coach = accounts.find_by_email(session, sys.argv[3])
        if sys.argv[4] == "place":
            user = accounts.create_user(session, sys.argv[1], sys.argv[2], DEMO_PASSWORD)
            enrollment = pathways.enroll(session, user, _program(session, "casc"), clock.today() - timedelta(days=20),
                                         user, credential_sought="Clear Administrative Services Credential")
            session.add(Membership(user_id=coach.id, role="coach", enrollment_id=enrollment.id))
            session.flush()
            days = [("coaching", 8), ("professional_learning", 8), ("coaching", 1), ("professional_learning", 1),
                    ("professional_learning", 2)]
        else:
            enrollment = session.get(Enrollment, int(sys.argv[4]))
            days = [("professional_learning", int(sys.argv[5]))]
        candidate = session.get(User, enrollment.candidate_id)
        today = clock.today()
        made = []
        for kind, ago in days:
            entry = logs.add(session, enrollment, candidate, kind=kind, occurred_on=today - timedelta(days=ago),
                             hours=1.0, notes="Worked on the budget.", signer=coach, today=today)
            outbox.commit(session)
            made.append([entry.id, entry.occurred_on.isoformat()])
        print(json.dumps({"enrollment_id": enrollment.id, "entries": made}))
"""


@pytest.fixture(params=["phone"])
def size(request: pytest.FixtureRequest) -> str:
    """These journeys run at phone size only."""
    return request.param


def _run(live_server: Any, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _SETUP, *args], check=False, cwd=ROOT, env=live_server.env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"setting up failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _place(live_server: Any, name: str) -> dict[str, Any]:
    email = f"logs.{uuid.uuid4().hex[:8]}@journeys.example.org"
    return _run(live_server, email, name, DEMO["coach"], "place")


def _mail_about(live_server: Any, to: str, name: str) -> list[str]:
    """The subjects of every email to `to` that names `name`."""
    found = []
    for path in live_server.mail_folder.glob("*.eml"):
        message = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
        if to.lower() in str(message["To"]).lower() and name in str(message["Subject"]):
            found.append(str(message["Subject"]))
    return found


def test_the_coach_signs_a_week_from_the_logs_page_and_the_rest_from_the_inbox(page: Any, live_server: Any) -> None:
    name = f"Rosa Bulk {uuid.uuid4().hex[:4]}"
    placed = _place(live_server, name)
    eid = placed["enrollment_id"]
    dates = [date.fromisoformat(day) for _, day in placed["entries"]]
    sign_in(page, DEMO["coach"])

    visit(page, f"/enrollments/{eid}/logs", "logs-sign-several")
    assert page.get_by_role("heading", name="Sign several at once").is_visible()
    assert page.get_by_role("button", name="Sign all 5 entries waiting for you").is_visible()
    monday = dates[0] - timedelta(days=dates[0].weekday())
    week = [d for d in dates if d - timedelta(days=d.weekday()) == monday]
    label = f"Sign the {len(week)} entries of the week of {monday.day} {monday:%B}"
    submit(page, page.get_by_role("button", name=label), "logs-week-signed")
    assert_flash(page, f"Signed {len(week)} entries of {dates[0].day} {dates[0]:%B %Y}.")
    assert page.locator("li", has_text="Awaiting Colin Baker").count() == 5 - len(week)

    rest = 5 - len(week)
    visit(page, "/inbox?tab=logs", "inbox-sign-batches")
    button = page.get_by_role("button", name=f"Sign all {rest} of {name}’s logs")
    assert button.is_visible()
    submit(page, button, "inbox-batch-signed")
    assert page.get_by_text(re.compile(f"^{name}: Signed {rest} entries from ")).is_visible()
    assert page.get_by_role("button", name=f"Sign all {rest} of {name}’s logs").count() == 0
    assert page.locator("li.queue-item", has_text=name).count() == 0

    visit(page, f"/enrollments/{eid}/logs", "logs-all-signed")
    assert page.get_by_text("Awaiting Colin Baker").count() == 0
    assert page.get_by_text("Signed by Colin Baker").count() == 5
    assert page.get_by_role("heading", name="Sign several at once").count() == 0


def test_the_coach_chooses_one_email_each_and_goes_back_to_the_daily_digest(page: Any, live_server: Any) -> None:
    name = f"Rosa Digest {uuid.uuid4().hex[:4]}"
    placed = _place(live_server, name)
    coach = DEMO["coach"]
    assert _mail_about(live_server, coach, name) == []  # five logs to sign, held for the daily digest

    sign_in(page, coach)
    visit(page, "/auth/notifications", "email-settings-default")
    routine = page.get_by_label("Routine items in one email a day, everything else at once (the default)")
    assert routine.is_checked()
    assert page.get_by_text("Routine items are logs to sign").is_visible()
    page.get_by_label("One email for each item, as it happens").check()
    submit(page, page.get_by_role("button", name="Save"), "email-settings-each")
    assert_flash(page, "Saved. You get one email for each item, as it happens.")
    assert page.get_by_label("One email for each item, as it happens").is_checked()
    try:
        _run(live_server, "-", "-", coach, str(placed["enrollment_id"]), "3")
        [subject] = _mail_about(live_server, coach, name)
        assert subject.startswith(f"Please sign {name}’s professional learning log of ")
    finally:
        visit(page, "/auth/notifications", "email-settings-back")
        page.get_by_label("Routine items in one email a day, everything else at once (the default)").check()
        submit(page, page.get_by_role("button", name="Save"), "email-settings-routine")
    assert_flash(page, "Saved. Logs to sign come once a day, in one digest; everything else comes at once.")
    check_page(page, "email-settings-saved")
    _run(live_server, "-", "-", coach, str(placed["enrollment_id"]), "4")
    assert len(_mail_about(live_server, coach, name)) == 1  # the new one waits for the digest
