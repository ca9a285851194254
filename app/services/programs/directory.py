"""Which programs a person sees on the director's side: those they direct, or serve as analyst or district HR."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from app import policy
from app.models import Program, User
from app.reads import remembered
from workflows.roles import Role

# The intern program's support provider records PIP recommendations, so sees that one page of the program.
PROGRAM_ROLES = [Role.PROGRAM_DIRECTOR.value, Role.CREDENTIAL_ANALYST.value, Role.DISTRICT_HR.value,
                 Role.PREP_PROGRAM_SUPPORT_PROVIDER.value]


def visible_programs(session: Session, user: User) -> list[Program]:
    """Programs `user` directs or serves as HR (organisation-wide) or analyst, by name: from the
    person's memberships, asked once until the session writes (every signed-in page's navigation
    asks it, and the page may too); no statement for someone who holds none of those roles."""
    return list(remembered(session, ("visible_programs", user.id), lambda: _visible(session, user),
                           ("membership", "program")))


def _visible(session: Session, user: User) -> list[Program]:
    held = [m for m in policy.memberships_of(session, user) if m.enrollment_id is None and m.role in PROGRAM_ROLES]
    programs = {m.program_id for m in held if m.program_id is not None}
    organisations = {m.organisation_id for m in held if m.program_id is None and m.organisation_id is not None}
    if not programs and not organisations:
        return []
    return list(session.exec(select(Program).where(or_(
        Program.id.in_(programs), Program.organisation_id.in_(organisations)))  # type: ignore[union-attr]
        .order_by(Program.name)).all())
