"""A district that starts from nothing sets itself up in the browser (issue 24).

From migrations and one service administrator made with `flask create-user` (conftest.serving with
demo=False): the administrator adds the organisation and one program per pathway, gives the programs
their director and the organisation its analyst and HR by invitation, and imports the rest of the staff
(mentors, coaches and principals into the programs' pools, the exit panel, the intern program's support
provider) from a spreadsheet. Everyone joins through the link in their email and chooses a password.
The people are the demo's (tests/browser/conftest.DEMO, with its password), so journeys written for the
demo's staff run unchanged on a district built this way. Nothing here writes to the database.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import DEMO, DEMO_PASSWORD, LiveServer, check_page, newest_mail
from tests.browser.pathway_steps import flashed, go, press
from workflows.registry import labels

ORGANISATION = "Sequoia Valley Unified School District"
PROGRAMS = {"pip": "Sequoia Valley PIP Support", "induction": "Tulare Teacher Induction",
            "casc": "Butte CASC Induction"}
NAMES = {"director": "Dana Whitfield", "analyst": "Ana Lopez", "hr": "Henry Reyes", "mentor": "Maya Ortiz",
         "coach": "Colin Baker", "principal": "Priya Shah", "panel": "Pat Moreno", "intern_program": "Irene Park"}
# The spreadsheet the district keeps of its people: a mentor, coach and principal in each program's pool
# where the pathway has the role, the CASC exit panel, the intern program's support provider.
STAFF_SHEET = "\n".join([
    "name,email,role,program,school",
    *(f"Maya Ortiz,{DEMO['mentor']},Mentor,{PROGRAMS[p]},Oak Elementary" for p in ("pip", "induction")),
    *(f"Colin Baker,{DEMO['coach']},Coach,{PROGRAMS[p]}," for p in ("pip", "casc")),
    *(f"Priya Shah,{DEMO['principal']},principal,{PROGRAMS[p]},Oak Elementary" for p in PROGRAMS),
    f"Pat Moreno,{DEMO['panel']},panel member,{PROGRAMS['casc']},",
    f"Irene Park,{DEMO['intern_program']},support provider,{PROGRAMS['pip']},",
]) + "\n"


def snap(page: Any, name: str, prefix: str = "setup") -> None:
    """The full checks of a journey page, saved as test-artifacts/<size>-<prefix>-<name>.png."""
    check_page(page, f"{prefix}-{name}")


def join(person: Any, live_server: LiveServer, who: str) -> None:
    """`who` follows the newest invitation in their email, chooses a password and lands on their work."""
    mail = newest_mail(live_server, DEMO[who], "invited you to be")
    link = re.search(r"https?://\S+/staff/join/\S+", mail)
    assert link, mail
    go(person, urlsplit(link.group(0)).path)
    assert person.get_by_label("Your name").input_value() == NAMES[who]  # the invitation's name, to keep or correct
    person.get_by_label("Choose a password").fill(DEMO_PASSWORD)
    person.get_by_label("Repeat the password").fill(DEMO_PASSWORD)
    press(person, person.get_by_role("button", name="Create my account and start"), f"{who} joining")
    assert urlsplit(person.url).path == "/", f"{who} landed on {person.url}, not their home"
    assert person.get_by_role("heading", name="Your roles").is_visible()
    assert person.get_by_role("heading", name="Your pathways").count() == 0  # their work, not the candidate wizard


def add_by_email(page: Any, who: str, role: str) -> None:
    """On a staff page: add `who` (by the demo's address and name) as `role`."""
    page.get_by_label("Email", exact=True).fill(DEMO[who])
    page.get_by_label("Name (for the invitation)").fill(NAMES[who])
    page.get_by_label("Role", exact=True).select_option(label=role)
    press(page, page.get_by_role("button", name="Add", exact=True), f"adding {who} as {role}")


def set_up_district(admin: Any, stranger: Any, live_server: LiveServer, prefix: str = "setup") -> None:
    """The whole setup, by the signed-in service administrator `admin`; `stranger()` opens a fresh
    browser profile, signed in as nobody, for each person who joins. Screenshots are named
    <size>-<prefix>-<page> (names are unique across the suite)."""
    go(admin, "/")
    press(admin, admin.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations"), "organisations")
    snap(admin, "organisations-empty", prefix)
    press(admin, admin.get_by_role("link", name="Add an organisation"), "new organisation")
    admin.get_by_label("Name").fill(ORGANISATION)
    admin.get_by_label("Kind").select_option(label="School district")
    admin.get_by_label("CDS code (optional)").fill("54-72256")
    snap(admin, "organisation-form", prefix)
    press(admin, admin.get_by_role("button", name="Add the organisation"), "adding the organisation")
    flashed(admin, f"{ORGANISATION} is set up.")
    organisation = urlsplit(admin.url).path

    for n, (pathway, name) in enumerate(PROGRAMS.items()):
        go(admin, organisation)
        press(admin, admin.get_by_role("link", name="Add a program"), f"new {pathway} program")
        admin.get_by_label(labels()[pathway]).check()
        admin.get_by_label("Program name").fill(name)
        if n == 0:
            snap(admin, "program-form", prefix)
        press(admin, admin.get_by_role("button", name="Add the program"), f"adding {name}")
        flashed(admin, f"{name} is set up.")
        # The program's staff page: its director (invited the first time, then given the role at once).
        add_by_email(admin, "director", "Program director")
        if n == 0:
            flashed(admin, f"Invitation sent to {DEMO['director']}")
            snap(admin, "program-staff", prefix)
            join(stranger(), live_server, "director")
        else:
            flashed(admin, "Dana Whitfield can work as program director now")

    go(admin, organisation)
    snap(admin, "organisation", prefix)
    press(admin, admin.get_by_role("link", name="Staff", exact=True), "organisation staff")
    for who, role in (("analyst", "Credential analyst"), ("hr", "District HR")):
        add_by_email(admin, who, role)
        flashed(admin, f"Invitation sent to {DEMO[who]}")
        join(stranger(), live_server, who)

    # Everyone else from the district's spreadsheet: a preview first, then all at once.
    press(admin, admin.get_by_role("link", name="Import many people from a spreadsheet"), "staff import")
    admin.get_by_label("CSV file").set_input_files(
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": STAFF_SHEET.encode()}])
    press(admin, admin.get_by_role("button", name="Check the file"), "previewing the staff file")
    rows = len(STAFF_SHEET.strip().splitlines()) - 1
    assert f"0 given their role now · {rows} invited by email" in admin.locator("main").inner_text()
    snap(admin, "staff-import-preview", prefix)
    press(admin, admin.get_by_role("button", name=f"Import all {rows} rows"), "importing the staff file")
    flashed(admin, f"Imported: 0 given their role now, {rows} invited by email")
    for who in ("mentor", "coach", "principal", "panel", "intern_program"):
        join(stranger(), live_server, who)
    go(admin, organisation.rstrip("/") + "/staff")
    directory = admin.locator("main").inner_text()
    for name in NAMES.values():
        assert name in directory, f"{name} is not in the staff directory"
    snap(admin, "staff-directory", prefix)
