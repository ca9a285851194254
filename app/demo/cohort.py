"""More demo candidates for the director's pages: call `seed_cohort(session)` after `demo.seed`.

Adds, once each: a CASC candidate at "ready for recommendation" (to recommend in the demo), a
CASC candidate behind on coaching, and an induction teacher still waiting for a mentor (the
30-day rule is open). Re-running changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app import clock
from app.demo.people import APPROVERS, DEMO_PASSWORD, ORGANISATIONS, PROGRAMS, DemoAccount
from app.demo.walker import Walker
from app.models import Enrollment, Organisation, Pathway, Program
from app.services.enrollments import pathways
from app.services.team import accounts
from workflows.roles import Role

READY_STEPS = [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR),
               ("start_year1", Role.CANDIDATE), ("complete_year1", Role.PROGRAM_DIRECTOR),
               ("start_year2", Role.CANDIDATE), ("complete_year2", Role.CANDIDATE),
               ("pass_exit_interview", Role.PROGRAM_DIRECTOR)]
COHORT = [
    # (account, pathway, days since enrolment, steps taken): two CASC years take two years, so
    # the candidate ready for recommendation enrolled 700 days ago (40 coaching weeks in each).
    (DemoAccount("ready.admin@demo.credential-tracker.org", "Rosa Delgado",
                 "candidate: CASC, ready for the director to recommend"), Pathway.CASC, 700, READY_STEPS),
    (DemoAccount("slow.admin@demo.credential-tracker.org", "Marcus Bell",
                 "candidate: CASC Year 1, behind on coaching"), Pathway.CASC, 28,
     [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR), ("start_year1", Role.CANDIDATE)]),
    (DemoAccount("new.teacher@demo.credential-tracker.org", "Lena Fischer",
                 "candidate: induction, waiting for a mentor"), Pathway.INDUCTION, 12,
     [("enrol", Role.PROGRAM_DIRECTOR)]),
]


def seed_cohort(session: Session, today: date | None = None) -> list[DemoAccount]:
    """Add the director-demo candidates that are missing; returns their sign-ins."""
    today = today or clock.today()
    approvers = {role: accounts.find_by_email(session, a.email) for role, a in APPROVERS.items()}
    created = []
    for account, pathway, days, steps in COHORT:
        program = _program(session, pathway)
        user = accounts.find_by_email(session, account.email) or accounts.create_user(
            session, account.email, account.name, DEMO_PASSWORD)
        created.append(account)
        if session.exec(select(Enrollment.id).where(Enrollment.candidate_id == user.id,
                                                    Enrollment.program_id == program.id)).first() is not None:
            continue
        enrollment = pathways.enroll(session, user, program, today - timedelta(days=days), user,
                                     credential_sought=_CREDENTIAL[pathway])
        session.commit()
        walker = Walker(session, enrollment, {Role.CANDIDATE: user, **approvers})  # type: ignore[dict-item]
        for event, role in steps:
            walker.advance(event, role)
        session.commit()
    return created


_CREDENTIAL = {Pathway.CASC: "Clear Administrative Services Credential",
               Pathway.INDUCTION: "Clear Multiple Subject Teaching Credential"}


def _program(session: Session, pathway: Pathway) -> Program:
    org_key, name, _ = PROGRAMS[pathway]
    organisation = session.exec(select(Organisation).where(Organisation.name == ORGANISATIONS[org_key][0])).one()
    return session.exec(select(Program).where(Program.organisation_id == organisation.id, Program.name == name)).one()

