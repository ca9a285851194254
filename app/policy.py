"""Who may see and do what: decided here, and only here.

A person's roles on an enrolment come from being its candidate, from memberships on that
enrolment (mentor, coach, site administrator...), on its program (director, analyst, panel) or on
the program's organisation (district HR). Service administrators run the service; they see
enrolments to support people but act on none unless they also hold a role.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from app.models import Enrollment, Membership, Program, User
from workflows.roles import EVALUATOR_ROLES, Role


def roles_on(session: Session, user: User, enrollment: Enrollment) -> frozenset[Role]:
    """Every role `user` holds on this enrolment."""
    roles: set[Role] = set()
    if enrollment.candidate_id == user.id:
        roles.add(Role.CANDIDATE)
    program = session.get(Program, enrollment.program_id)
    scopes = [Membership.enrollment_id == enrollment.id, Membership.program_id == enrollment.program_id]
    if program is not None:
        scopes.append((Membership.organisation_id == program.organisation_id) & Membership.program_id.is_(None)  # type: ignore[union-attr]
                      & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    rows = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None), or_(*scopes))).all()  # type: ignore[union-attr]
    roles.update(Role(role) for role in rows)
    return frozenset(roles)


def is_service_administrator(session: Session, user: User) -> bool:
    """Whether `user` administers the whole service."""
    return session.exec(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == Role.SERVICE_ADMINISTRATOR.value,
        Membership.revoked_at.is_(None))).first() is not None  # type: ignore[union-attr]


def can_view_enrollment(session: Session, user: User, enrollment: Enrollment) -> bool:
    """Whether `user` may open this enrolment at all."""
    return bool(roles_on(session, user, enrollment)) or is_service_administrator(session, user)


def can_request_event(roles: frozenset[Role], allowed: frozenset[Role]) -> bool:
    """Whether someone with `roles` may ask for an event that `allowed` roles may ask for."""
    return bool(roles & allowed)


def can_read_confidential_notes(roles: frozenset[Role]) -> bool:
    """Mentoring and coaching notes: the candidate and their mentor or coach, never evaluators.

    CTC induction precondition 5: the ILP and mentoring are for growth, not employment evaluation;
    someone who is both a mentor and an evaluator of the same candidate still may not read them.
    """
    if roles & EVALUATOR_ROLES:
        return False
    return bool(roles & {Role.CANDIDATE, Role.MENTOR, Role.COACH})


# Who may upload documents on an enrolment: the candidate and the people who hold records for them.
_UPLOADERS = frozenset({Role.CANDIDATE, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR,
                        Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.SITE_ADMINISTRATOR})


def can_read_evidence(roles: frozenset[Role]) -> bool:
    """Documents: anyone with a role on the enrolment (service administrators do not read them)."""
    return bool(roles)


def can_upload_evidence(roles: frozenset[Role]) -> bool:
    """Whether someone with `roles` may add a document to this enrolment."""
    return bool(roles & _UPLOADERS)


def can_decide_evidence(roles: frozenset[Role], clears: Role | None) -> bool:
    """Verify or send back: the role the rule names as clearing it, or a credential analyst."""
    return Role.CREDENTIAL_ANALYST in roles or (clears is not None and clears in roles and clears is not Role.CANDIDATE)


def can_manage_background_jobs(session: Session, user: User) -> bool:
    """Failed jobs, their requeue and email resends: service administrators only."""
    return is_service_administrator(session, user)


# --- Role conflicts: nobody approves their own work ---------------------------------------------


def can_sign_off(user: User, enrollment: Enrollment, role: Role, roles: frozenset[Role]) -> bool:
    """A sign-off as `role`: held on this enrolment, and never by the candidate on their own step."""
    return enrollment.candidate_id != user.id and role in roles


def can_keep_log(user: User, enrollment: Enrollment) -> bool:
    """Logs are the candidate's own record."""
    return enrollment.candidate_id == user.id


def can_sign_log(user: User, signer_id: int | None) -> bool:
    """Only the mentor or coach an entry names signs it."""
    return signer_id is not None and signer_id == user.id


def can_decide_own_upload(user: User, uploaded_by_id: int) -> bool:
    """Whoever uploaded a document never verifies it."""
    return user.id != uploaded_by_id
