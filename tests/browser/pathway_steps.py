"""Steps for the complete-pathway journeys (issue 13), each taken in the browser by the person who owns it.

Every helper drives the product's own pages: the candidate signs up and enrols, people join through the
invitation email, documents are uploaded and verified on the enrolment page, dates and numbers go through
the facts page, logs are signed on the logs page, sign-offs are approved from the inbox, and time moves
through the app clock (the service administrator's /admin/clock page, or `flask clock` run against the
live instance). Nothing here writes to the database.

Most steps are quiet (status checked, no screenshot): the journeys call `snap(page, name)` at the key
points, which takes the full checks of conftest.check_page (fits the screen, axe, a screenshot).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import (
    LiveServer,
    _assert_status,
    check_page,
    newest_mail,
    pdf_bytes,
)
from workflows.facts import EvidenceKind

PASSWORD = "a long enough password"
_PREFIX = "complete-"  # screenshots of this module: test-artifacts/phone-complete-<name>.png


# --- Moving between pages -------------------------------------------------------------------------------

def go(page: Any, path: str, *, status: int | None = None) -> Any:
    """Open a path; the response must be below 400 (or exactly `status`)."""
    response = page.goto(path)
    _assert_status(response, status, path)
    return response


def press(page: Any, control: Any, what: str, *, status: int | None = None) -> Any:
    """Click a control that loads a page; the response must be below 400 (or exactly `status`)."""
    with page.expect_navigation() as navigation:
        control.click()
    _assert_status(navigation.value, status, what)
    return navigation.value


def be_on(page: Any, path: str) -> None:
    """Open `path` unless the page is already showing it (after one's own form, it usually is)."""
    if urlsplit(page.url).path != path:
        go(page, path)


def snap(page: Any, name: str) -> None:
    """A key point of a journey: every check of conftest.check_page, and a phone-size screenshot."""
    check_page(page, _PREFIX + name)


def flashed(page: Any, text: str) -> None:
    """The page shows the message `text`."""
    found = page.locator(".flash, [role=status], .problems").filter(has_text=text)
    assert found.count() or page.get_by_text(text).count(), f"no message {text!r} on {page.url}"


def now_at(page: Any, dashboard: str) -> str:
    """The state the enrolment's page says it is at."""
    go(page, dashboard)
    return page.locator(".now .badge-state").inner_text().strip()


def assert_now_at(page: Any, dashboard: str, label: str) -> None:
    """The enrolment is at `label`; otherwise fail with what its page says is missing."""
    state = now_at(page, dashboard)
    if state != label:
        missing = page.locator("ul.missing li").all_inner_texts()
        problems = page.locator(".problems").all_inner_texts()
        raise AssertionError(f"{dashboard} is at {state!r}, not {label!r}; missing: {missing}; problems: {problems}")


# --- People ---------------------------------------------------------------------------------------------

def sign_up(page: Any, name: str, email: str) -> None:
    """A new person creates their account."""
    go(page, "/auth/sign-up")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    press(page, page.get_by_role("button", name="Create my account"), "sign-up")
    assert "/enrol" in page.url, f"sign-up did not lead to the enrolment wizard: {page.url}"


def enrol(page: Any, pathway: str, *, credential: str, authorization: str, employer: str,
          dates: dict[str, date] | None = None) -> str:
    """The wizard: pathway (radio label starts with `pathway`), goal, employer, the dates they know.
    The enrolment's dashboard path."""
    page.get_by_role("radio", name=re.compile("^" + re.escape(pathway))).check()
    press(page, page.get_by_role("button", name="Continue"), "enrol step 1")
    page.get_by_label("Credential you are working toward").fill(credential)
    page.get_by_label("Subject or authorization").fill(authorization)
    page.get_by_label(re.compile("^Employer")).fill(employer)
    for label, value in (dates or {}).items():
        page.get_by_label(label, exact=True).fill(value.isoformat())
    press(page, page.get_by_role("button", name="Start my enrolment"), "enrol step 2")
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/enrollments/\d+", path), f"the enrolment did not start: {page.url}"
    return path


def invite(page: Any, dashboard: str, email: str, role: str) -> None:
    """Someone who manages the team (the candidate, the program director) invites `email` as `role`
    (the option's label starts with it: a candidate's proposals say "(proposed: the program confirms)")."""
    go(page, f"{dashboard}/team")
    page.get_by_label("Their email").fill(email)
    select = page.get_by_label("Their role on your team")
    label = next(o for o in select.locator("option").all_inner_texts() if o.startswith(role))
    select.select_option(label=label)
    press(page, page.get_by_role("button", name="Send invitation"), f"inviting {email}")
    flashed(page, f"Invitation sent to {email}.")


def accept_invitation(person_page: Any, live_server: LiveServer, email: str, inviter_name: str) -> None:
    """The invited person (already signed in) follows the link in their email and joins."""
    mail = newest_mail(live_server, email, f"{inviter_name} invited you")
    link = re.search(r"https?://\S+/invitations/\S+", mail)
    assert link, mail
    go(person_page, urlsplit(link.group(0)).path)
    press(person_page, person_page.get_by_role("button", name=re.compile("^Accept")), f"{email} accepting")


def open_program(director: Any, program: str, section: str) -> str:
    """From the programs page to one of the program's sections (as its navigation names it); the path."""
    go(director, "/programs/")
    press(director, director.get_by_role("link", name=program, exact=True), program)
    nav = director.get_by_role("navigation", name="Program")
    press(director, nav.get_by_role("link", name=section, exact=True), f"{program}: {section}")
    return urlsplit(director.url).path


def confirm_proposal(director: Any, program: str, candidate: str, person: str, role: str) -> None:
    """The program director confirms the mentor, coach or supervisor the candidate proposed."""
    open_program(director, program, "Mentors & coaches")
    row = director.locator("section", has=director.get_by_role("heading", name=candidate))
    press(director, row.get_by_role("button", name=f"Confirm {person} as {role}"), f"confirming {person}")
    flashed(director, f"Confirmed as {role}.")


# --- Documents ------------------------------------------------------------------------------------------

def _capital(kind: EvidenceKind) -> str:
    return kind.label[:1].upper() + kind.label[1:]


def upload(page: Any, dashboard: str, kind: EvidenceKind, token: str) -> None:
    """The person who holds the document uploads it against its requirement."""
    be_on(page, dashboard)
    form = page.locator("#upload")
    form.get_by_label("Which requirement").select_option(kind.value)
    form.get_by_label("File").set_input_files(
        {"name": f"{kind.value}-{token}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(f"{kind}-{token}")})
    press(page, form.get_by_role("button", name="Upload"), f"uploading {kind.value}")
    flashed(page, f"Uploaded {kind.label}")


def verify(page: Any, dashboard: str, kind: EvidenceKind) -> None:
    """The role that clears the document's requirement verifies it."""
    go(page, dashboard)
    item = page.locator("#evidence li").filter(has=page.locator("strong").get_by_text(_capital(kind), exact=True))
    press(page, item.get_by_role("button", name=re.compile("^Verify")), f"verifying {kind.value}")
    flashed(page, "Verified.")


def hand_in(holder: Any, verifier: Any, dashboard: str, token: str, *kinds: EvidenceKind) -> None:
    """`holder` uploads each document and `verifier` verifies it."""
    for kind in kinds:
        upload(holder, dashboard, kind, token)
        verify(verifier, dashboard, kind)


# --- Dates and facts ------------------------------------------------------------------------------------

def _fact(page: Any, dashboard: str, name: str, *, fresh: bool = True) -> Any:
    (go if fresh else be_on)(page, f"{dashboard}/facts")
    return page.locator(f"#fact-{name}")


def record_fact(page: Any, dashboard: str, name: str, value: date | float | bool) -> None:
    """Record a fact on the facts page: its owner's entry counts at once, the candidate's is a claim."""
    line = _fact(page, dashboard, name, fresh=False)
    if isinstance(value, bool):
        line.get_by_role("radio", name="Yes" if value else "No").check()
    else:
        line.locator("input[name=value]").fill(value.isoformat() if isinstance(value, date) else f"{value:g}")
    press(page, line.get_by_role("button", name=re.compile("^Save")), f"recording {name}")
    assert page.get_by_text(re.compile("^(Recorded.|Saved; it counts once it is confirmed.)$")).count(), page.url


def confirm_fact(page: Any, dashboard: str, name: str) -> None:
    """The fact's owner confirms what the candidate entered."""
    line = _fact(page, dashboard, name)
    press(page, line.get_by_role("button", name=re.compile("^Confirm")), f"confirming {name}")
    flashed(page, "Confirmed.")


# --- Steps and sign-offs --------------------------------------------------------------------------------

def take_step(page: Any, dashboard: str, label: str, *, closes: str | None = None) -> None:
    """Whoever may take the step asks for it from the enrolment's checklist; it must go through. A step
    that closes an option for good (`closes`, words the warning must carry) is confirmed on its own page."""
    go(page, f"{dashboard}/checklist")
    button = page.locator(".step-option").get_by_role("button", name=label, exact=True)
    if not button.count():
        missing = page.locator(".step-option", has_text=label).locator("ul.missing li").all_inner_texts()
        raise AssertionError(f"no button {label!r} on {dashboard} (at "
                             f"{page.locator('.now .badge-state').inner_text()}); missing: {missing}")
    if closes is not None:
        assert closes in page.locator(".step-option", has_text=label).locator(".todo-warning").inner_text()
    press(page, button, f"asking for {label}")
    if closes is not None:
        assert closes in page.locator("#confirm-heading + p").inner_text()
        snap(page, f"confirm-{label.lower().replace(' ', '-')}")  # the warning fits a phone and passes axe
        press(page, page.get_by_role("button", name=f"Yes, {label[:1].lower()}{label[1:]}"), f"confirming {label}")
    assert page.get_by_text("Done: ").count(), page.locator(".problems").all_inner_texts()


def ask_for_signoffs(page: Any, dashboard: str, step: str) -> None:
    """Ask for the sign-offs a step still needs (queued to the people who hold those roles)."""
    go(page, dashboard)
    button = page.get_by_role("button", name=f"Ask for the sign-offs for {step}")
    assert button.count(), (f"no sign-offs to ask for {step!r} on {dashboard}: "
                            f"{page.locator('section[aria-labelledby=signoffs-heading]').all_inner_texts()}")
    press(page, button, f"asking for the sign-offs of {step}")
    flashed(page, "Asked for")


def approve(approver: Any, candidate: str, task: str, comment: str = "") -> None:
    """The approver finds the task in their inbox (claimed or unclaimed) and approves it."""
    for tab in ("/inbox", "/inbox?tab=unclaimed"):
        go(approver, tab)
        link = approver.locator(".task-line", has_text=candidate).get_by_role("link", name=re.compile(task))
        if link.count():
            break
    else:
        raise AssertionError(f"no task {task!r} for {candidate} in the inbox")
    press(approver, link.first, f"opening {task}")
    if comment:
        approver.get_by_label("Comment for the record (optional)").fill(comment)
    with approver.expect_navigation() as navigation:
        approver.get_by_role("button", name="Approve", exact=True).click()
    if navigation.value.status >= 400:
        raise AssertionError(f"approving {task} for {candidate}: HTTP {navigation.value.status}: "
                             f"{approver.locator('main').inner_text()[:1500]}")
    assert approver.locator(".badge-state").inner_text() == "Approved", approver.locator(".problems").all_inner_texts()


# --- Logs -----------------------------------------------------------------------------------------------

def log(page: Any, dashboard: str, kind: str, on: date, hours: float, signer: str, notes: str) -> None:
    """The candidate logs a meeting or hours (`kind`: the log kind's value), naming who signs it (`signer` starts the option's label)."""
    if not page.url.endswith(f"{dashboard}/logs"):
        go(page, f"{dashboard}/logs")
    page.locator("#kind").select_option(value=kind)
    page.locator("#occurred_on").fill(on.isoformat())
    page.locator("#hours").fill(f"{hours:g}")
    select = page.locator("#signer_id")
    select.select_option(label=next(o for o in select.locator("option").all_inner_texts() if o.startswith(signer)))
    page.locator("#notes").fill(notes)
    press(page, page.get_by_role("button", name="Add to the log"), f"logging {kind} on {on}")
    assert page.get_by_text("Logged. It counts once it is signed.").count(), page.locator(".problems").all_inner_texts()


def sign_logs(signer: Any, dashboard: str) -> int:
    """The person the entries name signs every entry waiting for them; how many they signed."""
    go(signer, f"{dashboard}/logs")
    signed = 0
    while (button := signer.get_by_role("button", name=re.compile("^Sign this entry"))).count():
        press(signer, button.first, "signing a log entry")
        signed += 1
    return signed


def record_review(page: Any, dashboard: str, on: date, people: list[str], roles: list[str], signer: str,
                  notes: str) -> None:
    """The PIP candidate records a review of their tracker: who took part, which roles were there."""
    go(page, f"{dashboard}/meetings")
    page.locator("#occurred_on").fill(on.isoformat())
    page.get_by_label("Who took part").fill("\n".join(people))
    for role in roles:
        page.locator(f"#attended-{role}").check()
    select = page.get_by_label("Who will sign it")
    select.select_option(label=next(o for o in select.locator("option").all_inner_texts() if o.startswith(signer)))
    page.get_by_label("Notes").fill(notes)
    press(page, page.get_by_role("button", name="Record the meeting"), f"recording the review of {on}")


def sign_reviews(signer: Any, dashboard: str) -> int:
    """The named signer signs every review record waiting for them."""
    go(signer, f"{dashboard}/meetings")
    signed = 0
    while (button := signer.get_by_role("button", name="Sign this meeting record")).count():
        press(signer, button.first, "signing a review")
        signed += 1
    return signed


def confirm_reviews(person: Any, dashboard: str) -> int:
    """Someone listed at review meetings confirms being at each one still asking them."""
    go(person, f"{dashboard}/meetings")
    confirmed = 0
    while (button := person.get_by_role("button", name="Yes, I was there")).count():
        press(person, button.first, "confirming being at a review")
        confirmed += 1
    return confirmed


def self_assess(page: Any, dashboard: str, on: date, level: int) -> None:
    """The CASC candidate records a CPSEL self-assessment, every standard at `level`."""
    go(page, f"{dashboard}/self-assessments")
    page.get_by_label("Date taken").fill(on.isoformat())
    for box in page.locator(f"input[type=radio][value='{level}']").all():
        box.check()
    press(page, page.get_by_role("button", name="Save the self-assessment"), "saving a self-assessment")


# --- Time -----------------------------------------------------------------------------------------------

def flask(live_server: LiveServer, *args: str) -> str:
    """Run a `flask` command against the live instance (its INSTANCE_PATH, database and clock file)."""
    done = subprocess.run([Path(sys.executable).parent / "flask", *args], check=False, env=live_server.env,
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True)
    assert done.returncode == 0, f"`flask {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def app_today(admin: Any) -> date:
    """What the app's clock reads, on the service administrator's /admin/clock page."""
    if urlsplit(admin.url).path != "/admin/clock":
        go(admin, "/admin/clock")
    return datetime.strptime(admin.get_by_test_id("app-today").inner_text(), "%A %d %B %Y").date()


def advance_clock(admin: Any, days: int) -> date:
    """The service administrator moves the app's clock forward on /admin/clock; the new today."""
    go(admin, "/admin/clock")
    admin.get_by_label(re.compile("^Days to move forward")).fill(str(days))
    press(admin, admin.get_by_role("button", name="Move forward"), f"moving the clock {days} days")
    return app_today(admin)


def reset_clock(admin: Any) -> date:
    """The service administrator puts the app's clock back on the real date."""
    go(admin, "/admin/clock")
    press(admin, admin.get_by_role("button", name="Back to the real date"), "resetting the clock")
    return app_today(admin)


# Posting a form of the open page the way the browser would, without loading the page it leads to: for the
# long runs of identical entries (forty weekly coaching meetings a year), where rendering the growing log
# after each one would take most of a journey's time. The server answers a success with its redirect.
_POST_FORM = """async ([selector, values]) => {
  const form = document.querySelector(selector);
  const data = new FormData(form);
  for (const [name, value] of Object.entries(values)) data.set(name, value);
  if (data.has('idempotency_token')) data.set('idempotency_token', crypto.randomUUID().replaceAll('-', ''));
  const response = await fetch(form.action, {method: 'POST', body: data, redirect: 'manual', credentials: 'same-origin'});
  return response.type === 'opaqueredirect' ? 'redirect' : String(response.status);
}"""


def log_weekly(page: Any, dashboard: str, kind: str, days: list[date], hours: float, signer: str, notes: str) -> None:
    """The candidate logs one entry per date with the log page's form (kind, date, hours, signer, notes),
    each sent as that form would send it; the page is reloaded every few entries, as she would."""
    for start in range(0, len(days), 10):
        go(page, f"{dashboard}/logs")
        select = page.locator("#signer_id")
        value = select.locator("option").filter(has_text=re.compile("^" + re.escape(signer))).first.get_attribute("value")
        for on in days[start:start + 10]:
            answer = page.evaluate(_POST_FORM, ["form:has(#occurred_on)", {
                "kind": kind, "occurred_on": on.isoformat(), "hours": f"{hours:g}", "signer_id": value,
                "notes": f"{notes} ({on.isoformat()})"}])
            assert answer == "redirect", f"logging {kind} on {on}: HTTP {answer}"
    go(page, f"{dashboard}/logs")


def sign_all_logs(signer: Any, dashboard: str) -> int:
    """The person the entries name signs each waiting entry with its own Sign button's form, page after
    page of the log book (newest first); how many."""
    signed, page = 0, 1
    while True:
        go(signer, f"{dashboard}/logs?page={page}")
        forms = signer.locator("form:has(button:text-matches('^Sign this entry'))")
        count = forms.count()
        if not count:
            if signer.get_by_role("link", name="Older entries").count():
                page += 1
                continue
            return signed
        actions = [forms.nth(i).get_attribute("action") for i in range(min(count, 10))]
        for action in actions:
            answer = signer.evaluate(_POST_FORM, [f"form[action='{action}']", {}])
            assert answer == "redirect", f"signing {action}: HTTP {answer}"
            signed += 1


def weekdays(start: date, count: int, *, step: int = 7) -> list[date]:
    """`count` dates from `start`, `step` days apart (one a week by default)."""
    return [start + timedelta(days=step * i) for i in range(count)]
