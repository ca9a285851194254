"""Starting points for the journeys: a fresh candidate placed part-way along a pathway, the way
`flask seed-demo` places the demo candidates (through the services, with the demo approvers).

The journeys share one seeded server and each runs at two sizes, so a journey that moves a
candidate along needs a candidate of its own: conftest's `place(live_server, stage, name)` runs
this module against the live server's database and returns the new enrolment's id and the
candidate's email (the password is the demo password). Every step of the journey itself is then
taken in the browser.

    python -m tests.browser.states <stage> <email> <name>     (in the live server's environment)

A stage that counts time (40 coaching weeks a year) cannot be reached on the real date: as
tests/app/pathway_driver.py does, the walk moves the app clock forward (app.clock, which writes the
live instance's clock file, so the server sees the same days) and retries; once placed, the clock is
put back where it was (the real date), so the journey and every other test run on real time.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from app.demo.walker import Walker

T = TypeVar("T")

# Each stage: (pathway, days since enrolment, steps already taken (event, as role), the next step,
# rules of the next step left unmet). The next step's other rules are satisfied, so the journey
# does exactly the part left open.
STAGES: dict[str, tuple[str, int, list[tuple[str, str]], str | None, set[str]]] = {
    # Admitted to CASC, ready to start Year 1 but for IIP 1 and the director's approval of it.
    "casc-admitted": ("casc", 20, [("verify_employment", "credential_analyst"), ("admit", "program_director")],
                      "start_year1", {"casc.iip_1", "casc.iip1_approved"}),
    # At the CASC exit interview with the experience letter in: only the panel's mastery is missing.
    "casc-exit-interview": ("casc", 25, [("verify_employment", "credential_analyst"), ("admit", "program_director"),
                                         ("start_year1", "candidate"), ("complete_year1", "program_director"),
                                         ("start_year2", "candidate"), ("complete_year2", "candidate")],
                            "pass_exit_interview", {"casc.exit_panel_mastery"}),
    # A PIP teacher with her plan established (as the demo's Paula Ibarra), working toward intern-ready:
    # her Certificate of Clearance and the other intern-ready documents not in yet.
    "pip-plan-established": ("pip", 120, [("start_screening", "district_hr"), ("confirm_eligibility", "credential_analyst"),
                                          ("request_permit", "credential_analyst"),
                                          ("permit_issued", "credential_analyst"), ("establish_plan", "candidate")],
                             None, set()),
    # Enrolled in induction, waiting for the director to assign a mentor (the 30-day window is open).
    "induction-waiting-for-mentor": ("induction", 10, [("enrol", "program_director")], None, set()),
    # Enrolled in induction with the demo mentor (Maya Ortiz) assigned: the support records' journey.
    "induction-mentor-assigned": ("induction", 12, [("enrol", "program_director"), ("assign_mentor", "program_director")],
                                  None, set()),
}
_CREDENTIAL = {"casc": "Clear Administrative Services Credential", "pip": "University Intern Credential, Single Subject",
               "induction": "Clear Multiple Subject Teaching Credential"}


def place(stage: str, email: str, name: str) -> dict[str, object]:
    """Create the candidate and walk their new enrolment to `stage` (inside an app context); the
    app clock is back where it was afterwards, even when the walk fails."""
    from app import clock

    before = clock.runtime_offset()
    try:
        return _place(stage, email, name)
    finally:
        moved = clock.runtime_offset() - before
        if before == 0:
            clock.reset()
        elif moved:
            clock.advance(seconds=-moved)


def _place(stage: str, email: str, name: str) -> dict[str, object]:
    from sqlmodel import Session

    from app import clock, outbox
    from app.db import engine
    from app.demo.cohort import _program
    from app.demo.people import APPROVERS, DEMO_PASSWORD
    from app.demo.walker import Walker
    from app.services.enrollments import pathways
    from app.services.programs import assignments
    from app.services.team import accounts
    from workflows.roles import Role

    pathway, days, steps, next_step, left_open = STAGES[stage]
    with Session(engine(), expire_on_commit=False) as session:
        approvers = {role: accounts.find_by_email(session, a.email) for role, a in APPROVERS.items()}
        user = accounts.create_user(session, email, name, DEMO_PASSWORD)
        program = _program(session, pathway)  # type: ignore[arg-type]
        enrollment = pathways.enroll(session, user, program, clock.today() - timedelta(days=days), user,
                                     credential_sought=_CREDENTIAL[pathway])
        if pathway == "pip":  # her principal, who signs off her plan (as the demo's)
            assignments.assign(session, program, enrollment.id, approvers[Role.SITE_ADMINISTRATOR].id,  # type: ignore[arg-type, union-attr]
                               Role.SITE_ADMINISTRATOR.value, approvers[Role.PROGRAM_DIRECTOR])  # type: ignore[arg-type]
        session.commit()
        walker = Walker(session, enrollment, {Role.CANDIDATE: user, **approvers})  # type: ignore[dict-item]
        for event, role in steps:
            _in_time(walker, walker.advance, event, Role(role))
        if next_step:
            for _ in range(4):
                unmet = [rule for rule in walker.unmet(next_step) if rule.key not in left_open]
                if not unmet:
                    break
                for rule in unmet:
                    _in_time(walker, walker.make_true, rule)
            still = {rule.key for rule in walker.unmet(next_step)}
            assert still == left_open, f"{stage}: {next_step} waits on {still}, not {left_open}"
        outbox.commit(session)
        return {"enrollment_id": walker.refresh().id, "state": walker.enrollment.state, "email": email}


def _in_time(walker: Walker, act: Callable[..., T], *args: Any) -> T:
    """Do `act`; when it counts time the enrolment has not lasted yet (the walker's NotYet), move the
    app clock forward to the day it could hold and try again, the way a real year would pass."""
    from app import clock
    from app.demo.walker import NotYet

    for _ in range(4):
        try:
            return act(*args)
        except NotYet as early:
            days = (early.until - walker.facts().today).days
            if days <= 0:
                raise
            clock.advance(days=days)
    raise AssertionError(f"{walker.enrollment.id}: still too early with the clock moved on")


if __name__ == "__main__":
    from app import create_app

    with create_app().app_context():
        print(json.dumps(place(*sys.argv[1:4])))
