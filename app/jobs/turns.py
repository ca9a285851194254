"""The turn emails: something on a candidate's record became someone's to do (progress/turns.py).

Each handler re-reads the record: nothing is sent once the turn is gone, the person no longer holds
the role there, or their account is switched off.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app import policy
from app.jobs.notifications import _active, _open_enrollment
from app.models import AuditEvent, Enrollment, EnrollmentTurn, Program, User
from app.services.notifications import emails
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.urls import external_url
from workflows import engine
from workflows.registry import definition
from workflows.roles import Role


@handler("email.turn")
def send_turn(session: Session, enrollment_id: int, recipient_id: int, role: str, kind: str, key: str) -> Email | None:
    """Tell someone a thing on a candidate's record became theirs to do (progress/turns.py), while it
    still is and they still hold the role there."""
    enrollment = _open_enrollment(session, enrollment_id)
    person = _active(session, recipient_id)
    turn = session.exec(select(EnrollmentTurn).where(
        EnrollmentTurn.enrollment_id == enrollment_id, EnrollmentTurn.role == role, EnrollmentTurn.kind == kind,
        EnrollmentTurn.key == key)).first()
    if enrollment is None or person is None or turn is None or Role(role) not in policy.roles_on(
            session, person, enrollment):
        return None
    candidate = session.get(User, enrollment.candidate_id)
    who = candidate.name if candidate else "A candidate"
    subject = f"Your turn: {turn.what} for {who}"
    # A review meeting to confirm is answered on the meetings page; everything else starts from the record.
    link = (external_url("candidate.meetings", enrollment_id=enrollment.id) + f"#{key}" if kind == "attend"
            else emails.enrollment_link(enrollment.id))  # type: ignore[arg-type]
    return Email(person.email, subject, "turn_to_do",
                 {"user": person, "what": turn.what, "candidate_name": who,
                  "program": session.get(Program, enrollment.program_id), "link": link},
                 recipient_id=person.id, digestible=True, summary=subject, link=link)


@handler("email.your_turn")
def send_your_turn(session: Session, audit_event_id: int, recipient_id: int, event: str) -> Email | None:
    """Tell someone the candidate's next step is theirs to take, while it still is (the enrolment has not
    moved on, and they still hold a role that may take it). Only messages queued before an upgrade
    past 5b05c0ffee13 come here: new turns are told by "email.turn" (progress/turns.py)."""
    audit = session.get(AuditEvent, audit_event_id)
    enrollment = session.get(Enrollment, audit.enrollment_id) if audit and audit.enrollment_id else None
    person = _active(session, recipient_id)
    if audit is None or enrollment is None or person is None or enrollment.state != audit.to_state:
        return None
    spec = definition(enrollment.pathway, enrollment.pathway_version).events.get(event)
    if spec is None or not (policy.roles_on(session, person, enrollment) & spec.by):
        return None
    candidate = session.get(User, enrollment.candidate_id)
    program = session.get(Program, enrollment.program_id)
    step = next((label for e, label, _ in engine.leaving(enrollment.pathway, enrollment.pathway_version,
                                                         enrollment.state) if e == event), event)
    who = candidate.name if candidate else "A candidate"
    subject = f"Your turn: {step} for {who}"
    link = emails.enrollment_link(enrollment.id)  # type: ignore[arg-type]
    return Email(person.email, subject, "your_turn",
                 {"user": person, "step": step, "candidate_name": who, "program": program, "link": link},
                 recipient_id=person.id, digestible=True, summary=subject, link=link)
