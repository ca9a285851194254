"""A candidate on a fresh program with a person for every role, driven by the app's walker."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlmodel import Session

from app.demo.walker import NotYet, Walker, pdf_bytes  # noqa: F401  (pdf_bytes re-exported for tests)
from app.models import Enrollment, Membership, Organisation, OrganisationKind, Program, User
from app.services.enrollments import pathways
from app.services.enrollments.facts import build_facts
from app.services.signoffs import queueing
from app.services.team import accounts
from tests.today import TODAY
from workflows.roles import Role
from workflows.rules import Rule

_serial = itertools.count(1)

# Roles held on the enrolment itself; the others on its program (or the organisation for HR).
ENROLMENT_ROLES = (Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR)
PROGRAM_ROLES = (Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR, Role.PANEL_MEMBER,
                 Role.PREP_PROGRAM_SUPPORT_PROVIDER)


class PathwayDriver:
    """One candidate on one pathway, with a person for every role around them."""

    def __init__(self, app: Flask, session: Session, pathway: str, *, enrolled_days_ago: int = 10,
                 settings: dict[str, Any] | None = None) -> None:
        self.app, self.session, self.pathway = app, session, pathway
        n = next(_serial)
        org = Organisation(name=f"Org {n}", kind=OrganisationKind.DISTRICT)
        session.add(org)
        session.flush()
        self.program = Program(organisation_id=org.id, name=f"{pathway} program {n}", pathway=pathway,
                               settings=settings or {})
        session.add(self.program)
        session.flush()
        self.candidate = accounts.create_user(session, f"candidate{n}@example.org", "Candidate", "correct horse battery")
        self.people: dict[Role, User] = {}
        for role in (*ENROLMENT_ROLES, *PROGRAM_ROLES, Role.DISTRICT_HR):
            self.people[role] = accounts.create_user(session, f"{role.value}{n}@example.org", role.label,
                                                     "correct horse battery")
        with app.app_context():
            self.enrollment = pathways.enroll(session, self.candidate, self.program,
                                              TODAY - timedelta(days=enrolled_days_ago), self.candidate)
        session.flush()
        for role in PROGRAM_ROLES:
            session.add(Membership(user_id=self.people[role].id, role=role.value, program_id=self.program.id))
        session.add(Membership(user_id=self.people[Role.DISTRICT_HR].id, role=Role.DISTRICT_HR.value,
                               organisation_id=org.id))
        session.add(Membership(user_id=self.people[Role.SITE_ADMINISTRATOR].id, role=Role.SITE_ADMINISTRATOR.value,
                               enrollment_id=self.enrollment.id))
        session.commit()

    # --- people and steps: the app's own demo walker does the recording -----------------------

    def person(self, role: Role) -> User:
        """Whoever holds `role` for this candidate."""
        return self.candidate if role is Role.CANDIDATE else self.people[role]

    def walker(self) -> Walker:
        return Walker(self.session, self.enrollment, {Role.CANDIDATE: self.candidate, **self.people})

    def refresh(self) -> Enrollment:
        self.session.expire_all()
        self.enrollment = self.session.get(Enrollment, self.enrollment.id)  # type: ignore[assignment]
        return self.enrollment

    def facts(self):  # type: ignore[no-untyped-def]
        with self.app.app_context():
            return self.walker().facts()

    def unmet(self, event: str) -> list[Rule]:
        with self.app.app_context():
            return self.walker().unmet(event)

    def satisfy(self, event: str) -> None:
        """Record what `event` needs; when it counts time (40 coaching weeks in a year), move the
        app's clock forward until it can, the way a real year would pass."""
        for _ in range(4):
            try:
                with self.app.app_context():
                    self.walker().satisfy(event)
                return
            except NotYet as early:
                self.travel_to(early.until)
        raise AssertionError(f"could not satisfy {event} even with time moved on")

    def travel_to(self, day: date) -> None:
        """Move the app's clock (testing only) so that today is `day`, noon in California."""
        with self.app.app_context():
            today = build_facts(self.session, self.refresh()).today
        extra = (day - today).days * 86400
        if extra > 0:
            self.app.config["CLOCK_OFFSET_SECONDS"] = (self.app.config.get("CLOCK_OFFSET_SECONDS") or 0) + extra

    def advance(self, event: str, as_role: Role, **kwargs: Any) -> pathways.Transition:
        """Satisfy the rules of `event`, then ask for it as the holder of `as_role`."""
        self.satisfy(event)
        return self.fire(event, as_role, **kwargs)

    def fire(self, event: str, as_role: Role, **kwargs: Any) -> pathways.Transition:
        """Ask for `event` as the holder of `as_role`, without satisfying anything first."""
        with self.app.app_context():
            return queueing.ask_for_step(self.session, self.enrollment.id, event, self.person(as_role), **kwargs)  # type: ignore[arg-type]


def at(moment: date) -> datetime:
    """Noon UTC on a date: safely the same day in California."""
    from datetime import UTC, time

    return datetime.combine(moment, time(20, 0), tzinfo=UTC)
