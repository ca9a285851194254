"""In real Chromium, under the app's Content-Security-Policy: pages refuse nothing of their own, meters still
fill (their widths come from classes, not inline styles), the export's nonce'd style applies, and the app
will not be framed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO, LiveServer, check_page, demo_enrollment_id, sign_in, visit

pytestmark = pytest.mark.browser


def csp_refusals(page: Any) -> list[str]:
    """Collects every CSP refusal Chromium reports on this page from now on."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def test_pages_break_no_rule_of_their_own_csp_and_meters_still_fill(page: Any, live_server: LiveServer) -> None:
    refused = csp_refusals(page)
    sign_in(page, DEMO["pip"])
    enrollment = demo_enrollment_id(live_server, "pip")
    visit(page, f"/enrollments/{enrollment}", "csp-dashboard")
    fill = page.locator(".meter > span").first
    assert fill.evaluate("el => parseFloat(getComputedStyle(el).width)") >= 0
    assert fill.get_attribute("class", timeout=2000).startswith("fill-")
    visit(page, f"/enrollments/{enrollment}/logs", "csp-logs")
    response = page.goto(f"/enrollments/{enrollment}/export/summary")
    assert response.status == 200
    # The export's own <style> applied (the nonce matched): its h2 rule draws a border.
    assert page.locator("h2").first.evaluate("el => getComputedStyle(el).borderBottomStyle") == "solid"
    check_page(page, "csp-export-summary")
    assert refused == []


def test_another_site_cannot_frame_the_app(page: Any, live_server: LiveServer) -> None:
    refused = csp_refusals(page)
    # set_content returns once the page and its frame have loaded (a refused frame loads an error page).
    page.set_content(f'<iframe id="framed" src="{live_server}/auth/sign-in"></iframe>')
    assert page.frame_locator("#framed").locator("form").count() == 0
    assert any("frame-ancestors 'none'" in text for text in refused), refused
