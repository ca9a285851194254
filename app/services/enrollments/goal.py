"""The credential goal: the credential the candidate works toward, the authorization and the employer."""

from __future__ import annotations

from sqlmodel import Session

from app import policy
from app.models import AuditEvent, Enrollment, User
from app.services import NotPermitted, PathwayError
from app.services.enrollments.pathways import load_for_update
from workflows.roles import Role

FIELDS = {"credential_sought": "Credential sought", "authorization": "Authorization or subject",
          "employer": "Employer"}
MAX_LENGTH = 200
EDITORS = frozenset({Role.CANDIDATE, Role.PROGRAM_DIRECTOR})


def may_edit(roles: frozenset[Role]) -> bool:
    """The candidate keeps their goal current; the program director may correct it."""
    return bool(roles & EDITORS)


def update(session: Session, enrollment_id: int, actor: User, **values: str | None) -> Enrollment:
    """Change the goal (the caller commits); the audit keeps what it was before."""
    enrollment = load_for_update(session, enrollment_id)
    if not may_edit(policy.roles_on(session, actor, enrollment)):
        raise NotPermitted("Only the candidate or the program director changes the credential goal.")
    changes = {}
    for name, raw in values.items():
        if name not in FIELDS:
            raise PathwayError("That is not part of the credential goal. Reload the page and try again.")
        value = (raw or "").strip()
        if len(value) > MAX_LENGTH:
            raise PathwayError(f"Keep “{FIELDS[name]}” under {MAX_LENGTH} characters.")
        if value != getattr(enrollment, name):
            changes[name] = {"from": getattr(enrollment, name), "to": value}
            setattr(enrollment, name, value)
    if not values.get("credential_sought", enrollment.credential_sought):
        raise PathwayError("Name the credential you are working toward.")
    if changes:
        session.add(enrollment)
        session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="enrollment.goal_changed",
                               details=changes))
    return enrollment
