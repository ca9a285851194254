"""Email notifications: what each message says, delivering it at most once, and the digest preference.

Delivery guarantee (read before changing `deliver`)
---------------------------------------------------
One outbox message asks for at most one email, keyed by the outbox message's dedupe key in
`SentNotification`. A send goes CLAIMED -> TRANSMITTING -> SENT:

* CLAIMED is committed (own transaction) before the mail server is contacted. A worker killed
  while composing, connecting, or during MAIL FROM / RCPT TO leaves CLAIMED: nothing reached the
  server, so the retry sends again, with the same Message-ID.
* TRANSMITTING is committed (own transaction) after the server accepted sender and recipients,
  just before the body is handed over. A worker killed from here until SENT is committed cannot
  know whether the server kept the message. We choose **at most once** for that window: the retry
  marks the message UNCERTAIN, sends nothing and logs it; it is listed on the administrators'
  jobs page with a "send again" button (same Message-ID, so a mail client that did get the first
  copy can tell). A duplicate password-reset link or reminder in someone's inbox is worse for
  trust than a rare, visible, one-click resend, and the window is a single DATA exchange.
* SENT is written in the same transaction that marks the outbox message completed.

Task messages (`Email.digestible`) may become a `DigestItem` instead, recorded as DIGESTED so a
rerun adds nothing. Each person chooses (`delivery`): by default ("routine") only routine items
(`Email.routine`: logs to sign) wait for the daily digest and everything else comes at once;
"each" sends every item at once; "daily" holds every task item. Urgent items (a sign-off due
within `URGENT_DAYS`) are not digestible at all: they come at once whatever the choice, like
deadline reminders and password links.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app import mail
from app.db import engine
from app.models import (
    DeliveryStatus,
    DigestItem,
    LogKind,
    NotificationPreference,
    OutboxMessage,
    Program,
    SentNotification,
    User,
    utcnow,
)
from app.urls import external_url
from workflows.deadlines import Deadline
from workflows.facts import signoff_label

log = logging.getLogger(__name__)


# --- What a handler hands back ----------------------------------------------------------------


@dataclass
class Email:
    """An email an outbox handler wants sent; the runner delivers it (once)."""

    to_email: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    recipient_id: int | None = None
    # Task messages may wait for the recipient's daily digest; reminders and resets never do.
    digestible: bool = False
    # Routine task messages (logs to sign) wait for the digest unless the person chose one email each.
    routine: bool = False
    summary: str = ""
    link: str = ""
    # Runs in the job's transaction once the server accepted the message (e.g. mark digest items).
    on_sent: Callable[[Session], None] | None = None

    def __post_init__(self) -> None:
        # A subject (and its digest line) built from parts can carry a part's stray spaces (" Due 3 May");
        # a mail client shows them as a ragged start, so every subject is said with single spaces.
        self.subject = " ".join(self.subject.split())
        self.summary = " ".join(self.summary.split())


def enrollment_link(enrollment_id: int) -> str:
    """The enrolment's page, where the candidate and approvers act on it."""
    return external_url("candidate.dashboard", enrollment_id=enrollment_id)


def step_label(key: str) -> str:
    """A sign-off key as words ("year1_complete" -> "Year 1 complete")."""
    return signoff_label(key)


# --- Compositions: plain data in, an Email out (features without tables yet call these) ----------


def password_reset_email(user: User, link: str) -> Email:
    """A single-use, expiring password-reset link."""
    return Email(user.email, "Reset your Credential Tracker password", "password_reset",
                 {"user": user, "link": link}, recipient_id=user.id, link=link)


def invitation_email(to_email: str, to_name: str, inviter_name: str, candidate_name: str | None, program_name: str,
                     role: str, link: str, expires_on: date | None = None) -> Email:
    """An invitation to join a candidate's support team, with the link that accepts it. `candidate_name`
    is None when the candidate invites (their own team); otherwise the email says whose team it is."""
    team = f"{candidate_name}’s support team" if candidate_name else "their support team"
    return Email(to_email, f"{inviter_name} invited you to join {team} as {role} in {program_name}", "invitation",
                 {"name": to_name, "inviter_name": inviter_name, "team": team, "program_name": program_name,
                  "role": role, "link": link, "expires_on": expires_on}, link=link)


