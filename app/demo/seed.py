"""Seeding the demo: organisations, programs, one candidate per pathway walked part-way, a cohort and waiting sign-offs."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app import clock, outbox
from app.demo.cohort import seed_cohort
from app.demo.people import (
    APPROVERS,
    CANDIDATES,
    ORGANISATIONS,
    PROGRAMS,
    DemoAccount,
    grant,
    organisation_named,
    program_named,
    user_for,
)
from app.demo.tasks import seed_tasks
from app.demo.walker import seed_enrollments
from app.models import Pathway, User
from workflows.roles import Role


def seed(session: Session, today: date | None = None) -> list[DemoAccount]:
    """Create whatever demo data is missing and return every demo sign-in."""
    today = today or clock.today()
    users = {account.email: user_for(session, account) for account in [*CANDIDATES.values(), *APPROVERS.values()]}
    organisations = {key: organisation_named(session, name, kind) for key, (name, kind) in ORGANISATIONS.items()}
    programs = {pathway: program_named(session, organisations[org], name, pathway, settings)
                for pathway, (org, name, settings) in PROGRAMS.items()}

    def person(role: Role) -> User:
        return users[APPROVERS[role].email]

    grant(session, person(Role.SERVICE_ADMINISTRATOR), Role.SERVICE_ADMINISTRATOR)
    grant(session, person(Role.DISTRICT_HR), Role.DISTRICT_HR, organisation=organisations["district"])
    for program in programs.values():
        grant(session, person(Role.PROGRAM_DIRECTOR), Role.PROGRAM_DIRECTOR, program=program)
        grant(session, person(Role.CREDENTIAL_ANALYST), Role.CREDENTIAL_ANALYST, program=program)
    grant(session, person(Role.PREP_PROGRAM_SUPPORT_PROVIDER), Role.PREP_PROGRAM_SUPPORT_PROVIDER,
           program=programs[Pathway.PIP])
    grant(session, person(Role.PANEL_MEMBER), Role.PANEL_MEMBER, program=programs[Pathway.CASC])

    seed_enrollments(session, today, programs, {p: users[a.email] for p, a in CANDIDATES.items()},
                     {r: users[a.email] for r, a in APPROVERS.items()}, grant)
    outbox.commit(session)

    # A cohort for the director's pages, then the sign-offs the candidates' next steps wait on.
    cohort = seed_cohort(session, today)
    seed_tasks(session)
    return [*CANDIDATES.values(), *cohort, *APPROVERS.values()]
