"""Director pages: cohort, at-risk, pacing, assignments, roster, exports, recommendations, settings.

Who may open what is decided in app/policy.py (the "Programs" section). Someone with no role on
the program gets 404, so nothing about it leaks; someone who sees the program but may not do an
action (district HR on recommendations, say) gets 403.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date

from flask import (
    Response,
    abort,
    flash,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import or_
from sqlmodel import select

from app import policy
from app.db import get_session
from app.models import (
    PATHWAY_LABELS,
    Membership,
    Program,
    Recommendation,
    RecommendationBatch,
)
from app.services import (
    accreditation,
    assignments,
    cohort,
    outbox,
    pathways,
    program_settings,
)
from app.services import recommendations as recs
from app.services import roster as roster_service
from app.services.csv_safety import to_csv
from app.services.facts import program_settings as program_settings_of
from workflows.roles import Role

from . import bp

_PROGRAM_ROLES = [Role.PROGRAM_DIRECTOR.value, Role.CREDENTIAL_ANALYST.value, Role.DISTRICT_HR.value]


@bp.app_context_processor
def navigation() -> dict[str, bool]:
    """Offer "Programs" to directors, district HR and credential analysts."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_programs": False}
    return {"nav_programs": bool(_visible_programs())}


def _visible_programs() -> list[Program]:
    """Programs the signed-in person directs or serves as HR (organisation-wide) or analyst."""
    session = get_session()
    held = session.exec(select(Membership).where(Membership.user_id == current_user.id,
                                                 Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                                                 Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
                                                 Membership.role.in_(_PROGRAM_ROLES))).all()  # type: ignore[attr-defined]
    program_ids = {m.program_id for m in held if m.program_id}
    organisation_ids = {m.organisation_id for m in held if m.organisation_id and not m.program_id}
    if not program_ids and not organisation_ids:
        return []
    return list(session.exec(select(Program).where(or_(Program.id.in_(program_ids or {0}),  # type: ignore[union-attr]
                                                       Program.organisation_id.in_(organisation_ids or {0})))  # type: ignore[attr-defined]
                             .order_by(Program.name)).all())


def _program(program_id: int, may: Callable[[frozenset[Role]], bool] | None = None) -> tuple[Program, frozenset[Role]]:
    """The program and the person's roles on it: 404 without a role, 403 without the permission."""
    session = get_session()
    program = session.get(Program, program_id)
    roles = policy.program_roles(session, current_user, program) if program else frozenset()  # type: ignore[arg-type]
    if program is None or not policy.can_view_program(roles):
        abort(404)
    if may is not None and not may(roles):
        abort(403)
    return program, roles


def _render(template: str, program: Program, roles: frozenset[Role], status: int = 200, **context: object):  # type: ignore[no-untyped-def]
    return render_template(f"director/{template}", program=program, roles=roles, policy=policy,
                           Role=Role, **context), status


def _csv(text: str, filename: str) -> Response:
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _slug(program: Program) -> str:
    return "".join(c if c.isalnum() else "-" for c in program.name.lower()).strip("-")[:60] or f"program-{program.id}"


# --- Overview ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Programs the person directs or serves as district HR or credential analyst."""
    programs = _visible_programs()
    if not programs:
        abort(404)
    session = get_session()
    return render_template("director/index.html", labels=PATHWAY_LABELS, programs=[
        (p, policy.program_roles(session, current_user, p)) for p in programs])  # type: ignore[arg-type]


@bp.get("/<int:program_id>")
@login_required
def cohort_dashboard(program_id: int):  # type: ignore[no-untyped-def]
    """How many candidates in each state, as a chart and a table, and the at-risk counts."""
    program, roles = _program(program_id)
    filters = cohort.Filters.from_args(request.args)
    everyone = cohort.load(get_session(), program)
    lines = [line for line in everyone if cohort.Filters(filters.enrolment_year, filters.program_year).keep(line)]
    counts = cohort.state_counts(lines, program)
    return _render("cohort.html", program, roles, filters=filters, counts=counts, total=len(lines),
                   top=max([n for _, _, n in counts] or [0]), risk_counts=cohort.risk_counts(lines),
                   risk_kinds=cohort.RISK_KINDS, years=sorted({line.enrolment_year for line in everyone}))


def _filtered(program: Program) -> tuple[cohort.Filters, list[cohort.CandidateLine], list[cohort.CandidateLine]]:
    filters = cohort.Filters.from_args(request.args)
    everyone = cohort.load(get_session(), program)
    return filters, everyone, [line for line in everyone if filters.keep(line)]


