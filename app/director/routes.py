"""Director pages: cohort, at-risk, pacing, assignments, roster, exports, recommendations, settings.

Who may open what is decided in app/policy.py (the "Programs" section). Someone with no role on
the program gets 404, so nothing about it leaks; someone who sees the program but may not do an
action (district HR on recommendations, say) gets 403.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    render_template,
    request,
)
from flask_login import current_user, login_required

from app import clock, policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import csv_stream, page_of, program_or_404, render, slug
from app.models import (
    PATHWAY_LABELS,
    Program,
)
from app.services.programs import accreditation, cohort, directory

# --- Overview ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Programs the person directs or serves as district HR or credential analyst."""
    programs = directory.visible_programs(get_session(), current_user)
    if not programs:
        abort(404)
    session = get_session()
    return render_template("director/index.html", labels=PATHWAY_LABELS, policy=policy, programs=[
        (p, policy.program_roles(session, current_user, p)) for p in programs])  # type: ignore[arg-type]


@bp.get("/<int:program_id>")
@login_required
def cohort_dashboard(program_id: int):  # type: ignore[no-untyped-def]
    """How many candidates in each state, as a chart and a table, and the at-risk counts."""
    program, roles = program_or_404(program_id)
    filters = cohort.Filters.from_args(request.args)
    everyone = cohort.load(get_session(), program)
    lines = [line for line in everyone if cohort.Filters(filters.enrolment_year, filters.program_year).keep(line)]
    counts = cohort.state_counts(lines, program)
    return render("cohort.html", program, roles, filters=filters, counts=counts, total=len(lines),
                   top=max([n for _, _, n in counts] or [0]), risk_counts=cohort.risk_counts(lines),
                   risk_kinds=cohort.RISK_KINDS, years=sorted({line.enrolment_year for line in everyone}))


def _filtered(program: Program) -> tuple[cohort.Filters, list[cohort.CandidateLine], list[cohort.CandidateLine]]:
    filters = cohort.Filters.from_args(request.args)
    everyone = cohort.load(get_session(), program)
    return filters, everyone, [line for line in everyone if filters.keep(line)]


@bp.get("/<int:program_id>/candidates")
@login_required
def candidates(program_id: int):  # type: ignore[no-untyped-def]
    """The candidates behind a figure: filtered, a page at a time (all of them when printed), exportable as CSV."""
    program, roles = program_or_404(program_id)
    filters, everyone, lines = _filtered(program)
    printable = request.args.get("print") == "1"
    shown, pages = (lines, 1) if printable else page_of(lines, request.args.get("page", 1, type=int))
    return render("candidates.html", program, roles, filters=filters, lines=shown, total=len(lines),
                   page=request.args.get("page", 1, type=int), pages=pages,
                   states=cohort.state_counts(everyone, program), risk_kinds=cohort.RISK_KINDS,
                   years=sorted({line.enrolment_year for line in everyone}), printable=printable)


@bp.get("/<int:program_id>/candidates.csv")
@login_required
def candidates_csv(program_id: int) -> Response:
    """The filtered candidate list as CSV, streamed a batch of candidates at a time."""
    program, _ = program_or_404(program_id)
    filters = cohort.Filters.from_args(request.args)
    session = get_session()
    batches = (accreditation.candidate_list([line for line in batch if filters.keep(line)]).values()
               for batch in cohort.batches(session, program))
    return csv_stream([key for key, _ in accreditation.LIST_COLUMNS], batches, f"{slug(program)}-candidates.csv", session)


@bp.get("/<int:program_id>/at-risk")
@login_required
def at_risk(program_id: int):  # type: ignore[no-untyped-def]
    """Who is at risk, and why: the deadline and its rule, the overdue sign-off, or the pace."""
    program, roles = program_or_404(program_id)
    risk = request.args.get("risk")
    lines = [line for line in cohort.load(get_session(), program) if line.risks]
    if risk in cohort.RISK_KINDS:
        lines = [line for line in lines if risk in line.risk_kinds]
    shown, pages = page_of(lines, request.args.get("page", 1, type=int))
    return render("at_risk.html", program, roles, lines=shown, total=len(lines), pages=pages,
                  page=request.args.get("page", 1, type=int), risk=risk, risk_kinds=cohort.RISK_KINDS)


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
    return render("accreditation.html", program, roles, table=table, today=clock.today())


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
