"""Outbox handlers for every email. Each re-reads the database: stale or duplicate work does nothing.

Handlers return an `Email` (delivered once by the runner) or None when there is nothing to send
any more: the account was deactivated, the document replaced, the deadline met or moved.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app import clock, policy
from app.auth.tokens import make_reset_token
from app.models import (
    AuditEvent,
    DigestItem,
    Enrollment,
    Evidence,
    Invitation,
    LogEntry,
    Membership,
    Organisation,
    PoolMember,
    Program,
    SignOff,
    StaffInvitation,
    User,
    utcnow,
)
from app.services.enrollments import pathways
from app.services.enrollments.facts import build_facts, program_calendar
from app.services.enrollments.words import current_zone
from app.services.notifications import emails, reminders
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.services.signoffs import waiting_on
from app.services.team import invitations as team
from app.services.team import staff, staff_invitations
from app.urls import external_url
from workflows import engine
from workflows.deadlines import Deadline, days_left, deadlines
from workflows.facts import EvidenceKind, EvidenceStatus
from workflows.registry import plugin
from workflows.roles import Role


def _active(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active else None


def _open_enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    """The enrolment, unless it is gone or finished (nothing is due on a closed record)."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or pathways.is_final(enrollment):
        return None
    return enrollment


def _current_deadline(session: Session, enrollment: Enrollment, key: str,
                      due: str | None = None) -> tuple[Deadline, int] | None:
    """The deadline as it stands now, if still unmet (and, when `due` is given, still due that day)."""
    facts = build_facts(session, enrollment, utcnow())
    for deadline in deadlines(facts, enrollment.pathway_version, enrollment.state):
        if deadline.key == key and due in (None, deadline.due.isoformat()) and not deadline.met:
            return deadline, days_left(deadline, facts.today)
    return None


@handler("email.password_reset")
def send_password_reset(session: Session, user_id: int) -> Email | None:
    """Email a single-use, expiring password-reset link."""
    user = _active(session, user_id)
    if user is None:
        return None
    return emails.password_reset_email(user, external_url("auth.reset_password", token=make_reset_token(user)))


@handler("email.step_advanced")
def send_step_advanced(session: Session, audit_event_id: int) -> Email | None:
    """Tell the candidate their enrolment moved to a new step."""
    audit = session.get(AuditEvent, audit_event_id)
    enrollment = session.get(Enrollment, audit.enrollment_id) if audit and audit.enrollment_id else None
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    if audit is None or enrollment is None or candidate is None:
        return None
    if (audit.details or {}).get("deadline_passed"):
        return None  # `email.deadline_passed` tells the candidate and team what the passed date means
    labels = {s.value: s.label for s in engine.states(enrollment.pathway, enrollment.pathway_version)}
    step = labels.get(audit.to_state or "", audit.to_state or "")
    return emails.step_advanced_email(candidate, step, session.get(Program, enrollment.program_id),
                                 emails.enrollment_link(enrollment.id))  # type: ignore[arg-type]


