"""Which programs a person sees on the director's side: those they direct, or serve as analyst or district HR."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from app.models import Membership, Program, User
from workflows.roles import Role

# The intern program's support provider records PIP recommendations, so sees that one page of the program.
PROGRAM_ROLES = [Role.PROGRAM_DIRECTOR.value, Role.CREDENTIAL_ANALYST.value, Role.DISTRICT_HR.value,
                 Role.PREP_PROGRAM_SUPPORT_PROVIDER.value]


def visible_programs(session: Session, user: User) -> list[Program]:
    """Programs `user` directs or serves as HR (organisation-wide) or analyst, by name."""
    held = session.exec(select(Membership).where(Membership.user_id == user.id,
                                                 Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                                                 Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
                                                 Membership.role.in_(PROGRAM_ROLES))).all()  # type: ignore[attr-defined]
    program_ids = {m.program_id for m in held if m.program_id}
    organisation_ids = {m.organisation_id for m in held if m.organisation_id and not m.program_id}
    if not program_ids and not organisation_ids:
        return []
    return list(session.exec(select(Program).where(or_(Program.id.in_(program_ids or {0}),  # type: ignore[union-attr]
                                                       Program.organisation_id.in_(organisation_ids or {0})))  # type: ignore[attr-defined]
                             .order_by(Program.name)).all())
