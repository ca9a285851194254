"""Starting points for the journeys: a fresh candidate placed part-way along a pathway, the way
`flask seed-demo` places the demo candidates (through the services, with the demo approvers).

The journeys share one seeded server and each runs at two sizes, so a journey that moves a
candidate along needs a candidate of its own: conftest's `place(live_server, stage, name)` runs
this module against the live server's database and returns the new enrolment's id and the
candidate's email (the password is the demo password). Every step of the journey itself is then
taken in the browser.

    python -m tests.browser.states <stage> <email> <name>     (in the live server's environment)
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

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
    # Enrolled in induction, waiting for the director to assign a mentor (the 30-day window is open).
    "induction-waiting-for-mentor": ("induction", 10, [("enrol", "program_director")], None, set()),
}
_CREDENTIAL = {"casc": "Clear Administrative Services Credential",
               "induction": "Clear Multiple Subject Teaching Credential"}


def place(stage: str, email: str, name: str) -> dict[str, object]:
    """Create the candidate and walk their new enrolment to `stage` (inside an app context)."""
    from sqlmodel import Session

    from app.db import engine
    from app.demo.cohort import _program
    from app.demo.people import APPROVERS, DEMO_PASSWORD
    from app.demo.walker import Walker
    from app.services.enrollments import pathways
    from app.services.notifications import outbox
    from app.services.team import accounts
    from workflows.roles import Role

    pathway, days, steps, next_step, left_open = STAGES[stage]
    with Session(engine(), expire_on_commit=False) as session:
        approvers = {role: accounts.find_by_email(session, a.email) for role, a in APPROVERS.items()}
        user = accounts.create_user(session, email, name, DEMO_PASSWORD)
        program = _program(session, pathway)  # type: ignore[arg-type]
        enrollment = pathways.enroll(session, user, program, date.today() - timedelta(days=days), user,
                                     credential_sought=_CREDENTIAL[pathway])
        session.commit()
        walker = Walker(session, enrollment, {Role.CANDIDATE: user, **approvers})  # type: ignore[dict-item]
        for event, role in steps:
            walker.advance(event, Role(role))
        if next_step:
            for _ in range(4):
                unmet = [rule for rule in walker.unmet(next_step) if rule.key not in left_open]
                if not unmet:
                    break
                for rule in unmet:
                    walker.make_true(rule)
            still = {rule.key for rule in walker.unmet(next_step)}
            assert still == left_open, f"{stage}: {next_step} waits on {still}, not {left_open}"
        outbox.commit(session)
        return {"enrollment_id": walker.refresh().id, "state": walker.enrollment.state, "email": email}


if __name__ == "__main__":
    from app import create_app

    with create_app().app_context():
        print(json.dumps(place(*sys.argv[1:4])))
