"""A program's school calendar: one school year at a time, each change audited."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app import outbox, policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import program_or_404, render
from app.services.programs import calendar as school_calendar
from app.services.programs.cohort import today_of


@bp.route("/<int:program_id>/calendar", methods=["GET", "POST"])
@login_required
def calendar(program_id: int):  # type: ignore[no-untyped-def]
    """The school year's first and last day and its breaks, which weekly requirements, pacing and
    nudges count in; or every week counted. Nothing is saved when anything is wrong (400)."""
    program, roles = program_or_404(program_id, policy.can_edit_program_settings)
    session = get_session()
    today = today_of(session, program)
    problems: list[str] = []
    source = request.form if request.method == "POST" else request.args
    try:
        starts_in = school_calendar.year_shown(source.get("year"), today)
    except school_calendar.CalendarError as error:
        problems, starts_in = [error.message], school_calendar.year_shown(None, today)
    if request.method == "POST" and not problems:
        every_week = request.form.get("every_week") in ("on", "true", "1", "yes")
        try:
            if request.form.get("action") == "reset":
                changed = school_calendar.save(session, program, current_user, every_week=every_week,  # type: ignore[arg-type]
                                               reset=starts_in)
            else:
                year = school_calendar.year_from(request.form.get("first_day"), request.form.get("last_day"),
                                                 school_calendar.form_breaks(request.form), starts_in)
                changed = school_calendar.save(session, program, current_user, every_week=every_week,  # type: ignore[arg-type]
                                               year=year)
        except school_calendar.CalendarError as error:
            problems = error.reasons or [error.message]
        else:
            outbox.commit(session)
            flash("Saved the school calendar." if changed else "Nothing changed.", "success")
            return redirect(url_for("director.calendar", program_id=program.id, year=starts_in))
    shown = school_calendar.view(program, starts_in)
    submitted = request.form if problems and request.method == "POST" else None
    # The rows as they were typed when something was wrong, else the year's breaks; then blank rows to add.
    rows = school_calendar.form_breaks(submitted) if submitted is not None else [
        {"name": b.name, "first_day": b.first_day.isoformat(), "last_day": b.last_day.isoformat()} for b in shown.breaks]
    rows += [{"name": "", "first_day": "", "last_day": ""}] * school_calendar.BLANK_ROWS
    return render("calendar.html", program, roles, 400 if problems else 200, shown=shown, problems=problems,
                  submitted=submitted, rows=rows, this_year=school_calendar.year_shown(None, today))
