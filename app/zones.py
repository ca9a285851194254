"""One time zone for every date people read: the organisation's.

A stored moment (UTC) becomes a day on the organisation's calendar, the one its deadlines count in,
wherever a page or an email says it: the zone a page or job set (`use_zone`, e.g. the enrolment's
organisation's), else the signed-in person's organisation's, else the service's (TIMEZONE).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context, has_request_context
from flask_login import current_user
from sqlmodel import select

from app.db import get_session
from app.models import Enrollment, Membership, Organisation, Program

DEFAULT_ZONE = "America/Los_Angeles"


def use_zone(zone: str | None) -> None:
    """Say every date from here on (this request, this job) in `zone`, the organisation's."""
    if zone and has_app_context():
        g.zone = zone


def current_zone() -> str:
    """The organisation's time zone, in which every date is said: the one the page or email set
    (`use_zone`), else the signed-in person's organisation's, else the service's (TIMEZONE)."""
    if not has_app_context():
        return DEFAULT_ZONE
    if "zone" not in g:
        g.zone = (_viewer_zone() if has_request_context() else None) or current_app.config.get("TIMEZONE") or DEFAULT_ZONE
    return str(g.zone)


def _viewer_zone() -> str | None:
    """The time zone of the organisation the signed-in person works in or studies in, if any."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    session = get_session()
    held = session.exec(select(Membership).where(Membership.user_id == current_user.id,
                                                 Membership.revoked_at.is_(None))  # type: ignore[union-attr]
                        .order_by(Membership.id)).all()
    program_id = next((m.program_id for m in held if m.program_id is not None), None)
    organisation_id = next((m.organisation_id for m in held if m.organisation_id is not None), None)
    enrollment_id = next((m.enrollment_id for m in held if m.enrollment_id is not None), None)
    if organisation_id is None and program_id is None:
        enrollment = session.get(Enrollment, enrollment_id) if enrollment_id is not None else session.exec(
            select(Enrollment).where(Enrollment.candidate_id == current_user.id).order_by(Enrollment.id)).first()  # type: ignore[arg-type]
        program_id = enrollment.program_id if enrollment is not None else None
    if organisation_id is None and program_id is not None:
        program = session.get(Program, program_id)
        organisation_id = program.organisation_id if program is not None else None
    organisation = session.get(Organisation, organisation_id) if organisation_id is not None else None
    return organisation.timezone if organisation is not None else None


def local_day(moment: date | datetime | None, zone: str | None = None) -> date | None:
    """The calendar day a stored moment fell on in the organisation's zone (a naive moment is UTC);
    a date is already a day."""
    if not isinstance(moment, datetime):
        return moment
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone or current_zone())).date()


def local_time(moment: datetime | None, zone: str | None = None) -> str:
    """The clock time of a stored moment in the organisation's zone: "14:05"."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo(zone or current_zone())):%H:%M}"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def day_in_words(day: date | datetime | None) -> str:
    """A date as people write it: "2 March 2027" (a moment, on the organisation's calendar)."""
    day = local_day(day)
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
