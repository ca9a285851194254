"""Demo data for `flask seed-demo`: organisations, programs, one candidate per pathway part-way
along, and one person per approver role. Running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app import policy
from app.models import Organisation, OrganisationKind, Pathway, Program, User
from app.services.programs import organisations
from app.services.team import accounts, staff
from workflows.roles import Role

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in, as printed for whoever runs the seed."""

    email: str
    name: str
    description: str
    password: str = DEMO_PASSWORD


CANDIDATES = {
    Pathway.PIP: DemoAccount("pip.teacher@demo.credential-tracker.org", "Paula Ibarra",
                             "candidate: PIP teacher, permit active, building her plan"),
    Pathway.INDUCTION: DemoAccount("induction.teacher@demo.credential-tracker.org", "Ian Nakamura",
                                   "candidate: induction teacher, Year 1 under way"),
    Pathway.CASC: DemoAccount("new.admin@demo.credential-tracker.org", "Carmen Salazar",
                              "candidate: new assistant principal, CASC Year 1"),
}
APPROVERS = {
    Role.MENTOR: DemoAccount("mentor@demo.credential-tracker.org", "Maya Ortiz", "mentor (PIP and induction)"),
    Role.COACH: DemoAccount("coach@demo.credential-tracker.org", "Colin Baker", "CASC coach"),
    Role.SITE_ADMINISTRATOR: DemoAccount("principal@demo.credential-tracker.org", "Priya Shah", "principal / site administrator"),
    Role.CREDENTIAL_ANALYST: DemoAccount("analyst@demo.credential-tracker.org", "Ana Lopez", "credential analyst"),
    Role.DISTRICT_HR: DemoAccount("hr@demo.credential-tracker.org", "Henry Reyes", "district HR"),
    Role.PREP_PROGRAM_SUPPORT_PROVIDER: DemoAccount("intern.program@demo.credential-tracker.org", "Irene Park",
                                                   "preparation-program support provider"),
    Role.PROGRAM_DIRECTOR: DemoAccount("director@demo.credential-tracker.org", "Dana Whitfield", "program director"),
    Role.PANEL_MEMBER: DemoAccount("panel@demo.credential-tracker.org", "Pat Moreno", "CASC exit-interview panel member"),
    Role.SERVICE_ADMINISTRATOR: DemoAccount("admin@demo.credential-tracker.org", "Sam Admin", "service administrator"),
}

ORGANISATIONS = {
    "district": ("Sequoia Valley Unified School District", OrganisationKind.DISTRICT),
    "county": ("Tulare County Office of Education", OrganisationKind.COUNTY_OFFICE),
    "butte": ("Butte County Office of Education", OrganisationKind.COUNTY_OFFICE),
}
PROGRAMS = {
    Pathway.PIP: ("district", "Sequoia Valley PIP Support", {}),
    Pathway.INDUCTION: ("county", "Tulare Teacher Induction", {}),
    # Butte's published requirements: 40 weekly coaching meetings and 20 PL hours a year.
    Pathway.CASC: ("butte", "Butte CASC Induction", {"coaching_weeks_per_year": 40, "pl_hours_per_year": 20}),
}




def user_for(session: Session, account: DemoAccount) -> User:
    existing = accounts.find_by_email(session, account.email)
    return existing or accounts.create_user(session, account.email, account.name, account.password)


def organisation_named(session: Session, administrator: User, name: str, kind: OrganisationKind) -> Organisation:
    """The organisation, set up by the service administrator the first time."""
    found = session.exec(select(Organisation).where(Organisation.name == name)).first()
    return found or organisations.create_organisation(session, administrator, name, kind.value)


def program_named(session: Session, administrator: User, organisation: Organisation, name: str,
                  pathway: Pathway) -> Program:
    """The program, set up by the service administrator the first time (on its pathway's defaults)."""
    found = session.exec(select(Program).where(Program.organisation_id == organisation.id,
                                               Program.name == name)).first()
    return found or organisations.create_program(session, administrator, organisation, pathway.value, name)


def give(session: Session, grantor: User, person: User, role: Role, organisation: Organisation,
         program: Program | None = None) -> None:
    """A staff role or pool place, given as the staff page gives it, unless already held."""
    held = (staff.live_place(session, program, person, role) if program is not None and role in policy.POOL_ROLES
            else staff.live_membership(session, organisation, program, person, role))
    if held is None:
        staff.grant(session, grantor, person, role, organisation, program, reason="demo")
