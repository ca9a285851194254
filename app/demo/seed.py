"""Seeding the demo: organisations, programs, one candidate per pathway walked part-way, a cohort and waiting sign-offs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app import clock, outbox
from app.demo.cohort import seed_cohort
from app.demo.people import (
    APPROVERS,
    CANDIDATES,
    ORGANISATIONS,
    PROGRAMS,
    DemoAccount,
    give,
    organisation_named,
    program_named,
    user_for,
)
from app.demo.tasks import seed_tasks
from app.demo.walker import seed_enrollments
from app.models import Pathway, Program, User
from app.services.programs import settings as program_settings
from app.services.team import accounts, staff
from workflows.roles import Role


def seed(session: Session, today: date | None = None) -> list[DemoAccount]:
    """Create whatever demo data is missing and return every demo sign-in.

    Everything goes through the services a district uses: the service administrator (made as
    `flask create-user --role service_administrator` makes one) sets up the organisations and
    programs and gives organisation-wide roles and directors; the director staffs the program, fills
    its pool, sets its settings and assigns from the pool.
    """
    today = today or clock.today()
    users = {account.email: user_for(session, account) for account in [*CANDIDATES.values(), *APPROVERS.values()]}

    def person(role: Role) -> User:
        return users[APPROVERS[role].email]

    administrator, director = person(Role.SERVICE_ADMINISTRATOR), person(Role.PROGRAM_DIRECTOR)
    accounts.give_service_roles(session, administrator, [Role.SERVICE_ADMINISTRATOR])
    organisations = {key: organisation_named(session, administrator, name, kind)
                     for key, (name, kind) in ORGANISATIONS.items()}
    programs = {pathway: program_named(session, administrator, organisations[org], name, pathway)
                for pathway, (org, name, _) in PROGRAMS.items()}
    give(session, administrator, person(Role.DISTRICT_HR), Role.DISTRICT_HR, organisations["district"])
    for pathway, program in programs.items():
        organisation = organisations[PROGRAMS[pathway][0]]
        give(session, administrator, person(Role.CREDENTIAL_ANALYST), Role.CREDENTIAL_ANALYST, organisation)
        give(session, administrator, director, Role.PROGRAM_DIRECTOR, organisation, program)
        _settings(session, program, PROGRAMS[pathway][2], director)
        # The program's pool: the demo mentor, coach and principal serve wherever the pathway has them.
        for role in staff.pool_roles(program):
            give(session, director, person(role), role, organisation, program)
    give(session, director, person(Role.PREP_PROGRAM_SUPPORT_PROVIDER), Role.PREP_PROGRAM_SUPPORT_PROVIDER,
         organisations["district"], programs[Pathway.PIP])
    give(session, director, person(Role.PANEL_MEMBER), Role.PANEL_MEMBER, organisations["butte"],
         programs[Pathway.CASC])
    outbox.commit(session)

    seed_enrollments(session, today, programs, {p: users[a.email] for p, a in CANDIDATES.items()},
                     {r: users[a.email] for r, a in APPROVERS.items()})
    outbox.commit(session)

    # A cohort for the director's pages, then the sign-offs the candidates' next steps wait on.
    cohort = seed_cohort(session, today)
    seed_tasks(session)
    return [*CANDIDATES.values(), *cohort, *APPROVERS.values()]


def _settings(session: Session, program: Program, overrides: dict[str, Any], director: User) -> None:
    """The program's own settings, saved as its director would on the settings page."""
    if not overrides or all(program.settings.get(k) == v for k, v in overrides.items()):
        return
    chosen, problems = program_settings.validate({**program_settings.program_settings(program).to_mapping(),
                                                  **overrides})
    if chosen is None:
        raise ValueError(f"demo settings refused: {problems}")
    program_settings.save(session, program, chosen, director)
