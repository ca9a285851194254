"""The approver's one queue in the browser: its counts agree everywhere (navigation badge, heading,
tabs), and the mentor signs a log and verifies a document from it, after reading its preview (the
first page drawn as an image, the text to read) on the phone.

Each run (phone, desktop) places a candidate of its own with the demo mentor, one unsigned
mentoring log naming her and an ILP waiting for her verification, so the two runs never share work.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from typing import Any

import pytest

from tests.browser.conftest import DEMO, ROOT, check_page, sign_in, submit, visit

pytestmark = pytest.mark.browser

# Run in the live server's environment: place the candidate, give them the demo mentor, and leave
# the mentor a log to sign and a document to verify (as the candidate would, through the services).
_SETUP = """
import json, sys
from datetime import timedelta
from sqlmodel import Session
from app import clock, create_app
from app.db import engine
from app.models import Enrollment, Membership, User
from app.services.evidence import filing, logs
from app import outbox
from app.services.team import accounts
from tests.browser.states import place
from app.services.evidence.pdf_document import Document, Section, render
from app.models import utcnow

with create_app().app_context():
    placed = place("induction-waiting-for-mentor", sys.argv[1], sys.argv[2])
    with Session(engine(), expire_on_commit=False) as session:
        enrollment = session.get(Enrollment, placed["enrollment_id"])
        candidate = session.get(User, enrollment.candidate_id)
        mentor = accounts.find_by_email(session, sys.argv[3])
        session.add(Membership(user_id=mentor.id, role="mentor", enrollment_id=enrollment.id))
        session.flush()
        today = clock.today()
        entry = logs.add(session, enrollment, candidate, kind="mentoring", occurred_on=today - timedelta(days=2),
                         hours=1.5, notes="Planned a lesson together.", signer=mentor, today=today)
        # A real PDF (the demo's placeholder bytes pass the upload check but no viewer can draw them).
        written = Document(f"Individual Learning Plan: {sys.argv[2]}", utcnow(), facts=(("Mentor", "Trần Văn Lễ"),),
                           sections=(Section("Goals", ("Goal 1: CSTP 1, engaging all students.",)),))
        document = filing.submit(session, enrollment, "ilp", "ilp.pdf", render(written), candidate)
        outbox.commit(session)
        print(json.dumps({"enrollment_id": enrollment.id, "log_id": entry.id, "evidence_id": document.id}))
"""


def _place_work(live_server: Any, name: str) -> dict[str, int]:
    email = f"queue.{uuid.uuid4().hex[:8]}@journeys.example.org"
    done = subprocess.run([sys.executable, "-c", _SETUP, email, name, DEMO["mentor"]], check=False, cwd=ROOT,
                          env=live_server.env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"placing {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _counts(page: Any) -> dict[str, int]:
    """The navigation badge, the heading and every tab's count, as shown."""
    found = {}
    for element in page.locator("[data-count]").all():
        found[element.get_attribute("data-count")] = int(element.text_content().strip())
    badge = page.get_by_role("navigation", name="Main").locator(".count")
    found["badge"] = int(badge.inner_text()) if badge.count() else 0
    return found


def _agree(counts: dict[str, int]) -> None:
    assert counts["badge"] == counts["heading"] == counts["all"], counts
    assert counts["all"] == counts["signoffs"] + counts["logs"] + counts["documents"], counts


def test_the_mentor_signs_a_log_and_verifies_a_document_from_the_queue(page: Any, live_server: Any,
                                                                       size: str) -> None:
    name = f"Quinn {size.title()}"
    placed = _place_work(live_server, name)
    sign_in(page, DEMO["mentor"])
    visit(page, "/inbox", "approver-queue")
    before = _counts(page)
    _agree(before)
    assert before["logs"] >= 1 and before["documents"] >= 1
    # The work shows on the default tab, and the filters are folded away.
    filters = page.locator("details.inbox-filter-box")
    assert filters.get_attribute("open") is None and not page.get_by_label("Pathway").is_visible()
    assert "SHA-256" not in page.content()

    log = page.locator("li.queue-item", has_text=f"Sign {name}’s mentoring log")
    assert log.count() == 1
    submit(page, log.get_by_role("button", name=re.compile("^Sign this log")), "approver-queue-log-signed")
    assert page.get_by_text(re.compile(f"^Signed {name}’s log of ")).is_visible()
    assert page.locator("li.queue-item", has_text=f"Sign {name}’s mentoring log").count() == 0
    middle = _counts(page)
    _agree(middle)
    assert middle["all"] == before["all"] - 1 and middle["logs"] == before["logs"] - 1

    document = page.locator("li.queue-item", has_text=f"Verify {name}’s")
    assert document.count() == 1
    # The first page, drawn on the server, shows in the queue as a thumbnail (no dark empty frame on a
    # phone); the preview, a tap away, draws it at the phone's width.
    preview_url = f"/inbox/enrollments/{placed['enrollment_id']}/evidence/{placed['evidence_id']}/preview"
    first_page = document.locator("img").first
    assert first_page.get_attribute("src") == f"{preview_url}/1.png"
    document.scroll_into_view_if_needed()
    first_page.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_page.element_handle())
    box = first_page.bounding_box()
    assert box is not None and box["width"] >= 96 and box["height"] >= 128, box
    check_page(page, "approver-queue-document")
    # The preview: the page as an image at the phone's width, and its words to read.
    submit(page, document.get_by_role("link", name=re.compile("^Preview and read the text")), "document-preview")
    drawn = page.locator(".document-preview img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=drawn.element_handle())
    width = page.evaluate("document.documentElement.clientWidth")
    assert drawn.bounding_box()["width"] >= width * 0.75
    page.get_by_text("Read the text").click()
    words = page.locator(".document-words")
    assert words.is_visible()
    text = " ".join(words.inner_text().split())
    assert f"Individual Learning Plan: {name}" in text and "Trần Văn Lễ" in text
    assert "Goal 1: CSTP 1, engaging all students." in text
    check_page(page, "document-preview-text")
    assert page.get_by_role("link", name=re.compile("^Open the whole document")).is_visible()
    visit(page, "/inbox", "approver-queue-back")
    document = page.locator("li.queue-item", has_text=f"Verify {name}’s")
    submit(page, document.get_by_role("button", name=re.compile("^Verify")), "approver-queue-document-verified")
    assert page.get_by_text(re.compile(f"^Verified {name}’s ")).is_visible()
    assert page.locator("li.queue-item", has_text=f"Verify {name}’s").count() == 0
    after = _counts(page)
    _agree(after)
    assert after["all"] == before["all"] - 2 and after["documents"] == before["documents"] - 1

    # Each kind's tab holds what its count says (on its first page).
    visit(page, "/inbox?tab=logs", "approver-queue-logs")
    assert page.locator("li.queue-item").count() == min(after["logs"], 50)
