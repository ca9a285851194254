"""Which programs a person sees on the director's side: those they direct, or serve as analyst or district HR."""

from __future__ import annotations

from sqlalchemy import event, or_
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from app.models import Membership, Program, User
from workflows.roles import Role

# The intern program's support provider records PIP recommendations, so sees that one page of the program.
PROGRAM_ROLES = [Role.PROGRAM_DIRECTOR.value, Role.CREDENTIAL_ANALYST.value, Role.DISTRICT_HR.value,
                 Role.PREP_PROGRAM_SUPPORT_PROVIDER.value]


def visible_programs(session: Session, user: User) -> list[Program]:
    """Programs `user` directs or serves as HR (organisation-wide) or analyst, by name: one query,
    asked once per transaction (every signed-in page's navigation asks it, and the page may too)."""
    cache = session.info.setdefault("directory.visible", {})
    if user.id not in cache:
        # The person's memberships are read once (a mentor of hundreds holds hundreds), not once per program.
        held = (Membership.user_id == user.id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                Membership.enrollment_id.is_(None), Membership.role.in_(PROGRAM_ROLES))  # type: ignore[union-attr, attr-defined]
        on_program = select(Membership.program_id).where(*held)
        on_organisation = select(Membership.organisation_id).where(*held, Membership.program_id.is_(None))  # type: ignore[union-attr]
        cache[user.id] = list(session.exec(select(Program).where(or_(
            Program.id.in_(on_program), Program.organisation_id.in_(on_organisation)))  # type: ignore[union-attr]
            .order_by(Program.name)).all())
    return list(cache[user.id])


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    # A membership granted or revoked is seen by the next transaction.
    session.info.pop("directory.visible", None)
