"""The log book: meetings and hours as they happened, one at a time or a week's or a month's at once,
and signing them (one by one, or several together)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import outbox, policy
from app.candidate.blueprint import bp
from app.db import get_session
from app.idempotency import idempotent
from app.models import Enrollment, LogEntry, LogKind, User
from app.services import PathwayError
from app.services.evidence import log_batches
from app.services.evidence import logs as logs_service
from app.services.progress import dashboard as dashboard_service

from .routes import _enrollment

# Entries shown a page at a time, newest first: a year of weekly meetings would be a long scroll.
PER_PAGE = 15


def _log_page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
              batch: dict[str, object] | None = None) -> tuple[str, int]:
    """The log book; `batch` is a refused batch's answers, shown again in its form to fix."""
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    entries = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id)
                           .order_by(LogEntry.occurred_on.desc(), LogEntry.id.desc())).all()  # type: ignore[attr-defined]
    names = {u.id: u.name for u in session.exec(select(User).where(
        User.id.in_({e.signer_id for e in entries} | {e.author_id for e in entries} or {0}))).all()}  # type: ignore[union-attr]
    board = dashboard_service.build(session, enrollment, current_user)
    totals = [item for group in board.groups for item in group.items
              if item.rule.count is not None and item.progress is not None]
    signers = dashboard_service.signers_for(session, enrollment)
    # The year each entry's date falls in (None: dated outside the enrolment, so it counts nowhere).
    early = logs_service.early_completion(session, enrollment)
    years = {e.id: logs_service.year_of(e, enrollment, early) for e in entries}
    notes_only = (not policy.can_keep_log(current_user, enrollment)  # type: ignore[arg-type]
                  and LogKind.SUPPORT_NOTE in logs_service.kinds(enrollment.pathway)
                  and policy.can_record_support_note(roles))
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = entries[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template("candidate/logs.html", board=board, roles=roles, problems=problems or [],
                           entries=[(e, logs_service.visible_notes(e, roles, current_user)) for e in shown],  # type: ignore[arg-type]
                           names=names, totals=totals, signers=signers, kinds=logs_service.kinds(enrollment.pathway),
                           totals_reached=sum(1 for t in totals if t.progress and t.progress[0] >= t.progress[1]),
                           today=board.facts.today, years=years,
                           # The batch form starts on the last four weeks (or the enrolment, if shorter).
                           batch_from=max(enrollment.enrolled_on, board.facts.today - timedelta(days=27)),
                           notes_only=notes_only, batch=batch or {},
                           paging={"page": page, "pages": pages, "total": len(entries),
                                   "first": (page - 1) * PER_PAGE + 1, "last": (page - 1) * PER_PAGE + len(shown)},
                           signing_groups=logs_service.signing_groups(entries, current_user.id)), status


@bp.get("/enrollments/<int:enrollment_id>/logs")
@login_required
def log_book(enrollment_id: int) -> tuple[str, int]:
    """The enrolment's logs, with totals against the program's thresholds."""
    return _log_page(_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/logs")
@login_required
@idempotent
def add_log(enrollment_id: int) -> Response | tuple[str, int]:
    """The candidate logs a meeting or hours, naming who will sign it; the mentor, supervisor or
    district staff add a support note of their own. The program year follows from the date."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    form = request.form
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
        hours = float(form.get("hours") or 0)
        signer = session.get(User, form.get("signer_id", type=int) or 0)
        entry = logs_service.add(session, enrollment, current_user, kind=form.get("kind", ""),  # type: ignore[arg-type]
                                 occurred_on=occurred_on, hours=hours, notes=form.get("notes", ""), signer=signer,
                                 today=dashboard_service.today_for(session, enrollment))
        outbox.commit(session)
    except ValueError:
        session.rollback()
        return _log_page(enrollment, 400, ["Enter the date as a calendar date and the hours as a number."])
    except PathwayError as error:
        session.rollback()
        return _log_page(enrollment, error.status, [error.message])
    flash("Support note added." if entry.signed_at else "Logged. It counts once it is signed.", "success")
    return redirect(url_for("candidate.log_book", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/logs/sign")
@login_required
def sign_logs(enrollment_id: int) -> Response | tuple[str, int]:
    """The mentor or coach signs several entries at once (a week's, a month's, all waiting): all or none."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    ids = [int(v) for v in request.form.getlist("log_id") if v.isdigit() and len(v) < 10]
    try:
        signed = logs_service.sign_many(session, enrollment, current_user, ids)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _log_page(enrollment, error.status, [error.message])
    flash(logs_service.signed_words(signed), "success")
    return redirect(url_for("candidate.log_book", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/logs/<int:log_id>/sign")
@login_required
def sign_log(enrollment_id: int, log_id: int) -> Response | tuple[str, int]:
    """The named mentor or coach signs an entry."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    entry = session.get(LogEntry, log_id)
    if entry is None or entry.enrollment_id != enrollment.id:
        abort(404)
    try:
        logs_service.sign(session, entry, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _log_page(enrollment, error.status, [error.message])
    flash("Signed.", "success")
    # Back to the page it was signed on: a fixed choice, never a URL taken from the form.
    back = "candidate.meetings" if request.form.get("from") == "meetings" else "candidate.log_book"
    return redirect(url_for(back, enrollment_id=enrollment.id))


def _batch_rows(form: dict[str, list[str]]) -> list[log_batches.LogRow]:
    """The entries a batch form asks for: a meeting repeated on chosen weekdays between two dates, or
    rows typed one by one (a row with no date is a spare row left empty, not an entry)."""
    if form.get("mode") == ["weekly"]:
        first, last = (date.fromisoformat((form.get(name) or [""])[0]) for name in ("first", "last"))
        weekdays = [int(d) for d in form.get("weekday", []) if d.isdigit() and len(d) == 1]
        hours, notes = float((form.get("hours") or ["0"])[0] or 0), (form.get("notes") or [""])[0]
        return [log_batches.LogRow(day, hours, notes) for day in log_batches.every_week(first, last, weekdays)]
    dates, hours_, notes_ = (form.get(name, []) for name in ("row_date", "row_hours", "row_notes"))
    rows = []
    for number, typed in enumerate(dates[:log_batches.MAX_ENTRIES + 1], start=1):
        if not typed.strip():
            continue
        try:
            rows.append(log_batches.LogRow(date.fromisoformat(typed.strip()),
                                           float(hours_[number - 1] if number <= len(hours_) else 0),
                                           notes_[number - 1] if number <= len(notes_) else ""))
        except ValueError:
            raise log_batches.BatchRefused(f"Nothing was saved. Row {number}: enter the date as a calendar date "
                                           "and the hours as a number.") from None
    return rows


@bp.post("/enrollments/<int:enrollment_id>/logs/batch")
@login_required
@idempotent
def add_logs(enrollment_id: int) -> Response | tuple[str, int]:
    """The candidate logs several meetings or days at once (the same meeting every week, or a few rows),
    each checked and audited as one entry; all or nothing, and a refusal names the entry."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    form = request.form.to_dict(flat=False)
    answers = {"mode": request.form.get("mode", ""), "open": True, **request.form.to_dict()}
    try:
        logs_service.check_author(session, enrollment, current_user, request.form.get("kind", ""))  # type: ignore[arg-type]
        rows = _batch_rows(form)
        signer = session.get(User, request.form.get("signer_id", type=int) or 0)
        saved = log_batches.add_many(session, enrollment, current_user, kind=request.form.get("kind", ""),  # type: ignore[arg-type]
                                     signer=signer, rows=rows, today=dashboard_service.today_for(session, enrollment))
        outbox.commit(session)
    except ValueError:
        session.rollback()
        unreadable = "Nothing was saved. Enter the dates as calendar dates and the hours as a number."
        return _log_page(enrollment, 400, [unreadable], batch=answers)
    except PathwayError as error:
        session.rollback()
        return _log_page(enrollment, error.status, [error.message], batch=answers)
    flash(f"Logged {len(saved)} entr{'y' if len(saved) == 1 else 'ies'}. They count once they are signed.", "success")
    return redirect(url_for("candidate.log_book", enrollment_id=enrollment.id))
