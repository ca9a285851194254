"""Director pages: cohort, at-risk, pacing, assignments, roster, exports, recommendations, settings.

Who may open what is decided in app/policy.py (the "Programs" section). Someone with no role on
the program gets 404, so nothing about it leaks; someone who sees the program but may not do an
action (district HR on recommendations, say) gets 403.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app import clock, outbox, policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import csv_stream, program_or_404, render, slug
from app.models import (
    PATHWAY_LABELS,
    Program,
)
from app.services import PathwayError
from app.services.programs import accreditation, cohort, nudges, overview
from app.services.programs import assignments as assignment_service
from app.services.progress import turns
from app.services.team import staff_activity

# --- Overview ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Every program the person directs or serves, with its candidates on track, at risk, overdue, ready."""
    session = get_session()
    rows = overview.overview(session, current_user)  # type: ignore[arg-type]
    if not rows:
        if policy.can_administer_organisations(session, current_user):  # type: ignore[arg-type]
            return redirect(url_for("organisations.index"))  # a service administrator sets programs up there
        abort(404)
    return render_template("director/index.html", labels=PATHWAY_LABELS, policy=policy, rows=rows,
                           standings=cohort.STANDINGS, flagged=staff_activity.flagged_staff(session, current_user))  # type: ignore[arg-type]


@bp.get("/<int:program_id>")
@login_required
def cohort_dashboard(program_id: int):  # type: ignore[no-untyped-def]
    """How many candidates in each state (a bar per state that has any) and the at-risk counts."""
    program, roles = program_or_404(program_id)
    filters = cohort.Filters.from_args(request.args)
    counts = cohort.counts(get_session(), program, cohort.Filters(filters.enrolment_year, filters.program_year))
    return render("cohort.html", program, roles, filters=filters, counts=counts.states, total=counts.total,
                   top=max([n for _, _, n in counts.states] or [0]), risk_counts=counts.risks,
                   risk_kinds=cohort.RISK_KINDS, years=counts.years,
                   stuck=turns.nobody_can_act(get_session(), [program.id]))  # type: ignore[list-item]


@bp.get("/<int:program_id>/candidates")
@login_required
def candidates(program_id: int):  # type: ignore[no-untyped-def]
    """The candidates behind a figure: filtered, a page at a time (all of them when printed), exportable as CSV."""
    program, roles = program_or_404(program_id)
    session = get_session()
    filters = cohort.Filters.from_args(request.args)
    printable = request.args.get("print") == "1"
    if printable:
        lines = [line for batch in cohort.batches(session, program, filters=filters) for line in batch]
        found = cohort.Page(lines, len(lines), 1, 1)
    else:
        found = cohort.page(session, program, filters, request.args.get("page", 1, type=int))
    everyone = cohort.counts(session, program)
    return render("candidates.html", program, roles, filters=filters, lines=found.lines, total=found.total,
                   page=found.page, pages=found.pages, standing=filters.standing, standings=cohort.STANDINGS,
                   states=everyone.states, risk_kinds=cohort.RISK_KINDS, years=everyone.years, printable=printable)


@bp.get("/<int:program_id>/candidates.csv")
@login_required
def candidates_csv(program_id: int) -> Response:
    """The filtered candidate list as CSV, streamed a batch of candidates at a time."""
    program, _ = program_or_404(program_id)
    filters = cohort.Filters.from_args(request.args)
    session = get_session()
    batches = (accreditation.candidate_list(batch).values() for batch in cohort.batches(session, program, filters=filters))
    return csv_stream([key for key, _ in accreditation.LIST_COLUMNS], batches, f"{slug(program)}-candidates.csv", session)


@bp.get("/<int:program_id>/at-risk")
@login_required
def at_risk(program_id: int):  # type: ignore[no-untyped-def]
    """Who is at risk, and why, with what the director can do about it: assign, remind, open the record."""
    program, roles = program_or_404(program_id)
    session = get_session()
    risk = request.args.get("risk") if request.args.get("risk") in cohort.RISK_KINDS else None
    found = cohort.page(session, program, cohort.Filters(risk=risk), request.args.get("page", 1, type=int),
                        risky_only=True)
    # The list asks a fixed number of statements whatever its length (tests/app/test_scale.py): the reminders
    # in one query, and the people one may assign on each candidate's own page, one tap away.
    return render("at_risk.html", program, roles, lines=found.lines, total=found.total, pages=found.pages,
                  page=found.page, risk=risk, risk_kinds=cohort.RISK_KINDS,
                  reminders=nudges.reminders_for(session, found.lines), may_assign=policy.can_assign(roles))


@bp.get("/<int:program_id>/at-risk/<int:enrollment_id>/assign")
@login_required
def assign_from_at_risk(program_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """One at-risk candidate: why, and a mentor, coach or other role to assign, then back to the list."""
    program, roles = program_or_404(program_id, policy.can_assign)
    session = get_session()
    line = nudges.enrollment_line(session, program, enrollment_id)
    if line is None:
        abort(404)
    return render("assign_one.html", program, roles, line=line, staff=assignment_service.staff(session, program),
                  assignable=assignment_service.ASSIGNABLE[program.pathway])


@bp.post("/<int:program_id>/at-risk/<int:enrollment_id>/remind")
@login_required
def remind(program_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Email the candidate the reminder that fits their risk now, then back to the list."""
    program, _ = program_or_404(program_id, policy.can_assign)
    session = get_session()
    line = nudges.enrollment_line(session, program, enrollment_id)
    if line is None:
        abort(404)
    try:
        reminder, new = nudges.remind(session, program, line, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(_back_to_at_risk(program))
    flash(f"Reminder emailed to {line.candidate.name}: {reminder.about}." if new else
          f"{line.candidate.name} already has this reminder: {reminder.about}.", "success")
    return redirect(_back_to_at_risk(program))


def _back_to_at_risk(program: Program) -> str:
    """The at-risk list as the person left it (its kind of risk and page, carried in the form)."""
    risk = request.form.get("risk")
    return url_for("director.at_risk", program_id=program.id, risk=risk if risk in cohort.RISK_KINDS else None,
                   page=request.form.get("page", type=int))


@bp.get("/<int:program_id>/pacing")
@login_required
def pacing(program_id: int):  # type: ignore[no-untyped-def]
    """Projected completion of hours and meetings at the current pace, and when it must rise."""
    program, roles = program_or_404(program_id)
    lines = [line for line in cohort.load(get_session(), program) if line.paces]
    return render("pacing.html", program, roles, lines=lines)


# --- Accreditation ----------------------------------------------------------------------------


@bp.get("/<int:program_id>/accreditation")
@login_required
def accreditation_page(program_id: int):  # type: ignore[no-untyped-def]
    """Accreditation evidence, printable."""
    program, roles = program_or_404(program_id, policy.can_export_accreditation)
    session = get_session()
    table = accreditation.evidence_table(session, program, cohort.load(session, program))
    return render("accreditation.html", program, roles, table=table, today=clock.today(), pathway_labels=PATHWAY_LABELS)


@bp.get("/<int:program_id>/accreditation.csv")
@login_required
def accreditation_csv(program_id: int) -> Response:
    """Accreditation evidence as CSV, streamed a batch of candidates at a time."""
    program, _ = program_or_404(program_id, policy.can_export_accreditation)
    session = get_session()
    batches = (accreditation.evidence_table(session, program, batch).values()
               for batch in cohort.batches(session, program))
    return csv_stream([key for key, _ in accreditation.ACCREDITATION_COLUMNS], batches,
                      f"{slug(program)}-accreditation.csv", session)
