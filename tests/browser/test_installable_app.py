"""The installable app: a valid manifest whose icons load, a service worker that controls the site, and a
log entry written with the network switched off that arrives exactly once when the connection returns."""

from __future__ import annotations

import re
import sqlite3
import struct
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    check_page,
    demo_enrollment_id,
    new_context,
    screenshot,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh profile at phone size: the app is installed from a phone."""
    context = new_context(browser, live_server, "phone")
    try:
        yield context.new_page()
    finally:
        context.close()


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", body[16:24])


def _entries_with(live_server: LiveServer, notes: str) -> int:
    with closing(sqlite3.connect(live_server.database)) as db:
        return int(db.execute("SELECT count(*) FROM log_entry WHERE notes = ?", (notes,)).fetchone()[0])


def _service_worker_ready(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => navigator.serviceWorker.ready.then(r => ({
        state: r.active && r.active.state, scope: r.scope, controlled: !!navigator.serviceWorker.controller}))""")


def test_the_manifest_is_valid_and_every_icon_loads(phone: Any, live_server: LiveServer) -> None:
    visit(phone, "/auth/sign-in", "installable-sign-in")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    response = phone.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Credential Tracker" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = set()
    for icon in manifest["icons"]:
        got = phone.request.get(icon["src"])
        assert got.status == 200, icon["src"]
        assert got.headers["content-type"].startswith(icon["type"]), icon
        if icon["type"] == "image/png":
            width, height = _png_size(got.body())
            assert f"{width}x{height}" == icon["sizes"], icon
            sizes.add((width, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes
    csp = response.headers["content-security-policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp


def test_the_service_worker_controls_the_site_from_the_root(phone: Any, live_server: LiveServer) -> None:
    sign_in(phone, DEMO["casc"])
    worker = phone.request.get("/service-worker.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "no-cache" in worker.headers["cache-control"]
    visit(phone, "/", "installable-home")
    ready = _service_worker_ready(phone)
    assert ready["state"] == "activated" and ready["scope"] == f"{live_server}/", ready
    phone.reload()  # the first page was loaded before the worker existed; every page after is its
    assert _service_worker_ready(phone)["controlled"]


def test_a_log_entry_written_offline_arrives_once_when_the_connection_returns(phone: Any, live_server: LiveServer) -> None:
    sign_in(phone, DEMO["casc"])
    logs = f"/enrollments/{demo_enrollment_id(live_server, 'casc')}/logs"
    phone.goto(logs)
    assert _service_worker_ready(phone)["state"] == "activated"
    notes = f"Workshop on the bell schedule, written offline ({uuid.uuid4().hex[:8]})."
    context = phone.context

    context.set_offline(True)
    assert phone.evaluate("navigator.onLine") is False
    outbox = phone.locator("[data-offline-outbox]:not([hidden])")
    assert outbox.get_by_text("You are offline").is_visible()
    form = phone.locator("form[data-offline-queue]")
    form.get_by_label("What", exact=True).select_option("professional_learning")  # any number a week
    form.get_by_label("Hours", exact=True).fill("2")
    form.get_by_label("Notes", exact=True).fill(notes)
    form.get_by_role("button", name="Add to the log").click()  # no page load: kept on the phone
    waiting = outbox.locator(".outbox-item", has_text="Professional learning")
    assert waiting.get_by_text("Waiting to be sent").is_visible()
    assert "2 hours" in waiting.inner_text()
    assert form.get_by_label("Notes", exact=True).input_value() == "", "the form is ready for the next entry"
    check_page(phone, "installable-log-waiting")
    kept = phone.evaluate("JSON.parse(localStorage.getItem('credential-tracker.outbox.v1'))")
    assert len(kept) == 1 and kept[0]["state"] == "waiting"
    assert dict(kept[0]["fields"])["idempotency_token"] == kept[0]["id"]  # the dedupe key goes with it
    assert _entries_with(live_server, notes) == 0, "nothing reached the server while offline"

    # Another page opened while offline (a second tab): the worker answers with the offline page, which
    # shows the entry waiting on this device.
    other = context.new_page()
    other.goto("/")
    assert other.get_by_role("heading", name="You are offline").is_visible()
    assert other.get_by_text("Waiting to be sent").is_visible()
    check_page(other, "installable-offline")
    other.close()

    context.set_offline(False)  # the page hears the connection come back and sends what waited
    sent = phone.locator("[data-offline-outbox] .outbox-item", has_text="Professional learning")
    sent.locator(".outbox-state", has_text=re.compile("^(Sent at|Not saved)")).wait_for(timeout=30_000)
    assert sent.locator(".outbox-state").inner_text().startswith("Sent at"), sent.inner_text()
    assert _entries_with(live_server, notes) == 1
    receipt = phone.evaluate("JSON.parse(localStorage.getItem('credential-tracker.outbox.v1'))")[0]
    assert receipt["state"] == "sent" and "fields" not in receipt, "once sent, the phone keeps no notes"

    # The same entry sent again (a second tab, a retry after a lost answer) is recognised: still one.
    status = phone.evaluate("""async ([page, fields]) => {
      const html = await (await fetch(page)).text();
      const csrf = new DOMParser().parseFromString(html, 'text/html').querySelector('input[name=csrf_token]').value;
      const body = new FormData();
      for (const [name, value] of fields) body.append(name, name === 'csrf_token' ? csrf : value);
      return (await fetch(page, {method: 'POST', body})).status;
    }""", [logs, kept[0]["fields"]])
    assert status == 200
    assert _entries_with(live_server, notes) == 1
    phone.goto(logs)
    assert phone.locator("section[aria-labelledby=entries-heading] li", has_text=notes).count() == 1
    screenshot(phone, "phone-installable-log-sent")


def test_a_log_page_opened_without_a_connection_still_takes_an_entry(phone: Any, live_server: LiveServer) -> None:
    """The phone had the log open once; later, with no signal, the same address shows the offline page with
    the log form as it was, and what is written there arrives once the connection returns."""
    sign_in(phone, DEMO["casc"])
    logs = f"/enrollments/{demo_enrollment_id(live_server, 'casc')}/logs"
    phone.goto(logs)
    assert _service_worker_ready(phone)["state"] == "activated"
    phone.reload()  # now under the worker, as every later visit is
    notes = f"Reading group on school culture, with no signal ({uuid.uuid4().hex[:8]})."

    phone.context.set_offline(True)
    phone.goto(logs)
    assert phone.get_by_role("heading", name="You are offline").is_visible()
    form = phone.locator("[data-offline-form] form[data-offline-queue]")
    form.get_by_label("What", exact=True).select_option("professional_learning")
    form.get_by_label("Hours", exact=True).fill("1.5")
    form.get_by_label("Notes", exact=True).fill(notes)
    form.get_by_role("button", name="Add to the log").click()
    assert phone.locator(".outbox-item", has_text="1.5 hours").get_by_text("Waiting to be sent").is_visible()
    check_page(phone, "installable-offline-form")
    assert _entries_with(live_server, notes) == 0

    with phone.expect_navigation():
        phone.context.set_offline(False)  # the offline page loads the real page, which sends the entry
    item = phone.locator(".outbox-item", has_text="1.5 hours")
    # Three requests on a busy machine (a fresh CSRF token, the post, the page it leads to): wait up to 30 s.
    item.locator(".outbox-state", has_text=re.compile("^(Sent at|Not saved)")).wait_for(timeout=30_000)
    assert item.locator(".outbox-state").inner_text().startswith("Sent at"), item.inner_text()
    assert _entries_with(live_server, notes) == 1
    phone.reload()  # another visit sends nothing again
    assert phone.locator("section[aria-labelledby=entries-heading] li", has_text=notes).count() == 1
    assert _entries_with(live_server, notes) == 1

