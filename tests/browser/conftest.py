"""A real server process on a seeded database, headless Chromium to drive it, and the checks every
journey page goes through: status, no horizontal scroll, every control on screen, a screenshot, and axe.

Writing a journey for a new page:

    def test_something(page, live_server):          # `page` runs once at phone size, once at desktop
        sign_in(page, DEMO["mentor"])               # the demo accounts, by short name
        visit(page, "/inbox", "inbox")              # GET + every check; screenshot test-artifacts/<size>-inbox.png
        submit(page, page.get_by_role("button", name="Approve"), "inbox-approved")   # click + every check
        submit(page, ..., "blocked", status=422)   # an expected refusal is checked the same way
        check_page(page, "after-some-script")       # the checks alone, for a page reached another way

Names become file names (test-artifacts/<size>-<name>.png and .axe.json): lowercase with hyphens, and
unique across the suite. Other helpers: demo_enrollment_id(live_server, "casc") for an enrolment's id,
enrollment_path(page, link text) from the home page, pdf_bytes(label) for an upload, sign_out(page),
ask_for_step_as_a_stale_page_would(...) for a refused step, and for keyboard journeys focused(page) and
tab_to(page, "Label") (which asserts a visible focus outline on every control it passes).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import services, today
from tests.app import mail_words

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
DEMO_PASSWORD = "demo-password-2026"
# The demo accounts (app/demo/people.py), by the short names the journeys use.
DEMO = {
    "pip": "pip.teacher@demo.credential-tracker.org",
    "induction": "induction.teacher@demo.credential-tracker.org",
    "casc": "new.admin@demo.credential-tracker.org",
    "mentor": "mentor@demo.credential-tracker.org",
    "coach": "coach@demo.credential-tracker.org",
    "principal": "principal@demo.credential-tracker.org",
    "analyst": "analyst@demo.credential-tracker.org",
    "hr": "hr@demo.credential-tracker.org",
    "intern_program": "intern.program@demo.credential-tracker.org",
    "director": "director@demo.credential-tracker.org",
    "panel": "panel@demo.credential-tracker.org",
    "admin": "admin@demo.credential-tracker.org",
}
# WCAG 2.0/2.1/2.2 at levels A and AA, plus axe's best practices. A journey fails on any violation of
# these impacts; lesser ones are kept in the page's .axe.json artifact for whoever wants to look.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


def chromium_path() -> str | None:
    """Debian's Chromium, if installed; BROWSER_TESTS_CHROMIUM names another binary (or a missing one, to
    see the skip, or under CI=true the failure)."""
    chosen = os.environ.get("BROWSER_TESTS_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


class LiveServer(str):
    """The server's base URL, which also knows where its SQLite database is (for reading state only)."""

    database: Path
    log: Path
    env: dict[str, str]  # the server's environment, for scripts run against its database
    mail_folder: Path  # where the server's folder mail backend writes each email


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """gunicorn serving the app on 127.0.0.1, on a migrated SQLite database with the demo data."""
    with serving(tmp_path_factory.mktemp("live")) as base:
        yield base