@bp.get("/<int:program_id>/candidates")
@login_required
def candidates(program_id: int):  # type: ignore[no-untyped-def]
    """The candidates behind a figure: filtered, printable, and exportable as CSV."""
    program, roles = _program(program_id)
    filters, everyone, lines = _filtered(program)
    return _render("candidates.html", program, roles, filters=filters, lines=lines,
                   states=cohort.state_counts(everyone, program), risk_kinds=cohort.RISK_KINDS,
                   years=sorted({line.enrolment_year for line in everyone}), printable=request.args.get("print") == "1")


@bp.get("/<int:program_id>/candidates.csv")
@login_required
def candidates_csv(program_id: int) -> Response:
    """The filtered candidate list as CSV."""
    program, _ = _program(program_id)
    _, _, lines = _filtered(program)
    table = accreditation.candidate_list(lines)
    return _csv(to_csv(table.header, table.values()), f"{_slug(program)}-candidates.csv")


@bp.get("/<int:program_id>/at-risk")
@login_required
def at_risk(program_id: int):  # type: ignore[no-untyped-def]
    """Who is at risk, and why: the deadline and its rule, the overdue sign-off, or the pace."""
    program, roles = _program(program_id)
    risk = request.args.get("risk")
    lines = [line for line in cohort.load(get_session(), program) if line.risks]
    if risk in cohort.RISK_KINDS:
        lines = [line for line in lines if risk in line.risk_kinds]
    return _render("at_risk.html", program, roles, lines=lines, risk=risk, risk_kinds=cohort.RISK_KINDS)


@bp.get("/<int:program_id>/pacing")
@login_required
def pacing(program_id: int):  # type: ignore[no-untyped-def]
    """Projected completion of hours and meetings at the current pace, and when it must rise."""
    program, roles = _program(program_id)
    lines = [line for line in cohort.load(get_session(), program) if line.paces]
    return _render("pacing.html", program, roles, lines=lines)


# --- Assignments ------------------------------------------------------------------------------


def _assignments_page(program: Program, roles: frozenset[Role], status: int = 200, problem: str | None = None):  # type: ignore[no-untyped-def]
    session = get_session()
    return _render("assignments.html", program, roles, status, rows=assignments.overview(session, program),
                   staff=assignments.staff(session, program), assignable=assignments.ASSIGNABLE[program.pathway],
                   problem=problem)


@bp.get("/<int:program_id>/assignments")
@login_required
def assignments_page(program_id: int):  # type: ignore[no-untyped-def]
    """Mentors and coaches per candidate, with the assignment rule while it is open."""
    program, roles = _program(program_id)
    return _assignments_page(program, roles)


