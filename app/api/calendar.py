"""A program's school calendar over the API: the director's calendar page's twin (same service, same audit)."""

from __future__ import annotations

from app import outbox, policy
from app.api.blueprint import operation
from app.api.calendar_schemas import BreakOut, CalendarIn, CalendarOut, CalendarQuery
from app.api.programs import _program
from app.db import get_session
from app.models import Program, User
from app.services import NotPermitted
from app.services.programs import calendar as school_calendar
from app.services.programs.cohort import today_of
from workflows.school_calendar import school_year_of


def _out(program: Program, starts_in: int) -> CalendarOut:
    shown = school_calendar.view(program, starts_in)
    return CalendarOut(program_id=program.id, every_week=shown.every_week, starts_in=shown.starts_in,  # type: ignore[arg-type]
                       name=shown.name, edited=shown.edited, first_day=shown.year.first_day,
                       last_day=shown.year.last_day, school_weeks=shown.school_weeks,
                       breaks=[BreakOut(name=b.name, first_day=b.first_day, last_day=b.last_day) for b in shown.breaks])


@operation("GET", "/programs/<int:program_id>/calendar", summary="A school year of the program's calendar",
           tag="programs", query=CalendarQuery, response=CalendarOut)
def get_calendar(user: User, program_id: int, query: CalendarQuery) -> CalendarOut:
    """The program's school year (`year`, or the one under way): its own dates, or a usual California year; for
    whoever sees the program."""
    session = get_session()
    program, _ = _program(session, user, program_id)
    return _out(program, query.year or school_calendar.year_shown(None, today_of(session, program)))


@operation("PUT", "/programs/<int:program_id>/calendar", summary="Change the program's school calendar",
           tag="programs", body=CalendarIn, response=CalendarOut)
def put_calendar(user: User, program_id: int, body: CalendarIn) -> CalendarOut:
    """Set one school year's dates (or put one back to the usual California year) and whether every week counts;
    the program director only (audited). 422 with every problem when the dates cannot be used; nothing is saved."""
    session = get_session()
    program, roles = _program(session, user, program_id)
    if not policy.can_edit_program_settings(roles):
        raise NotPermitted("Only the program's director may change its school calendar.")
    year = None
    if body.year is not None:
        starts_in = school_year_of(body.year.first_day)
        year = school_calendar.year_from(body.year.first_day, body.year.last_day,
                                         [b.model_dump() for b in body.year.breaks], starts_in)
    school_calendar.save(session, program, user, every_week=body.every_week, year=year, reset=body.reset)
    outbox.commit(session)
    shown = year.starts_in if year else body.reset or school_calendar.year_shown(None, today_of(session, program))
    return _out(program, shown)