@contextmanager
def serving(folder: Path, port: int | None = None, extra_env: dict[str, str] | None = None,
            *, demo: bool = True) -> Iterator[LiveServer]:
    """A live server of its own in `folder` (instance, database, mail, clock file): the session's, or a
    module's whose journeys change what the whole instance sees (the app clock, the daily sweep). A module
    that must know the address beforehand (to register it at an identity provider) chooses the port.
    Without the demo (`demo=False`) it starts as a real install does: migrations and one service
    administrator made with `flask create-user`, and nothing else (tests/browser/district_setup.py)."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("browser journeys run once, in the SQLite lane")
    # PYTHONPATH: the live server installs the suite's own pathway (tests/pathways) too.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "INSTANCE_PATH": str(folder), "SECRET_KEY": "browser-tests",
           "DATABASE_URL": f"sqlite:///{folder / 'live.db'}", "MAIL_FOLDER": str(folder / "mail"),
           "UPLOAD_FOLDER": str(folder / "uploads"), "FLASK_APP": "wsgi",
           # Debug honours the runtime app clock (instance/clock.json), so journeys can move time
           # through `flask clock` or /admin/clock; production refuses to read it.
           "FLASK_DEBUG": "1",
           # The suite's day (tests/today.py), for the server, the seeder and every `flask` command.
           **today.environment(), **(extra_env or {})}
    env.pop("REDIS_URL", None)
    bin_dir = Path(sys.executable).parent
    setup = ["flask", "seed-demo"] if demo else [
        "flask", "create-user", "--email", DEMO["admin"], "--name", "Sam Admin", "--password", DEMO_PASSWORD,
        "--role", "service_administrator"]
    for command in (["alembic", "-c", "pyproject.toml", "upgrade", "head"], setup):
        done = subprocess.run([bin_dir / command[0], *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode:
            raise RuntimeError(f"`{' '.join(command)}` failed:\n{done.stderr[-3000:]}")
    port = port or free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115  the server writes to it until it stops
    # A short graceful timeout: a browser's idle keep-alive connection must not hold the teardown.
    server = subprocess.Popen([bin_dir / "gunicorn", "--workers", "2", "--graceful-timeout", "3",
                               "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = LiveServer(f"http://127.0.0.1:{port}")
    base.database = folder / "live.db"
    base.log = folder / "server.log"
    base.env = env
    base.mail_folder = folder / "mail"
    outer_log = list(_SERVER_LOG)
    _SERVER_LOG[:] = [base.log]
    _MAIL_FOLDERS.append(base.mail_folder)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine; the test's verdict is already in
            server.kill()
            server.wait(timeout=10)
        log.close()
        _SERVER_LOG[:] = outer_log
        _MAIL_FOLDERS.remove(base.mail_folder)


_MAIL_FOLDERS: list[Path] = []  # every running server's outgoing mail, read by `emails_read_well`
_MAIL_READ: set[Path] = set()


@pytest.fixture(autouse=True)
def emails_read_well() -> Iterator[None]:
    """Every email a journey sends reads as the pages do: the same word check, and a clean subject."""
    yield
    found = []
    for folder in _MAIL_FOLDERS:
        for path in sorted(set(folder.glob("*.eml")) - _MAIL_READ):
            _MAIL_READ.add(path)
            found += [f"{path.name}: {problem}" for problem in mail_words.problems(path.read_bytes())]
    assert not found, "emails with raw or broken words:\n" + "\n".join(found)


def _missing(what: str) -> None:
    """Skip the browser tests, saying why; under CI=true they must run, so fail instead."""
    if services.in_ci():
        pytest.fail(f"{what}; CI=true requires the browser tests to run", pytrace=False)
    pytest.skip(f"{what}; the browser tests need it")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package) under Playwright, one per session; contexts are fresh profiles."""
    path = chromium_path()
    if path is None:
        _missing("Chromium is not installed (`apt-get install chromium`; .ci/run installs it)")
    if not AXE.is_file():
        # Committed with the tests; a checkout without it cannot say whether pages are accessible.
        _missing(f"axe-core is missing ({AXE.relative_to(ROOT)}; see tests/browser/vendor/README.md)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    """Each journey runs at phone size (390×844) and at desktop size (1366×768)."""
    return request.param


def new_context(browser: Any, live_server: LiveServer, size: str) -> Any:
    """A fresh browser profile at `size` whose pages' clock shows the suite's day, as the server's does."""
    context = browser.new_context(viewport=SIZES[size], base_url=live_server)
    context.set_default_timeout(10_000)
    context.clock.set_system_time(today.now())
    return context


@pytest.fixture
def page(browser: Any, live_server: LiveServer, size: str) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies) at the test's size; paths are relative to the server."""
    context = new_context(browser, live_server, size)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def person(browser: Any, live_server: LiveServer, size: str) -> Iterator[Any]:
    """Opens more pages at the test's size, each its own browser profile signed in as someone else:
    `mentor = person(DEMO["mentor"])`, so a journey with several people needs no signing out;
    `person(None)` is someone not signed in."""
    contexts = []

    def open_as(email: str | None) -> Any:
        context = new_context(browser, live_server, size)
        contexts.append(context)
        tab = context.new_page()
        if email:
            sign_in(tab, email)
        return tab

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


# --- The checks ------------------------------------------------------------------------------------------

def unique_token(page: Any) -> str:
    """A short token unique to this test run and screen size, for names and emails."""
    return f"{size_name(page)}-{uuid.uuid4().hex[:8]}"


def section_link(page: Any, label: str) -> Any:
    """A link in the enrolment's section bar (Overview, Logs, Plans, Team...)."""
    return page.get_by_role("navigation", name="Enrolment sections").get_by_role("link", name=label, exact=True)


def assert_flash(page: Any, text: str) -> None:
    """The page shows the message `text` (a flash after a form)."""
    assert page.get_by_text(text).first.is_visible(), f"no message {text!r} on {page.url}"