@bp.post("/<int:program_id>/assignments")
@login_required
def assign(program_id: int):  # type: ignore[no-untyped-def]
    """Put a mentor or coach on a candidate."""
    program, roles = _program(program_id, policy.can_direct_program)
    session = get_session()
    try:
        membership = assignments.assign(session, program, request.form.get("enrollment_id", type=int) or 0,
                                        request.form.get("user_id", type=int) or 0, request.form.get("role", ""),
                                        current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except pathways.PathwayError as error:
        session.rollback()
        return _assignments_page(program, roles, error.status, error.message)
    flash(f"Assigned as {Role(membership.role).label.lower()}.", "success")
    return redirect(url_for("director.assignments_page", program_id=program.id))


@bp.post("/<int:program_id>/assignments/<int:membership_id>/revoke")
@login_required
def revoke(program_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    """End a mentor or coach assignment."""
    program, roles = _program(program_id, policy.can_direct_program)
    session = get_session()
    try:
        assignments.revoke(session, program, membership_id, current_user)  # type: ignore[arg-type]
        outbox.commit(session)
    except pathways.PathwayError as error:
        session.rollback()
        return _assignments_page(program, roles, error.status, error.message)
    flash("Assignment ended.", "success")
    return redirect(url_for("director.assignments_page", program_id=program.id))


# --- Roster -----------------------------------------------------------------------------------


@bp.get("/<int:program_id>/roster")
@login_required
def roster(program_id: int):  # type: ignore[no-untyped-def]
    """Upload a district roster CSV: the template's columns, then a preview."""
    program, roles = _program(program_id, policy.can_import_roster)
    return _render("roster.html", program, roles, check=None, payload=None, columns=roster_service.COLUMN_HELP)


@bp.get("/<int:program_id>/roster/template.csv")
@login_required
def roster_template(program_id: int) -> Response:
    """The roster template: the header row district HR fills in."""
    _program(program_id, policy.can_import_roster)
    return _csv(roster_service.template_csv(), "roster-template.csv")


def _uploaded() -> tuple[bytes, str]:
    """The roster's bytes: a fresh upload, or the preview's copy carried in the confirm form."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(roster_service.MAX_BYTES + 1), upload.filename
    carried = request.form.get("payload", "")
    if not carried:
        abort(400, "Choose a CSV file to upload.")
    try:
        return base64.b64decode(carried, validate=True), request.form.get("filename", "roster.csv")
    except (binascii.Error, ValueError):
        abort(400, "The confirmation form was damaged; upload the file again.")


@bp.post("/<int:program_id>/roster/preview")
@login_required
def roster_preview(program_id: int):  # type: ignore[no-untyped-def]
    """What importing the file would do, row by row; nothing is written."""
    program, roles = _program(program_id, policy.can_import_roster)
    data, filename = _uploaded()
    check = roster_service.check(get_session(), program, data, filename, current_user)  # type: ignore[arg-type]
    status = 200 if check.importable else 400 if (check.file_errors or check.row_errors) else 200
    payload = base64.b64encode(data).decode() if check.importable else None
    return _render("roster.html", program, roles, status, check=check, payload=payload, filename=filename,
                   columns=roster_service.COLUMN_HELP)


@bp.post("/<int:program_id>/roster/import")
@login_required
def roster_import(program_id: int):  # type: ignore[no-untyped-def]
    """Import the previewed file in one transaction (or nothing, with every error shown)."""
    program, roles = _program(program_id, policy.can_import_roster)
    data, filename = _uploaded()
    session = get_session()
    try:
        result = roster_service.import_roster(session, program, data, filename, current_user)  # type: ignore[arg-type]
    except roster_service.RosterError as error:
        session.rollback()
        status = 409 if error.check.already_imported or not (error.check.file_errors or error.check.row_errors) else 400
        return _render("roster.html", program, roles, status, check=error.check, payload=None, filename=filename,
                       columns=roster_service.COLUMN_HELP, problem=str(error))
    flash(f"Imported {len(result.to_enrol)} candidate(s); {len(result.rows) - len(result.to_enrol)} already enrolled.",
          "success")
    return redirect(url_for("director.candidates", program_id=program.id))


# --- Accreditation ----------------------------------------------------------------------------


@bp.get("/<int:program_id>/accreditation")
@login_required
def accreditation_page(program_id: int):  # type: ignore[no-untyped-def]
    """Accreditation evidence, printable."""
    program, roles = _program(program_id, policy.can_export_accreditation)
    session = get_session()
    table = accreditation.evidence_table(session, program, cohort.load(session, program))
    return _render("accreditation.html", program, roles, table=table, today=date.today())


@bp.get("/<int:program_id>/accreditation.csv")
@login_required
def accreditation_csv(program_id: int) -> Response:
    """Accreditation evidence as CSV."""
    program, _ = _program(program_id, policy.can_export_accreditation)
    session = get_session()
    table = accreditation.evidence_table(session, program, cohort.load(session, program))
    return _csv(to_csv(table.header, table.values()), f"{_slug(program)}-accreditation.csv")


# --- Recommendations --------------------------------------------------------------------------


def _recommendations_page(program: Program, roles: frozenset[Role], status: int = 200, **context: object):  # type: ignore[no-untyped-def]
    session = get_session()
    batches = session.exec(select(RecommendationBatch).where(RecommendationBatch.program_id == program.id)
                           .order_by(RecommendationBatch.id.desc())).all()  # type: ignore[union-attr]
    followed = session.exec(select(Recommendation).where(Recommendation.batch_id.in_([b.id for b in batches] or [0]))  # type: ignore[attr-defined]
                            .order_by(Recommendation.id.desc())).all()
    names = {line.enrollment.id: line for line in cohort.load(session, program)}
    submitters = recs.submitters(program)
    from app.jobs.recommendations import packet_file

    return _render("recommendations.html", program, roles, status, ready=recs.ready(session, program),
                   batches=[(b, packet_file(b)) for b in batches], followed=followed, lines=names,
                   can_submit=policy.can_recommend(roles, submitters),
                   can_follow=policy.can_follow_recommendations(roles),
                   can_issue=bool(roles & recs.issuers(program)), can_return=bool(roles & recs.returners(program)),
                   submitters=", ".join(sorted(r.label.lower() for r in submitters)),
                   labels=recs.STATUS_LABELS, S=recs.S, today=date.today(),
                   program_window=program_settings_of(program).recommendation_window_days, **context)


@bp.get("/<int:program_id>/recommendations")
@login_required
def recommendations(program_id: int):  # type: ignore[no-untyped-def]
    """Ready candidates, batches with their packets, and each recommendation's life cycle."""
    program, roles = _program(program_id)
    return _recommendations_page(program, roles)


@bp.post("/<int:program_id>/recommendations")
@login_required
def submit_recommendations(program_id: int):  # type: ignore[no-untyped-def]
    """Attest and submit the selected candidates."""
    program, roles = _program(program_id)
    if not policy.can_recommend(roles, recs.submitters(program)):
        abort(403)
    session = get_session()
    if request.form.get("attest") != "yes":
        return _recommendations_page(program, roles, 400, problem="Tick the attestation box to submit.")
    ids = [int(v) for v in request.form.getlist("enrollment_id") if v.isdigit()]
    try:
        result = recs.submit_batch(session, program, ids, current_user, request.form.get("attestation", ""))  # type: ignore[arg-type]
    except pathways.PathwayError as error:
        session.rollback()
        return _recommendations_page(program, roles, error.status, problem=error.message)
    status = 200 if result.batch is not None else 422
    return _recommendations_page(program, roles, status, outcomes=result.outcomes)


@bp.get("/<int:program_id>/recommendations/batches/<int:batch_id>/packet")
@login_required
def packet(program_id: int, batch_id: int) -> Response:
    """The batch's packet (zip: CSV plus printable summaries)."""
    program, _ = _program(program_id, policy.can_follow_recommendations)
    from app.jobs.recommendations import packet_file

    batch = get_session().get(RecommendationBatch, batch_id)
    if batch is None or batch.program_id != program.id:
        abort(404)
    path = packet_file(batch)
    if path is None:
        abort(404, "The packet is still being prepared. Reload the page in a moment.")
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"ctc-recommendations-batch-{batch.id}.zip", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


_ACTIONS = {"fitness_answered": recs.record_fitness_answered, "fee_paid": recs.record_fee_paid}


@bp.post("/<int:program_id>/recommendations/<int:recommendation_id>/<action>")
@login_required
def follow(program_id: int, recommendation_id: int, action: str):  # type: ignore[no-untyped-def]
    """Record the candidate's side: fitness answered, fee paid, issued, or returned with a reason."""
    program, roles = _program(program_id, policy.can_follow_recommendations)
    session = get_session()
    rec = session.get(Recommendation, recommendation_id)
    batch = session.get(RecommendationBatch, rec.batch_id) if rec else None
    if rec is None or batch is None or batch.program_id != program.id:
        abort(404)
    on = _date(request.form.get("on"))
    try:
        if action in _ACTIONS:
            _ACTIONS[action](session, rec, current_user, on)  # type: ignore[operator]
        elif action == "issued":
            recs.record_issued(session, rec, current_user, on)  # type: ignore[arg-type]
        elif action == "returned":
            recs.record_returned(session, rec, current_user, on, request.form.get("reason", ""))  # type: ignore[arg-type]
        else:
            abort(404)
    except pathways.PathwayError as error:
        session.rollback()
        return _recommendations_page(program, roles, error.status, problem=error.message,
                                     reasons=error.reasons)
    flash(f"Recorded: {recs.STATUS_LABELS[recs.S(action)].lower()}.", "success")
    return redirect(url_for("director.recommendations", program_id=program.id) + "#followed")


def _date(raw: str | None) -> date:
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, f"“{raw}” is not a date (YYYY-MM-DD).")


# --- Settings ---------------------------------------------------------------------------------


@bp.route("/<int:program_id>/settings", methods=["GET", "POST"])
@login_required
def settings(program_id: int):  # type: ignore[no-untyped-def]
    """The program's thresholds and windows, with their sources and [C] choices."""
    program, roles = _program(program_id, policy.can_edit_program_settings)
    session = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = program_settings.parse_form(request.form)
        if not errors:
            checked, errors = program_settings.validate(values)
            if checked is not None:
                changed = program_settings.save(session, program, checked, current_user)  # type: ignore[arg-type]
                outbox.commit(session)
                flash(f"Saved: {', '.join(changed) or 'nothing changed'}.", "success")
                return redirect(url_for("director.settings", program_id=program.id))
    fields = program_settings.fields(program)
    submitted = request.form if request.method == "POST" else {}
    return _render("settings.html", program, roles, 400 if errors else 200, fields=fields, errors=errors,
                   submitted=submitted, reach=program_settings.reach(session, program, {f.name for f in fields}))
