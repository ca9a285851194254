"""Private iCalendar feeds: an enrolment's deadlines and meetings in any calendar app.

Calendar apps cannot sign in, so each person gets a secret link per enrolment. Only the token's
SHA-256 is stored; the link works while it is not revoked and while its owner may still view the
enrolment (a mentor taken off the team loses the feed at once). The feed carries dates and titles,
never notes, because a link can travel further than a session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlmodel import Session, select

from app import policy
from app.models import (
    AuditEvent,
    CalendarFeed,
    Enrollment,
    LogEntry,
    LogKind,
    Plan,
    PlanKind,
    Program,
    User,
    utcnow,
)
from app.services import NotPermitted
from app.services.enrollments.facts import build_facts
from workflows.deadlines import deadlines
from workflows.registry import plugin

MAX_LINE_OCTETS = 75  # RFC 5545 §3.1, excluding the CRLF


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_feed(session: Session, user: User, enrollment: Enrollment) -> CalendarFeed | None:
    """The person's working feed for this enrolment, if they made one."""
    return session.exec(select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.enrollment_id == enrollment.id,
        CalendarFeed.revoked_at.is_(None))).first()  # type: ignore[union-attr]


def create(session: Session, user: User, enrollment: Enrollment) -> str:
    """A new secret feed token; any older link of this person for this enrolment stops working.

    The token is returned once and never stored (the caller commits).
    """
    if not policy.can_follow_calendar(policy.roles_on(session, user, enrollment)):
        raise NotPermitted("Only the candidate and their team follow an enrolment's calendar.")
    rotated = revoke(session, user, enrollment, audit=False)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(user_id=user.id, enrollment_id=enrollment.id, token_hash=_hash(token)))  # type: ignore[arg-type]
    session.add(AuditEvent(actor_id=user.id, enrollment_id=enrollment.id,
                           action="calendar_feed.rotated" if rotated else "calendar_feed.created"))
    return token


def revoke(session: Session, user: User, enrollment: Enrollment, audit: bool = True) -> int:
    """Stop the person's feed links for this enrolment; how many were live (the caller commits)."""
    rows = session.exec(select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.enrollment_id == enrollment.id,
        CalendarFeed.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    for row in rows:
        row.revoked_at = utcnow()
        session.add(row)
    if rows and audit:
        session.add(AuditEvent(actor_id=user.id, enrollment_id=enrollment.id, action="calendar_feed.revoked"))
    return len(rows)


def resolve(session: Session, token: str) -> tuple[User, Enrollment] | None:
    """Whose feed of which enrolment a token opens, or None if it opens nothing (any more)."""
    if not token or len(token) > 100:
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))).first()
    if feed is None or feed.revoked_at is not None:
        return None
    user, enrollment = session.get(User, feed.user_id), session.get(Enrollment, feed.enrollment_id)
    if user is None or not user.active or enrollment is None:
        return None
    if not policy.can_follow_calendar(policy.roles_on(session, user, enrollment)):
        return None
    return user, enrollment


# --- RFC 5545 ------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1)."""
    data = line.encode()
    if len(data) <= MAX_LINE_OCTETS:
        return line
    pieces, start, limit = [], 0, MAX_LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        pieces.append(data[start:end].decode())
        start, limit = end, MAX_LINE_OCTETS - 1  # continuation lines begin with one space
    return "\r\n ".join(pieces)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _all_day(uid: str, day: date, summary: str, description: str, stamp: str) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}", f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}", "TRANSP:TRANSPARENT", "END:VEVENT"]


def render(session: Session, enrollment: Enrollment, viewer: User, now: datetime | None = None) -> str:
    """The enrolment's calendar as `viewer` may see it: deadlines, PIP actions due, review meetings."""
    now = now or utcnow()
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "credential-tracker"
    stamp = _stamp(now)
    candidate = session.get(User, enrollment.candidate_id)
    name = candidate.name if candidate else ""
    program = session.get(Program, enrollment.program_id)
    facts = build_facts(session, enrollment, now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Credential Tracker//Deadlines and meetings//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + escape_text(f"Credential Tracker: {name}"),
             "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H"]
    prefix = f"enrollment-{enrollment.id}"
    for deadline in deadlines(facts, enrollment.pathway_version, enrollment.state):
        # Only an unmet deadline is due; one the director carried the enrolment past, or on a closed
        # enrolment, is no longer due (never "Due:" on a day long gone).
        summary = ("Done: " if deadline.done else "No longer due: " if deadline.met else "Due: ") + deadline.label
        lines += _all_day(f"{prefix}-deadline-{deadline.key}@{host}", deadline.due, summary,
                          f"{program.name if program else ''}. Set by: {deadline.source}", stamp)
    roles = policy.roles_on(session, viewer, enrollment)
    for plan in session.exec(select(Plan).where(Plan.enrollment_id == enrollment.id,
                                                Plan.kind.in_([PlanKind.PIP_ACTION.value, PlanKind.PIP_PERSONALIZED.value]))  # type: ignore[attr-defined]
                             ).all():
        if not policy.can_read_plan(roles, plan.kind, "calendar"):
            continue
        for item in plan.items:
            if item.get("due") and not item.get("done") and item.get("status") != "done":
                what = item.get("action") if plan.kind == PlanKind.PIP_ACTION else item.get("gap")
                lines += _all_day(f"{prefix}-plan-{plan.kind}-{item['id']}@{host}", date.fromisoformat(item["due"]),
                                  f"Plan: {what}", f"Responsible: {item.get('owner', '')}", stamp)
    meetings = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id,
                                                   LogEntry.kind == LogKind.REVIEW_MEETING.value)
                            .order_by(LogEntry.occurred_on)).all()  # type: ignore[arg-type]
    for meeting in meetings:
        lines += _all_day(f"{prefix}-meeting-{meeting.id}@{host}", meeting.occurred_on,
                          f"{plugin(enrollment.pathway).short} review meeting",
                          "With: " + ", ".join(meeting.participants), stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