def staff_email(to_email: str, to_name: str, inviter_name: str, role: str, where: str, link: str,
                expires_on: date | None = None, waiting: int = 0) -> Email:
    """Someone was invited to (expires_on given) or given a staff role: what, where, the way in, and
    how many things already wait on them."""
    subject = (f"You are invited to be {role} at {where}" if expires_on else f"You have been added as {role} at {where}")
    return Email(to_email, subject, "staff_role",
                 {"name": to_name, "inviter_name": inviter_name, "role": role, "where": where, "link": link,
                  "expires_on": expires_on, "waiting": waiting}, link=link)


URGENT_DAYS = 7  # a task due within a week is urgent: it comes at once, whatever the person chose


def urgent(due_on: date | None, today: date | None = None) -> bool:
    """Whether a task's due date is near enough that its email must not wait for a digest."""
    return due_on is not None and due_on <= (today or utcnow().date()) + timedelta(days=URGENT_DAYS)


def task_assigned_email(assignee: User, candidate_name: str, task: str, link: str,
                        due_on: date | None = None) -> Email:
    """Someone has a task to do for a candidate (a sign-off, a review); due within a week, it is urgent."""
    subject = f"Action needed: {task} for {candidate_name}"
    return Email(assignee.email, subject, "task_assigned",
                 {"user": assignee, "candidate_name": candidate_name, "task": task, "link": link, "due_on": due_on},
                 recipient_id=assignee.id, digestible=not urgent(due_on), summary=subject, link=link)


def task_decided_email(recipient: User, task: str, decided_by: str, outcome: str, link: str) -> Email:
    """A task about the recipient was decided (a document verified, a sign-off given)."""
    subject = f"{task}: {outcome}"
    return Email(recipient.email, subject, "task_decided",
                 {"user": recipient, "task": task, "decided_by": decided_by, "outcome": outcome, "link": link},
                 recipient_id=recipient.id, digestible=True, summary=f"{subject} by {decided_by}", link=link)


def sent_back_email(recipient: User, item: str, decided_by: str, reason: str, link: str) -> Email:
    """Something the recipient submitted was sent back, with the reason to fix it."""
    subject = f"Sent back: {item}"
    return Email(recipient.email, subject, "sent_back",
                 {"user": recipient, "item": item, "decided_by": decided_by, "reason": reason, "link": link},
                 recipient_id=recipient.id, digestible=True, summary=f"{subject}: {reason}", link=link)


def log_to_sign_email(signer: User, candidate_name: str, kind: str, occurred_on: date, hours: float,
                      link: str) -> Email:
    """A log entry names the signer and waits for their signature."""
    when = f"{occurred_on.day} {occurred_on:%B %Y}"
    subject = f"Please sign {candidate_name}’s {kind} log of {when}"
    return Email(signer.email, subject, "log_to_sign",
                 {"user": signer, "candidate_name": candidate_name, "kind": kind, "when": when,
                  "hours": f"{hours:g}", "link": link},
                 recipient_id=signer.id, digestible=True, routine=True, summary=subject, link=link)


def document_to_verify_email(recipient: User, candidate_name: str, label: str, plan: bool, link: str) -> Email:
    """A document waits for the recipient's verification; a plan, for their review."""
    subject = (f"{candidate_name} shared their {label} for your review" if plan
               else f"Please verify {candidate_name}’s {label}")
    return Email(recipient.email, subject, "document_to_verify",
                 {"user": recipient, "candidate_name": candidate_name, "label": label, "plan": plan, "link": link},
                 recipient_id=recipient.id, digestible=True, summary=subject, link=link)


def step_advanced_email(candidate: User, step: str, program: Program | None, link: str) -> Email:
    """The candidate's enrolment moved to a new step."""
    return Email(candidate.email, f"Your pathway moved on: {step}", "step_advanced",
                 {"user": candidate, "step": step, "program": program, "link": link},
                 recipient_id=candidate.id, digestible=True, summary=f"Your pathway moved on: {step}", link=link)