def size_name(page: Any) -> str:
    """"phone" or "desktop", from the page's viewport."""
    width = page.viewport_size["width"]
    return next((name for name, dims in SIZES.items() if dims["width"] == width), f"w{width}")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_no_horizontal_scroll(page: Any) -> bool:
    """Whether the page fits its viewport's width."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# Controls a person can operate, that are rendered (non-zero size) but start or end outside the viewport's
# width: on a phone they could only be reached by scrolling sideways, or not at all. The skip link is
# off-screen on purpose until it has focus. A control in a strip that scrolls sideways by itself (the
# enrolment's sections on a phone) is reached by swiping the strip, and focus scrolls it into view.
_OFF_SCREEN_CONTROLS = """() => {
  const width = document.documentElement.clientWidth;
  const inStrip = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX) && p.scrollWidth > p.clientWidth) {
      const box = p.getBoundingClientRect();
      return box.left >= -1 && box.right <= width + 1;
    } } return false; };
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
                 + '[tabindex]:not([tabindex="-1"])';
  return [...document.querySelectorAll(selector)]
    .filter(el => !el.classList.contains('skip-link') && !inStrip(el))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden')
    .filter(([el, r]) => r.left < -1 || r.right > width + 1)
    .map(([el, r]) => `${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}"`
                      + ` at ${Math.round(r.left)}..${Math.round(r.right)}`);
}"""


# The innermost elements whose right edge passes the viewport's: what makes a page scroll sideways.
_WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1
      && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1));
  return wide.slice(0, 5).map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${(e.textContent || '').trim().slice(0, 60)}`);
}"""


