"""Outbox handlers that send email. Each re-reads the database: stale work does nothing."""

from __future__ import annotations

from sqlmodel import Session

from app import mail
from app.urls import external_url
from app.models import User

from .registry import handler


@handler("email.password_reset")
def send_password_reset(session: Session, user_id: int) -> None:
    """Email a single-use, expiring password-reset link."""
    from app.auth.tokens import make_reset_token

    user = session.get(User, user_id)
    if user is None or not user.active:
        return
    link = external_url("auth.reset_password", token=make_reset_token(user))
    mail.send(mail.compose(user.email, "Reset your Credential Tracker password", "password_reset",
                           user=user, link=link))


@handler("email.step_advanced")
def send_step_advanced(session: Session, audit_event_id: int) -> None:
    """Tell the candidate their enrolment moved to a new step."""
    from app.models import AuditEvent, Enrollment, Program
    from workflows import engine

    audit = session.get(AuditEvent, audit_event_id)
    if audit is None or audit.enrollment_id is None:
        return
    enrollment = session.get(Enrollment, audit.enrollment_id)
    candidate = session.get(User, enrollment.candidate_id) if enrollment else None
    if enrollment is None or candidate is None or not candidate.active:
        return
    program = session.get(Program, enrollment.program_id)
    labels = {s.value: s.label for s in engine.states(enrollment.pathway, enrollment.pathway_version)}
    step = labels.get(audit.to_state or "", audit.to_state)
    link = external_url("main.home")
    mail.send(mail.compose(candidate.email, f"Your pathway moved on: {step}", "step_advanced",
                           user=candidate, step=step, program=program, link=link))