def deadline_reminder_email(person: User, deadline: Deadline, left: int, link: str,
                            for_candidate: str | None = None) -> Email:
    """A deadline is coming: what, by when, how many days are left (to a director, for whom)."""
    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
    template = "recommendation_reminder" if deadline.key == "recommendation_window" else "deadline_reminder"
    subject = f"Due {when}: {deadline.label}" + (f" for {for_candidate}" if for_candidate else "")
    return Email(person.email, subject, template,
                 {"user": person, "deadline": deadline, "days_left": left, "when": when, "link": link,
                  "candidate_name": for_candidate}, recipient_id=person.id, link=link)


def deadline_escalation_email(director: User, candidate_name: str, deadline: Deadline, link: str) -> Email:
    """A deadline passed unmet: tell the program director."""
    return Email(director.email, f"Overdue for {candidate_name}: {deadline.label}", "deadline_escalation",
                 {"user": director, "candidate_name": candidate_name, "deadline": deadline, "link": link},
                 recipient_id=director.id, link=link)


def signoff_overdue_email(director: User, candidate_name: str, task: str, role: str, waiting_since: date,
                          link: str) -> Email:
    """A step has waited only on a sign-off for too long: tell the program director."""
    return Email(director.email, f"Sign-off overdue for {candidate_name}: {task}", "signoff_overdue",
                 {"user": director, "candidate_name": candidate_name, "task": task, "role": role,
                  "waiting_since": waiting_since, "link": link}, recipient_id=director.id, link=link)


def log_nudge_email(candidate: User, kind: str, week_start: date, link: str) -> Email:
    """Last week has no mentoring or coaching log."""
    what = "coaching" if kind == LogKind.COACHING else "mentoring"
    return Email(candidate.email, f"No {what} logged for the week of {week_start:%B} {week_start.day}",
                 "log_nudge", {"user": candidate, "what": what, "week_start": week_start,
                               "week_end": week_start + timedelta(days=6), "link": link},
                 recipient_id=candidate.id, link=link)


def recommendation_steps_email(candidate: User, recommended_on: date, purged_on: date, link: str) -> Email:
    """The program recommended the candidate: the steps left on CTC Online, and the 90-day limit."""
    return Email(candidate.email, "Your credential recommendation: finish it on CTC Online", "recommendation_steps",
                 {"user": candidate, "recommended_on": recommended_on, "purged_on": purged_on, "link": link},
                 recipient_id=candidate.id, link=link)


def digest_email(user: User, items: list[DigestItem], link: str) -> Email:
    """Everything held for the recipient's daily digest, in one message."""
    count = len(items)
    return Email(user.email, f"Your Credential Tracker digest: {count} update{'s' if count != 1 else ''}",
                 "digest", {"user": user, "items": items, "link": link}, recipient_id=user.id, link=link)


# --- Preferences --------------------------------------------------------------------------------


ROUTINE, EACH, DAILY = "routine", "each", "daily"
DELIVERY_CHOICES = (ROUTINE, EACH, DAILY)


def delivery(session: Session, user_id: int) -> str:
    """How the user takes task email: ROUTINE (the default: routine items in the daily digest,
    the rest at once), EACH (every item at once) or DAILY (every task item in the digest)."""
    preference = session.get(NotificationPreference, user_id)
    if preference is None:
        return ROUTINE
    return DAILY if preference.daily_digest else EACH


def prefers_digest(session: Session, user_id: int) -> bool:
    """Whether the user takes every task email as one daily digest."""
    return delivery(session, user_id) == DAILY


def held_for_digest(session: Session, email: Email) -> bool:
    """Whether this email waits for the recipient's daily digest, as they chose."""
    if not email.digestible or email.recipient_id is None:
        return False
    choice = delivery(session, email.recipient_id)
    return choice == DAILY or (choice == ROUTINE and email.routine)


def set_delivery(session: Session, user: User, choice: str) -> None:
    """Choose ROUTINE (the default: no row), EACH or DAILY; the caller commits."""
    if choice not in DELIVERY_CHOICES:
        raise ValueError(choice)
    preference = session.get(NotificationPreference, user.id)
    if choice == ROUTINE:
        if preference is not None:
            session.delete(preference)
        return
    set_daily_digest(session, user, choice == DAILY)


def set_daily_digest(session: Session, user: User, daily: bool) -> NotificationPreference:
    """Choose a daily digest of every task item (True) or one email per item (False); the caller commits."""
    preference = session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)  # type: ignore[arg-type]
    preference.daily_digest = daily
    preference.updated_at = utcnow()
    session.add(preference)
    return preference