def assert_fits_the_screen(page: Any, name: str = "") -> None:
    """No horizontal scrolling, and every rendered control lies within the viewport's width."""
    assert has_no_horizontal_scroll(page), (
        f"{name}: the page scrolls sideways at {size_name(page)} size "
        f"(scrollWidth {page.evaluate('document.documentElement.scrollWidth')} > "
        f"{page.evaluate('document.documentElement.clientWidth')}); too wide: {page.evaluate(_WIDE_ELEMENTS)}")
    outside = page.evaluate(_OFF_SCREEN_CONTROLS)
    assert not outside, f"{name}: controls outside the screen at {size_name(page)} size: {outside}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (vendored, injected into the page) with AXE_TAGS; every violation, of any impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools rather than added as a <script> tag: the app's CSP refuses inline
        # scripts (as it should), and DevTools evaluation is not subject to it.
        page.evaluate(AXE.read_text())
    results = page.evaluate("""async (tags) => {
      const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, impact: n.impact, summary: n.failureSummary}))}));
    }""", AXE_TAGS)
    return results


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violation (impact, rule, help), then one per element: its selector and what is wrong."""
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            why = (node["summary"] or "").strip().splitlines()[-1:] or [""]
            lines.append(f"    {' '.join(map(str, node['target']))}: {why[0].strip()}")
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    """axe finds no serious or critical violation; all findings go to test-artifacts/<name>.axe.json."""
    violations = axe_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps({"url": page.url, "violations": violations}, indent=1))
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (f"{name} ({page.url}): axe found serious or critical violations:\n"
                          f"{format_violations(blocking)}")


def check_page(page: Any, name: str) -> None:
    """The checks every journey page goes through, whichever way it was reached."""
    label = f"{size_name(page)}-{name}"
    assert re.fullmatch(r"[a-z0-9-]+", name), f"page names become file names: {name!r}"
    page.wait_for_load_state("load")
    assert_fits_the_screen(page, label)
    screenshot(page, label)
    assert_accessible(page, label)


_SERVER_LOG: list[Path] = []  # the live server's log, for showing a crash's traceback


def _assert_status(response: Any, status: int | None, what: str) -> None:
    assert response is not None, f"{what}: no response"
    if response.status >= 500 and status != response.status and _SERVER_LOG:
        tail = _SERVER_LOG[0].read_text(errors="replace")[-4000:]
        raise AssertionError(f"{what}: HTTP {response.status} at {response.url}; the server's log ends:\n{tail}")
    if status is None:
        assert response.status < 400, f"{what}: HTTP {response.status} at {response.url}"
    else:
        assert response.status == status, f"{what}: HTTP {response.status}, expected {status}, at {response.url}"


def visit(page: Any, path: str, name: str, *, status: int | None = None) -> Any:
    """Go to a path; the response must be below 400 (or exactly `status`); then check_page. The response."""
    response = page.goto(path)
    _assert_status(response, status, name)
    check_page(page, name)
    return response


def submit(page: Any, control: Any, name: str, *, status: int | None = None) -> Any:
    """Click a control (a form's button, a link) that loads a page; then as visit. The response."""
    with page.expect_navigation() as navigation:
        control.click()
    response = navigation.value
    _assert_status(response, status, name)
    check_page(page, name)
    return response


def sign_in(page: Any, email: str, *, check_as: str | None = None) -> None:
    """Sign in through the form (checking the sign-in page once, as `check_as`, when given)."""
    page.goto("/auth/sign-in")
    if check_as:
        check_page(page, check_as)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    _assert_status(navigation.value, None, f"signing in as {email}")
    assert "/auth/sign-in" not in page.url, f"signing in as {email} did not work"


def sign_out(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert "/auth/sign-in" in page.url


def enrollment_path(page: Any, link_text: str) -> str:
    """The path of the enrolment dashboard linked from the home page as `link_text`."""
    page.goto("/")
    href = page.get_by_role("link", name=link_text, exact=True).first.get_attribute("href")
    assert href and re.fullmatch(r"/enrollments/\d+", href), f"no enrolment link {link_text!r} on the home page"
    return href


def enrollment_version(live_server: LiveServer, enrollment_id: int) -> int:
    """The enrolment's current optimistic-lock version, read straight from the live database."""
    with closing(sqlite3.connect(live_server.database)) as db:
        row = db.execute("SELECT version_id FROM enrollment WHERE id = ?", (enrollment_id,)).fetchone()
    assert row is not None, f"no enrolment {enrollment_id}"
    return int(row[0])


def demo_enrollment_id(live_server: LiveServer, who: str) -> int:
    """The id of the demo candidate's (DEMO[who]'s) first enrolment, from the live database."""
    with closing(sqlite3.connect(live_server.database)) as db:
        row = db.execute('SELECT e.id FROM enrollment e JOIN "user" u ON u.id = e.candidate_id '
                         "WHERE u.email = ? ORDER BY e.id", (DEMO[who],)).fetchone()
    assert row is not None, f"{who} has no enrolment"
    return int(row[0])


def ask_for_step_as_a_stale_page_would(page: Any, live_server: LiveServer, enrollment_id: int, event: str,
                                        name: str, *, status: int) -> Any:
    """Post the dashboard's step form for `event` from the open page, as a page rendered when the step
    looked possible would (a second tab, a page left open): the dashboard hides the button for a
    blocked step, so this is the only way a person meets the refusal. Checked as submit() does."""
    version = enrollment_version(live_server, enrollment_id)
    page.evaluate("""([action, version]) => {
      const form = document.createElement('form');
      form.method = 'post'; form.action = action;
      const token = document.querySelector('input[name=csrf_token]').value;
      for (const [name, value] of [['csrf_token', token], ['version', version]]) {
        const input = document.createElement('input');
        input.type = 'hidden'; input.name = name; input.value = value; form.append(input);
      }
      const button = document.createElement('button');
      button.type = 'submit'; button.id = 'stale-step'; button.textContent = 'Ask for this step';
      form.append(button); document.querySelector('main').append(form);
    }""", [f"/enrollments/{enrollment_id}/steps/{event}", str(version)])
    return submit(page, page.locator("#stale-step"), name, status=status)


def place(live_server: LiveServer, stage: str, name: str) -> tuple[int, str]:
    """A new candidate called `name`, placed at `stage` (tests/browser/states.py) on the live database:
    (enrolment id, email). For journeys that move a candidate along, so no two runs share one."""
    email = f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}@journeys.example.org"
    done = subprocess.run([sys.executable, "-m", "tests.browser.states", stage, email, name], cwd=ROOT,
                          env=live_server.env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"placing {name} at {stage} failed:\n{done.stderr[-3000:]}")
    placed = json.loads(done.stdout.strip().splitlines()[-1])
    return int(placed["enrollment_id"]), str(placed["email"])


def newest_mail(live_server: LiveServer, to: str, containing: str) -> str:
    """The text of the newest email the server wrote to `to` whose text contains `containing`."""
    from email import policy as email_policy
    from email.parser import BytesParser

    found = []
    for path in live_server.mail_folder.glob("*.eml"):
        message = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        if to.lower() in str(message["To"]).lower() and containing in text:
            found.append((path.stat().st_mtime, text))
    assert found, f"no email to {to} mentioning {containing!r} in {live_server.mail_folder}"
    return max(found)[1]


def pdf_bytes(label: str) -> bytes:
    """A small PDF that passes the upload's content check (as the demo data's); labels give distinct hashes."""
    from app.demo.walker import pdf_bytes as demo_pdf

    return demo_pdf(label)


# --- The keyboard ----------------------------------------------------------------------------------------

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
          name: (el.getAttribute('aria-label') || el.innerText || el.value || el.id || '').replace(/\\s+/g, ' ').trim(),
          label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          focusVisible: el.matches(':focus-visible')};
}"""


def focused(page: Any) -> dict[str, Any] | None:
    """What has keyboard focus: tag, id, accessible-ish name, its label, and whether an outline shows."""
    return page.evaluate(_FOCUSED)


def tab_to(page: Any, matches: str, *, backwards: bool = False, limit: int = 60) -> dict[str, Any]:
    """Press Tab (Shift+Tab when backwards) until the focused control's name or label starts with `matches`.
    Every control passed on the way must show a visible focus outline."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        here = focused(page)
        if here is None:
            continue
        assert here["outline"], f"no visible focus outline on {here}"
        if here["name"].startswith(matches) or here["label"].startswith(matches):
            return here
    raise AssertionError(f"{key} never reached {matches!r} in {limit} presses")
