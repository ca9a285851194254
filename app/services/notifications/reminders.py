"""The daily sweep: deadline reminders, weekly log nudges, escalations and digests, each queued once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from app.models import DigestItem, Enrollment, LogEntry, LogKind, Membership, OutboxMessage, User, utcnow
from app.services.enrollments.deadline_events import fire_due_events
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import is_final
from app.services.evidence.documents import sweep_orphan_files
from app.services.notifications import outbox
from app.services.programs.recommendations import purge_expired
from app.services.signoffs.escalation import escalate_overdue
from app.services.team.members import program_directors
from workflows.deadlines import Deadline, days_left, deadlines, local_today
from workflows.roles import Role


def reminder_threshold(deadline: Deadline, today: date, warning_days: Iterable[int]) -> int | None:
    """The tightest warning threshold already reached (None before the first one or once past due)."""
    left = days_left(deadline, today)
    if left < 0:
        return None
    crossed = [n for n in warning_days if left <= n]
    # Only the most urgent one: a sweep that missed days sends "30 days", not 90, 60 and 30 at once.
    return min(crossed) if crossed else None


def last_week(today: date) -> date:
    """The Monday of the last complete Monday-to-Sunday week before `today`."""
    return today - timedelta(days=today.weekday() + 7)


def schedule_reminders(session: Session, now: datetime | None = None) -> Counter[str]:
    """Scan every open enrolment and write the reminders, nudges and escalations now due; commits."""
    now = now or utcnow()
    counts: Counter[str] = Counter()

    def add(job: str, key: str, **payload: Any) -> None:
        # Counted only when this sweep writes it: a message queued by an earlier sweep stays as it is.
        known = session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first()
        outbox.add(session, job, key, **payload)
        if known is None:
            counts[job] += 1

    for enrollment in session.exec(select(Enrollment).order_by(Enrollment.id)).all():
        if is_final(enrollment):
            continue
        facts = build_facts(session, enrollment, now)
        directors: list[User] | None = None
        for deadline in deadlines(facts, enrollment.pathway_version):
            if deadline.met:
                continue
            if days_left(deadline, facts.today) < 0:
                directors = program_directors(session, enrollment) if directors is None else directors
                for director in directors:
                    add("email.deadline_escalation", f"deadline-overdue-{enrollment.id}-{deadline.key}-{deadline.due}-{director.id}",
                        enrollment_id=enrollment.id, deadline_key=deadline.key, due=deadline.due.isoformat(),
                        director_id=director.id)
                continue
            threshold = reminder_threshold(deadline, facts.today, facts.settings.deadline_warning_days)
            if threshold is not None:
                add("email.deadline_reminder", f"deadline-{enrollment.id}-{deadline.key}-{deadline.due}-{threshold}",
                    enrollment_id=enrollment.id, deadline_key=deadline.key, due=deadline.due.isoformat(),
                    threshold=threshold)
            if deadline.key == "recommendation_window" and enrollment.recommended_on is not None:
                add("email.recommendation_steps", f"recommendation-steps-{enrollment.id}-{enrollment.recommended_on}",
                    enrollment_id=enrollment.id, recommended_on=enrollment.recommended_on.isoformat())

        kind = _logged_kind(session, enrollment)
        if kind is not None:
            week_start = last_week(facts.today)
            if enrollment.enrolled_on <= week_start and not has_log(session, enrollment.id, kind, week_start):  # type: ignore[arg-type]
                year, week, _ = week_start.isocalendar()
                add("email.log_nudge", f"log-nudge-{enrollment.id}-{kind}-{year}-W{week:02d}",
                    enrollment_id=enrollment.id, kind=kind, week_start=week_start.isoformat())

    # Sign-offs: an open task past its due date is marked and escalated to the program
    # director(s), once (sign-off tasks carry their own due date; see signoffs/escalation.py).
    escalated = escalate_overdue(session, now)
    if escalated:
        counts["email.task_overdue"] += escalated
    outbox.commit(session)
    return counts


def _logged_kind(session: Session, enrollment: Enrollment) -> str | None:
    """The weekly log this enrolment keeps, once a mentor or coach is assigned (else None)."""
    kind, role = {"induction": (LogKind.MENTORING, Role.MENTOR), "casc": (LogKind.COACHING, Role.COACH)}.get(
        enrollment.pathway, (None, None))
    if kind is None:
        return None
    assigned = session.exec(select(Membership.id).where(
        Membership.enrollment_id == enrollment.id, Membership.role == role.value,  # type: ignore[union-attr]
        Membership.revoked_at.is_(None))).first()  # type: ignore[union-attr]
    return kind.value if assigned is not None else None


def has_log(session: Session, enrollment_id: int, kind: str, week_start: date) -> bool:
    """Whether a log of `kind` exists in the week starting `week_start`."""
    return session.exec(select(LogEntry.id).where(
        LogEntry.enrollment_id == enrollment_id, LogEntry.kind == kind,
        LogEntry.occurred_on >= week_start, LogEntry.occurred_on <= week_start + timedelta(days=6))).first() is not None


def queue_digests(session: Session, now: datetime | None = None) -> int:
    """Write one digest message per person with held items (once per local day); commits."""
    now = now or utcnow()
    today = local_today(now, current_app.config["TIMEZONE"])
    users = session.exec(select(DigestItem.user_id).where(DigestItem.digested_at.is_(None))  # type: ignore[union-attr]
                         .distinct().order_by(DigestItem.user_id)).all()
    for user_id in users:
        outbox.add(session, "email.digest", f"digest-{user_id}-{today}", user_id=user_id, until=now.isoformat())
    outbox.commit(session)
    return len(users)


def daily_sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Fire the automatic events whose date has come (expiries, a missed window), purge lapsed
    recommendations, queue the reminders, nudges and escalations due (each once), and delete
    upload files left by rolled-back transactions."""
    # Time first: a permit that expired today closes its enrolment before any reminder is
    # written for it; a purged recommendation gets no more "pay by" reminders.
    fired = {f"fired.{event}": n for event, n in fire_due_events(session, now).items()}
    purged = purge_expired(session, now)
    counts = {**dict(schedule_reminders(session, now)), **fired}
    extra = {"recommendation.purged": purged, "uploads.orphans_deleted": sweep_orphan_files(session, now)}
    return {**counts, **{name: n for name, n in extra.items() if n}}