# --- Delivery -----------------------------------------------------------------------------------


def deliver(session: Session, message: OutboxMessage, email: Email) -> str:
    """Send `email` for this outbox message at most once; returns what happened.

    `session` is the job's transaction (it marks the outbox message completed); the claim and the
    transmit mark are committed on their own connections before the server sees anything.
    """
    key = message.dedupe_key
    record = session.exec(select(SentNotification).where(SentNotification.dedupe_key == key)
                          .execution_options(populate_existing=True)).first()
    if record is not None:
        status = DeliveryStatus(record.status)
        if status in (DeliveryStatus.SENT, DeliveryStatus.DIGESTED, DeliveryStatus.UNCERTAIN):
            return status.value
        if status is DeliveryStatus.TRANSMITTING:
            # Killed mid-transmission earlier: the server may have it. At most once: do not resend.
            record.status = DeliveryStatus.UNCERTAIN.value
            session.add(record)
            log.warning("email %s (%s) may or may not have been delivered; not sending it again "
                        "(an administrator can resend it)", key, record.message_id)
            return DeliveryStatus.UNCERTAIN.value
        # CLAIMED (died before the server saw the body) or RESEND (asked for): send again.

    if record is None and held_for_digest(session, email):
        if session.exec(select(DigestItem.id).where(DigestItem.dedupe_key == key)).first() is None:
            session.add(DigestItem(dedupe_key=key, user_id=email.recipient_id, subject=email.subject,
                                   summary=email.summary or email.subject, link=email.link))
        session.add(SentNotification(dedupe_key=key, outbox_message_id=message.id, kind=message.job,
                                     recipient_id=email.recipient_id, recipient_email=email.to_email,
                                     subject=email.subject[:300], message_id=mail.new_message_id(),
                                     status=DeliveryStatus.DIGESTED.value))
        return DeliveryStatus.DIGESTED.value

    record_id, message_id = _claim(message, email)
    composed = mail.compose(email.to_email, email.subject, email.template, message_id=message_id, **email.context)
    mail.send(composed, before_transmit=lambda: _mark_transmitting(record_id))
    session.execute(update(SentNotification).where(SentNotification.id == record_id)  # type: ignore[arg-type]
                    .values(status=DeliveryStatus.SENT.value, sent_at=utcnow()))
    if email.on_sent is not None:
        email.on_sent(session)
    return DeliveryStatus.SENT.value


def _claim(message: OutboxMessage, email: Email) -> tuple[int, str]:
    """Record (and commit) that this email is being sent; returns its row id and Message-ID."""
    with Session(engine()) as claim:
        record = claim.exec(select(SentNotification).where(SentNotification.dedupe_key == message.dedupe_key)).first()
        if record is None:
            record = SentNotification(dedupe_key=message.dedupe_key, outbox_message_id=message.id, kind=message.job,
                                      recipient_id=email.recipient_id, recipient_email=email.to_email,
                                      subject=email.subject[:300], message_id=mail.new_message_id())
        record.status = DeliveryStatus.CLAIMED.value
        record.claimed_at = utcnow()
        record.attempts += 1
        claim.add(record)
        claim.commit()
        return record.id, record.message_id  # type: ignore[return-value]


def _mark_transmitting(record_id: int) -> None:
    with Session(engine()) as mark:
        mark.execute(update(SentNotification).where(SentNotification.id == record_id)  # type: ignore[arg-type]
                     .values(status=DeliveryStatus.TRANSMITTING.value, transmit_started_at=utcnow()))
        mark.commit()


def resend(session: Session, notification: SentNotification) -> OutboxMessage | None:
    """Send an UNCERTAIN message again (an administrator decided); the caller commits, then dispatches."""
    if notification.status != DeliveryStatus.UNCERTAIN.value:
        raise ValueError("Only a message whose delivery is uncertain can be sent again.")
    message = session.get(OutboxMessage, notification.outbox_message_id) if notification.outbox_message_id else None
    if message is None:
        raise ValueError("The request behind this message is gone; it cannot be sent again.")
    notification.status = DeliveryStatus.RESEND.value
    message.completed_at = None
    message.dispatched_at = None
    session.add(notification)
    session.add(message)
    return message


# --- Timed sweeps: they only write outbox messages; handlers re-check before sending --------------
















