"""The program director's notice (`email.program_notice`): one email per audit event and director.

Queued by app/services/team/director_notices.py. The handler re-reads everything: nothing is sent
to a deactivated account or someone no longer directing the program, nor about a record closed
since, or a proposal confirmed, declined or withdrawn since. What the email says comes from the
audit event's action: a new enrolment, or a candidate's proposal waiting for confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlmodel import Session

from app.models import PATHWAY_LABELS, AuditEvent, Enrollment, Membership, Organisation, Program, User
from app.services.enrollments import pathways
from app.services.notifications import emails
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.services.progress import stuck
from app.services.signoffs import panels
from app.services.team import staff
from app.services.team.director_notices import PROGRAM_NOTICE, program_directors
from app.urls import external_url
from workflows.roles import Role


def _new_enrolment(session: Session, audit: AuditEvent, enrollment: Enrollment, program: Program,
                   candidate: User, director: User) -> Email | None:
    """ "New enrolment: Ana Ruiz in Linden Induction", with the record and the assignments page."""
    subject = f"New enrolment: {candidate.name} in {program.name}"
    link = emails.enrollment_link(enrollment.id)  # type: ignore[arg-type]
    return Email(director.email, subject, "program_notice",
                 {"user": director, "kind": "enrolment", "candidate_name": candidate.name, "program_name": program.name,
                  "pathway": PATHWAY_LABELS.get(enrollment.pathway, ""), "enrolled_on": enrollment.enrolled_on,
                  "credential_sought": enrollment.credential_sought or "", "link": link,
                  "assignments_link": external_url("director.assignments_page", program_id=program.id)},
                 recipient_id=director.id, digestible=True, summary=subject, link=link)


def _proposal(session: Session, audit: AuditEvent, enrollment: Enrollment, program: Program,
              candidate: User, director: User) -> Email | None:
    """A candidate proposed their mentor, coach or supervisor: who (with their email), whether they are on
    the organisation's staff, and who proposed them; nothing once it was confirmed or declined."""
    membership = session.get(Membership, (audit.details or {}).get("membership_id"))
    if membership is None or membership.revoked_at is not None or not membership.proposed_role:
        return None
    person = session.get(User, membership.user_id)
    if person is None:
        return None
    proposer = session.get(User, membership.granted_by_id) if membership.granted_by_id else None
    organisation = session.get(Organisation, program.organisation_id)
    role = Role(membership.proposed_role).in_sentence
    subject = f"To confirm: {person.name} as {candidate.name}’s {role} in {program.name}"
    link = external_url("director.assignments_page", program_id=program.id)
    return Email(director.email, subject, "program_notice",
                 {"user": director, "kind": "proposal", "candidate_name": candidate.name, "program_name": program.name,
                  "person_name": person.name, "person_email": person.email, "role": role,
                  "on_staff": person.id in staff.on_staff(session, program.organisation_id, {person.id}),  # type: ignore[arg-type]
                  "organisation_name": organisation.name if organisation else "the organisation",
                  "proposed_by": (proposer.name if proposer else "someone no longer on record"),
                  "by_candidate": proposer is not None and proposer.id == enrollment.candidate_id, "link": link},
                 recipient_id=director.id, digestible=True, summary=subject, link=link)


def _panel_not_yet(session: Session, audit: AuditEvent, enrollment: Enrollment, program: Program,
                   candidate: User, director: User) -> Email | None:
    """The exit-interview panel did not see mastery yet: its reasons, and the next panel to convene."""
    outcome = panels.not_yet(session, enrollment)
    if (audit.details or {}).get("outcome") != "not_yet" or outcome is None or outcome.next_convened:
        return None  # decided otherwise since, or the next panel is already convened
    subject = f"Exit interview: not yet for {candidate.name} in {program.name}"
    link = emails.enrollment_link(enrollment.id)  # type: ignore[arg-type]
    return Email(director.email, subject, "program_notice",
                 {"user": director, "kind": "panel", "candidate_name": candidate.name, "program_name": program.name,
                  "reasons": outcome.reasons, "link": link,
                  "panel_link": external_url("inbox.panel_setup", enrollment_id=enrollment.id)},
                 recipient_id=director.id, summary=subject, link=link)


_NOTICES: dict[str, Callable[[Session, AuditEvent, Enrollment, Program, User, User], Email | None]] = {
    "enrollment.created": _new_enrolment,
    "role.proposed": _proposal,
    "panel.decided": _panel_not_yet,
}


@handler(PROGRAM_NOTICE)
def send_program_notice(session: Session, audit_event_id: int, recipient_id: int) -> Email | None:
    """Tell one program director what the audit event means for them (nothing if it no longer holds)."""
    audit = session.get(AuditEvent, audit_event_id)
    enrollment = session.get(Enrollment, audit.enrollment_id) if audit and audit.enrollment_id else None
    director = session.get(User, recipient_id)
    if audit is None or enrollment is None or director is None or not director.active:
        return None
    compose = _NOTICES.get(audit.action)
    program = session.get(Program, enrollment.program_id)
    candidate = session.get(User, enrollment.candidate_id)
    if compose is None or program is None or candidate is None or pathways.is_final(enrollment):
        return None
    if director.id not in {d.id for d in program_directors(session, enrollment)}:
        return None  # no longer directs the program
    return compose(session, audit, enrollment, program, candidate, director)


@handler("email.no_one_can_act")
def send_no_one_can_act(session: Session, program_id: int, recipient_id: int, candidates: int) -> Email | None:
    """The daily word to a director while candidates of their program wait on a role nobody holds
    (progress/stuck.py): how many, and the cohort page that lists them (nothing if none is left)."""
    program = session.get(Program, program_id)
    director = session.get(User, recipient_id)
    if program is None or director is None or not director.active:
        return None
    if director.id not in {d.id for d in program_directors(session, SimpleNamespace(program_id=program_id))}:  # type: ignore[arg-type]
        return None
    waiting = stuck.nobody_can_act(session, [program_id])
    if not waiting:
        return None
    count = len({line.enrollment_id for line in waiting})
    roles = sorted({line.role.in_sentence for line in waiting})
    subject = f"{count} candidate{'' if count == 1 else 's'} in {program.name} wait{'s' if count == 1 else ''} on a role nobody holds"
    link = external_url("director.cohort_dashboard", program_id=program_id)
    return Email(director.email, subject, "program_notice",
                 {"user": director, "kind": "stuck", "program_name": program.name, "count": count, "roles": roles,
                  "lines": waiting[:5], "link": link,
                  "staff_link": external_url("organisations.program_staff", organisation_id=program.organisation_id,
                                             program_id=program_id)},
                 recipient_id=director.id, summary=subject, link=link)
