"""Journeys through today's pages with the demo data, in real Chromium at phone and desktop sizes.

Every page a journey lands on goes through visit()/submit()/check_page(): status, no sideways scroll, every
control on screen, a screenshot in test-artifacts/<size>-<name>.png, and axe with no serious or critical
violation. The journeys share one seeded server, so each writes entries it can tell apart (a token per
run) and compares totals before and after rather than against fixed numbers.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    ask_for_step_as_a_stale_page_would,
    check_page,
    demo_enrollment_id,
    enrollment_path,
    pdf_bytes,
    place,
    section_link,
    sign_in,
    sign_out,
    submit,
    unique_token,
    visit,
)

pytestmark = pytest.mark.browser


def _total(page: Any, words: str) -> float:
    """The signed total on the logs page for the requirement whose text contains `words` (opening the
    totals' fold, as a person would)."""
    fold = page.locator("section[aria-labelledby=totals-heading] details")
    if not fold.evaluate("d => d.open"):
        fold.locator("summary").click()
    line = page.locator("section[aria-labelledby=totals-heading] li", has_text=words).first.inner_text()
    match = re.match(r"\s*([\d.]+) of", line)
    assert match, f"no total in {line!r}"
    return float(match.group(1))


def test_signed_out_pages_sign_in_and_password_reset(page: Any) -> None:
    response = visit(page, "/", "sign-in")
    assert "/auth/sign-in" in page.url and response.request.redirected_from is not None  # sent to sign in

    page.get_by_label("Email").fill(DEMO["pip"])
    page.get_by_label("Password").fill("not the password")
    submit(page, page.get_by_role("button", name="Sign in"), "sign-in-wrong-password", status=401)
    assert page.get_by_text("That email and password do not match an account.").is_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"

    submit(page, page.get_by_role("link", name="Forgot your password?"), "reset-request")
    submit(page, page.get_by_role("button", name="Email me a reset link"), "reset-request-empty",
           status=400)
    assert page.locator(".field-error").count() == 1
    page.get_by_label("Email").fill(DEMO["pip"])
    submit(page, page.get_by_role("button", name="Email me a reset link"), "reset-requested")
    assert "/auth/sign-in" in page.url
    assert page.get_by_text("a reset link is on its way").is_visible()

    visit(page, "/auth/reset/not-a-real-token", "reset-bad-link", status=400)


def test_a_pip_teacher_sees_what_is_missing_and_uploads_evidence(page: Any, live_server: LiveServer) -> None:
    # A PIP teacher of her own at the demo's stage: the demo's Paula has her intern-ready documents
    # verified (so her sign-offs could be asked for), and this journey needs one still missing.
    name = f"Paz Iglesias {unique_token(page)}"
    _, email = place(live_server, "pip-plan-established", name)
    sign_in(page, email)
    visit(page, "/", "home-candidate")
    assert page.get_by_role("heading", name=f"Welcome, {name}").is_visible()
    dashboard = enrollment_path(page, "Sequoia Valley PIP Support")
    enrollment_id = int(dashboard.rsplit("/", 1)[1])

    visit(page, dashboard, "dashboard-pip")
    submit(page, page.get_by_role("link", name="See the full checklist"), "checklist-pip-teacher")
    step = page.locator(".step-option", has_text="Declare intern-credential ready")
    assert step.get_by_text(re.compile(r"Still missing \(\d+\)")).is_visible()
    upload_link = page.get_by_role("link", name="Upload Certificate of Clearance (CL-900)")
    missing = step.locator("ul.missing > li").filter(has=upload_link)
    # The analyst's sign-off says what it waits for: the documents it covers, verified.
    signoff = step.locator("ul.missing > li", has_text="Your credential analyst signs off that you are intern-ready")
    assert signoff.get_by_text(re.compile(r"Waiting for .*certificate of clearance.* to be verified", re.IGNORECASE)).count() == 1
    assert missing.get_by_text("Who: Credential analyst").is_visible()
    assert page.locator(".req", has_text="Certificate of Clearance").locator(".badge").text_content().strip() == "Missing"

    # The "Upload" link next to a missing document opens the form with that requirement chosen.
    submit(page, missing.get_by_role("link", name="Upload Certificate of Clearance (CL-900)"), "dashboard-upload")
    assert page.get_by_label("Which requirement").input_value() == "clearance"
    token = unique_token(page)
    page.get_by_label("File").set_input_files(
        {"name": f"clearance-{token}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(token)})
    submit(page, page.locator("#upload").get_by_role("button", name="Upload"), "evidence-uploaded")
    assert page.get_by_text(re.compile(r"Uploaded Certificate of Clearance \(CL-900\) \(version \d+\)")).is_visible()
    assert page.locator("#evidence").get_by_role("link", name=f"clearance-{token}.pdf").is_visible()
    assert page.locator("#evidence li", has_text="Certificate of Clearance").locator(".badge").first.inner_text() == "Submitted"

    # A file that is not what it claims to be is refused with the reason, on the same page.
    page.get_by_label("File").set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some text, not a PDF"})
    submit(page, page.locator("#upload").get_by_role("button", name="Upload"), "evidence-refused", status=400)
    assert page.get_by_role("alert").get_by_text("The document was not uploaded.").is_visible()

    # Asking for a step that is still blocked says every reason.
    ask_for_step_as_a_stale_page_would(page, live_server, enrollment_id, "declare_intern_ready", "step-blocked",
                                       status=422)
    alert = page.get_by_role("alert")
    assert alert.get_by_role("heading", name=re.compile("not possible yet")).is_visible()
    assert alert.locator("li").count() >= 2
    assert alert.get_by_text("Your credential analyst signs off that you are intern-ready.").is_visible()

    visit(page, f"{dashboard}/logs", "logs-pip")
    sign_out(page)


@pytest.mark.parametrize(("candidate", "signer", "program", "kind", "total"), [
    ("induction", "mentor", "Tulare Teacher Induction", "Mentoring", "mentoring hours"),
    ("casc", "coach", "Butte CASC Induction", "Professional learning", "professional-learning hours logged for Year 1"),
], ids=["induction-mentor", "casc-coach"])
def test_a_candidate_logs_support_and_their_mentor_or_coach_signs_it(
        page: Any, candidate: str, signer: str, program: str, kind: str, total: str) -> None:
    sign_in(page, DEMO[candidate])
    dashboard = enrollment_path(page, program)
    visit(page, dashboard, f"dashboard-{candidate}")
    submit(page, section_link(page, "Logs"), f"logs-{candidate}")
    before = _total(page, total)

    note = f"Observed a lesson and planned the next one ({unique_token(page)})."
    page.get_by_label("What", exact=True).select_option(label=kind)
    page.get_by_label("Hours", exact=True).fill("1.5")
    signers = page.get_by_label("Who will sign it", exact=True)
    assert signers.locator("option:checked").inner_text().endswith(f"({signer})")
    page.get_by_label("Notes", exact=True).fill(note)
    submit(page, page.get_by_role("button", name="Add to the log"), f"log-added-{candidate}")
    assert page.get_by_text("Logged. It counts once it is signed.").is_visible()
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text(re.compile("^Awaiting ")).is_visible()
    assert entry.get_by_role("button").count() == 0  # the candidate cannot sign their own entry
    assert _total(page, total) == before  # unsigned entries do not count
    sign_out(page)

    sign_in(page, DEMO[signer])
    visit(page, "/", f"home-{signer}")
    visit(page, dashboard, f"dashboard-{candidate}-as-{signer}")
    submit(page, section_link(page, "Logs"), f"logs-{candidate}-as-{signer}")
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text(note).is_visible()  # the mentor or coach reads the confidential notes
    submit(page, entry.get_by_role("button", name=re.compile("^Sign this entry")), f"log-signed-{candidate}")
    assert page.get_by_text("Signed.", exact=True).is_visible()
    entry = page.locator("section[aria-labelledby=entries-heading] li", has_text=note)
    assert entry.get_by_text(re.compile("^Signed by ")).is_visible()
    assert _total(page, total) == pytest.approx(before + 1.5)
    sign_out(page)


def test_the_service_administrator_sees_the_background_jobs(page: Any) -> None:
    sign_in(page, DEMO["admin"])
    visit(page, "/", "home-admin")
    submit(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Background jobs"),
           "admin-jobs")
    assert page.get_by_role("heading", name="Background jobs", level=1).is_visible()
    assert page.get_by_role("heading", name=re.compile(r"^Outbox messages that failed \(\d+\)")).is_visible()


def test_error_pages_say_what_went_wrong_and_where_to_go(page: Any, live_server: LiveServer) -> None:
    visit(page, "/no-such-page", "not-found-signed-out", status=404)
    assert page.get_by_role("heading", name="Page not found").is_visible()

    sign_in(page, DEMO["pip"])
    visit(page, "/no-such-page", "not-found", status=404)
    # Someone else's enrolment is "not found", exactly like one that does not exist: nothing leaks.
    visit(page, f"/enrollments/{demo_enrollment_id(live_server, 'casc')}", "not-found-enrollment", status=404)
    visit(page, "/enrollments/999999", "not-found-no-enrollment", status=404)
    visit(page, "/admin/jobs", "forbidden", status=403)
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    submit(page, page.get_by_role("link", name="Go to your home page"), "home-after-error")


def test_the_checks_catch_a_broken_page(page: Any) -> None:
    """The harness itself: each check fails on a page that breaks it."""
    head = '<!doctype html><html lang="en"><head><title>Broken</title></head>'
    page.set_content(f'{head}<body><main><h1>Broken</h1><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match=r"(?s)serious or critical.*image-alt.*img"):
        check_page(page, "harness-selftest-image")
    page.set_content(f'{head}<body><main><h1>Wide</h1><p style="width: 1500px">wide</p></main></body></html>')
    with pytest.raises(AssertionError, match="scrolls sideways"):
        check_page(page, "harness-selftest-wide")
    page.set_content(f'{head}<body><main><h1>Clipped</h1><div style="overflow: hidden">'
                     '<button style="position: relative; left: 1400px">Far away</button></div></main></body></html>')
    with pytest.raises(AssertionError, match="controls outside the screen.*Far away"):
        check_page(page, "harness-selftest-clipped")