@handler("email.evidence_decided")
def send_evidence_decided(session: Session, evidence_id: int) -> Email | None:
    """Tell the candidate a document was verified, or sent back with the reason."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.superseded_at is not None or evidence.decided_by_id is None:
        return None
    enrollment = session.get(Enrollment, evidence.enrollment_id)
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    decider = session.get(User, evidence.decided_by_id)
    if candidate is None or decider is None:
        return None
    item = EvidenceKind(evidence.kind).label
    link = emails.enrollment_link(evidence.enrollment_id)
    if evidence.status == EvidenceStatus.SENT_BACK:
        return emails.sent_back_email(candidate, item, decider.name, evidence.decision_reason or "", link)
    if evidence.status == EvidenceStatus.VERIFIED:
        return emails.task_decided_email(candidate, item, decider.name, "verified", link)
    return None


@handler("email.signoff_given")
def send_signoff_given(session: Session, signoff_id: int) -> Email | None:
    """Tell the candidate a sign-off was given (nothing if it was withdrawn meanwhile)."""
    signoff = session.get(SignOff, signoff_id)
    if signoff is None or signoff.withdrawn_at is not None:
        return None
    enrollment = session.get(Enrollment, signoff.enrollment_id)
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    signer = session.get(User, signoff.signer_id)
    if candidate is None or signer is None:
        return None
    return emails.task_decided_email(candidate, f"{emails.step_label(signoff.key)} sign-off", f"{signer.name} "
                                f"({Role(signoff.role).in_sentence})", "signed off",
                                emails.enrollment_link(signoff.enrollment_id))


@handler("email.deadline_reminder")
def send_deadline_reminder(session: Session, enrollment_id: int, deadline_key: str, due: str,
                           threshold: int, recipient_id: int | None = None) -> Email | None:
    """Warn whoever meets a coming deadline (the candidate, or a director who assigns the mentor),
    unless it was met or moved since it was queued, or the director no longer directs there."""
    enrollment = _open_enrollment(session, enrollment_id)
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    current = _current_deadline(session, enrollment, deadline_key, due) if enrollment else None
    if enrollment is None or candidate is None or current is None or current[1] < 0:
        return None
    deadline, left = current
    link = emails.enrollment_link(enrollment_id)
    if recipient_id is None:
        return emails.deadline_reminder_email(candidate, deadline, left, link)
    director = _active(session, recipient_id)
    if director is None or Role.PROGRAM_DIRECTOR not in policy.roles_on(session, director, enrollment):
        return None
    return emails.deadline_reminder_email(director, deadline, left, link, for_candidate=candidate.name)


@handler("email.deadline_escalation")
def send_deadline_escalation(session: Session, enrollment_id: int, deadline_key: str, due: str,
                             director_id: int) -> Email | None:
    """Tell a program director a deadline passed unmet (nothing if it has been met since)."""
    enrollment = _open_enrollment(session, enrollment_id)
    director = _active(session, director_id)
    current = _current_deadline(session, enrollment, deadline_key, due) if enrollment else None
    if enrollment is None or director is None or current is None or current[1] >= 0:
        return None
    candidate = session.get(User, enrollment.candidate_id)
    return emails.deadline_escalation_email(director, candidate.name if candidate else "a candidate", current[0],
                                       emails.enrollment_link(enrollment_id))


@handler("email.log_nudge")
def send_log_nudge(session: Session, enrollment_id: int, kind: str, week_start: str) -> Email | None:
    """Nudge the candidate about a week with no mentoring/coaching log (nothing if one was added, or if the
    program's calendar has since made it a week without school)."""
    enrollment = _open_enrollment(session, enrollment_id)
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    monday = date.fromisoformat(week_start)
    if candidate is None or reminders.has_log(session, enrollment_id, kind, monday):
        return None
    if not program_calendar(session.get(Program, enrollment.program_id)).is_school_week(monday):  # type: ignore[union-attr]
        return None
    return emails.log_nudge_email(candidate, kind, monday, emails.enrollment_link(enrollment_id))


@handler("email.recommendation_steps")
def send_recommendation_steps(session: Session, enrollment_id: int, recommended_on: str) -> Email | None:
    """Explain the CTC Online steps after a recommendation, while its 90-day window is open."""
    enrollment = _open_enrollment(session, enrollment_id)
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    if enrollment is None or candidate is None or str(enrollment.recommended_on) != recommended_on:
        return None  # withdrawn or re-submitted: the newer recommendation has its own message
    current = _current_deadline(session, enrollment, "recommendation_window")
    if current is None or current[1] < 0:
        return None
    return emails.recommendation_steps_email(candidate, enrollment.recommended_on, current[0].due,  # type: ignore[arg-type]
                                        emails.enrollment_link(enrollment_id))


def _log_signed(session: Session, dedupe_key: str) -> bool:
    """Whether a held "log to sign" item's log is signed (or gone) by now."""
    prefix = "log-to-sign-"
    if not dedupe_key.startswith(prefix) or not dedupe_key[len(prefix):].isdigit():
        return False
    entry = session.get(LogEntry, int(dedupe_key[len(prefix):]))
    return entry is None or entry.signed_at is not None


@handler("email.digest")
def send_digest(session: Session, user_id: int, until: str) -> Email | None:
    """One email with every held task notification up to `until`; marks them sent with it."""
    user = _active(session, user_id)
    if user is None:
        return None
    cutoff = datetime.fromisoformat(until)
    held = list(session.exec(select(DigestItem).where(
        DigestItem.user_id == user_id, DigestItem.digested_at.is_(None),  # type: ignore[union-attr]
        DigestItem.created_at <= cutoff).order_by(DigestItem.created_at)).all())
    # A log signed since it was held needs no more telling: left out, and marked with the rest so it
    # never comes back. (Nothing is written before an email's claim: SQLite has one write lock.)
    items = [item for item in held if not _log_signed(session, item.dedupe_key)]
    if not items:
        for item in held:
            item.digested_at = utcnow()
            session.add(item)
        return None

    def mark_digested(job_session: Session) -> None:
        for item in held:
            item.digested_at = utcnow()
            job_session.add(item)

    email = emails.digest_email(user, items, external_url("main.home"))
    email.on_sent = mark_digested
    return email


@handler("email.invitation")
def send_invitation(session: Session, invitation_id: int) -> Email | None:
    """Email a support-team invitation's link; nothing once it was withdrawn, accepted or expired."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or not team.is_pending(invitation):
        return None
    enrollment = session.get(Enrollment, invitation.enrollment_id)
    inviter = session.get(User, invitation.invited_by_id)
    program = session.get(Program, enrollment.program_id) if enrollment else None
    if enrollment is None or inviter is None or program is None:
        return None
    invitee = session.exec(select(User).where(User.email == invitation.email)).first()
    organisation = session.get(Organisation, program.organisation_id)
    # The last day, as the calendar reads where the program is.
    last_day = invitation.expires_at.astimezone(ZoneInfo(organisation.timezone if organisation else current_zone())).date()
    link = external_url("candidate.invitation", token=team.token_for(invitation))
    candidate = session.get(User, enrollment.candidate_id)
    email = emails.invitation_email(invitation.email, invitee.name if invitee else invitation.email, inviter.name,
                                    candidate.name if candidate and candidate.id != inviter.id else None,
                                    program.name, Role(invitation.role).in_sentence, link, last_day)
    email.recipient_id = invitee.id if invitee else None
    return email


@handler("email.deadline_passed")
def send_deadline_passed(session: Session, audit_event_id: int, recipient_id: int) -> Email | None:
    """Tell the candidate, or one of their team, that a date closed the enrolment (sent once each)."""
    audit = session.get(AuditEvent, audit_event_id)
    enrollment = session.get(Enrollment, audit.enrollment_id) if audit and audit.enrollment_id else None
    recipient = _active(session, recipient_id)
    if audit is None or enrollment is None or recipient is None or enrollment.state != audit.to_state:
        return None  # corrected and reopened meanwhile: the closing news is stale
    candidate = session.get(User, enrollment.candidate_id)
    labels = {s.value: s.label for s in engine.states(enrollment.pathway, enrollment.pathway_version)}
    step = labels.get(audit.to_state or "", audit.to_state or "")
    due = (audit.details or {}).get("due")
    link = emails.enrollment_link(enrollment.id)
    for_candidate = recipient.id == enrollment.candidate_id
    whose = "Your" if for_candidate else f"{candidate.name if candidate else 'A candidate'}’s"
    subject = f"{whose} record closed: {step}"
    return Email(recipient.email, subject, "deadline_passed",
                 {"user": recipient, "for_candidate": for_candidate, "step": step,
                  "candidate_name": candidate.name if candidate else "a candidate",
                  "program": session.get(Program, enrollment.program_id),
                  "what": next((t.meaning for t in plugin(enrollment.pathway).time_events if t.event == audit.event), ""),
                  "due": date.fromisoformat(due) if due else None, "link": link},
                 recipient_id=recipient.id, summary=subject, link=link)


@handler("email.staff_invitation")
def send_staff_invitation(session: Session, invitation_id: int) -> Email | None:
    """Email a staff invitation's link; nothing once it was withdrawn, accepted or expired."""
    invitation = session.get(StaffInvitation, invitation_id)
    if invitation is None or not staff_invitations.is_pending(invitation):
        return None
    inviter = session.get(User, invitation.invited_by_id)
    organisation = session.get(Organisation, invitation.organisation_id)
    if inviter is None or organisation is None:
        return None
    invitee = session.exec(select(User).where(User.email == invitation.email)).first()
    last_day = invitation.expires_at.astimezone(ZoneInfo(organisation.timezone)).date()
    link = external_url("organisations.join", token=staff_invitations.token_for(invitation))
    email = emails.staff_email(invitation.email, invitee.name if invitee else (invitation.name or invitation.email),
                               inviter.name, Role(invitation.role).in_sentence,
                               staff_invitations.where_of(session, invitation), link, last_day)
    email.recipient_id = invitee.id if invitee else None
    return email


@handler("email.staff_added")
def send_staff_added(session: Session, kind: str, held_id: int, recipient_id: int | None = None) -> Email | None:
    """Tell someone they were given a staff role, while they still hold it, and how much already waits
    on them (work already queued for the role is theirs from now). `recipient_id` names them for the
    outbox's readers; the role row is the authority."""
    held = session.get(PoolMember if kind == "pool" else Membership, held_id)
    person = _active(session, held.user_id) if held is not None else None
    if held is None or person is None or held.revoked_at is not None:
        return None
    granter = session.get(User, held.granted_by_id) if held.granted_by_id else None
    program = session.get(Program, held.program_id) if held.program_id else None
    organisation = session.get(Organisation, program.organisation_id if program else getattr(held, "organisation_id", 0))
    if organisation is None:
        return None
    where = f"the {program.name} program at {organisation.name}" if program is not None else organisation.name
    email = emails.staff_email(person.email, person.name, granter.name if granter else "Your district",
                               Role(held.role).in_sentence, where, external_url("main.home"),
                               waiting=waiting_on.total(session, person, clock.today()) or 0)
    email.recipient_id = person.id
    return email


@handler("email.staff_gap")
def send_staff_gap(session: Session, audit_event_id: int, recipient_id: int) -> Email | None:
    """Tell a director that a role taken away left a gap: nobody holds it there any more, or candidates
    still have the person as their mentor, coach or site administrator. Nothing once the gap is filled."""
    audit = session.get(AuditEvent, audit_event_id)
    director = _active(session, recipient_id)
    if audit is None or director is None:
        return None
    details = audit.details or {}
    organisation = session.get(Organisation, details.get("organisation_id"))
    program = session.get(Program, details["program_id"]) if details.get("program_id") else None
    if organisation is None:
        return None
    role = Role(details["role"])
    where = program.name if program is not None else organisation.name
    if details.get("pool"):
        still = staff.caseloads(session, program, role, {details["user_id"]}).get(details["user_id"], 0) if program else 0
        if not still:
            return None
        subject = f"{still} candidate{'' if still == 1 else 's'} need{'s' if still == 1 else ''} another {role.in_sentence} in {where}"
        link = external_url("director.assignments_page", program_id=program.id)  # type: ignore[union-attr]
        lines = [(f"{details.get('name') or 'Someone'} is no longer in the {where} pool as {role.in_sentence}, "
                  f"and is still the {role.in_sentence} of {still} candidate{'' if still == 1 else 's'}."),
                 "Assign another from the pool on the mentors and coaches page."]
    else:
        if staff.holders(session, organisation, program, role):
            return None  # someone holds it again
        subject = f"Nobody is {role.in_sentence} at {where} now"
        link = external_url("organisations.program_staff", organisation_id=organisation.id, program_id=program.id) \
            if program is not None else external_url("main.home")
        released = details.get("released_tasks") or 0
        lines = [f"{details.get('name') or 'Someone'} is no longer {role.in_sentence} at {where}, and nobody else is.",
                 (f"{released} sign-off{'' if released == 1 else 's'} they had claimed wait for whoever is given the role."
                  if released else "Sign-offs for that role wait for whoever is given it."),
                 "Ask your service administrator to give the role to someone, or give it on the staff page if you may."]
    return Email(director.email, subject, "staff_gap", {"user": director, "lines": lines, "link": link},
                 recipient_id=director.id, summary=subject, link=link)
