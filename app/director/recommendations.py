"""CTC recommendations: attested batches, their packets, and each recommendation followed to issuance."""

from __future__ import annotations

from datetime import date

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask import session as flask_session
from flask_login import current_user, login_required
from sqlmodel import select

from app import clock, policy
from app.db import get_session
from app.director.blueprint import bp
from app.director.pages import program_or_404, render
from app.filters import in_sentence
from app.idempotency import idempotent
from app.models import (
    Enrollment,
    Program,
    Recommendation,
    RecommendationBatch,
    User,
)
from app.services import PathwayError
from app.services.enrollments import words
from app.services.enrollments.facts import program_settings as program_settings_of
from app.services.programs import cohort
from app.services.programs import recommendations as recs
from app.services.programs.packets import packet_file
from workflows.roles import Role


def _recommendations_page(program: Program, roles: frozenset[Role], status: int = 200, **context: object):  # type: ignore[no-untyped-def]
    session = get_session()
    batches, followed = recs.batches_of(session, program)
    names = {line.enrollment.id: line for line in cohort.load(session, program)}
    submitters = recs.submitters(program)
    return render("recommendations.html", program, roles, status, ready=recs.ready(session, program),
                   batches=[(b, packet_file(b)) for b in batches], followed=followed, lines=names,
                   can_submit=policy.can_recommend(roles, submitters),
                   can_follow=policy.can_follow_recommendations(roles),
                   can_issue=bool(roles & recs.issuers(program)), can_return=bool(roles & recs.returners(program)),
                   submitters=", ".join(sorted(in_sentence(r.label) for r in submitters)),
                   labels=recs.STATUS_LABELS, S=recs.S, today=clock.today(),
                   program_window=program_settings_of(program).recommendation_window_days, **context)


def _program_for_recommending(program_id: int) -> tuple[Program, frozenset[Role]]:
    """The program for its recommendations page: its viewers, and whoever its pathway names as recording the
    recommendation (on PIP the intern program's support provider, who sees no other program page)."""
    session = get_session()
    program = session.get(Program, program_id)
    if program is not None:
        roles = policy.program_roles(session, current_user, program)  # type: ignore[arg-type]
        if not policy.can_view_program(roles) and policy.can_recommend(roles, recs.submitters(program)):
            return program, roles
    return program_or_404(program_id)


@bp.get("/<int:program_id>/recommendations")
@login_required
def recommendations(program_id: int):  # type: ignore[no-untyped-def]
    """Ready candidates, batches with their packets, and each recommendation's life cycle."""
    program, roles = _program_for_recommending(program_id)
    return _recommendations_page(program, roles, outcomes=_outcomes(program))


@bp.post("/<int:program_id>/recommendations")
@login_required
@idempotent
def submit_recommendations(program_id: int):  # type: ignore[no-untyped-def]
    """Attest and submit the selected candidates."""
    program, roles = _program_for_recommending(program_id)
    if not policy.can_recommend(roles, recs.submitters(program)):
        abort(403)
    session = get_session()
    if request.form.get("attest") != "yes":
        return _recommendations_page(program, roles, 400, problem="Tick the attestation box to submit.")
    ids = [int(v) for v in request.form.getlist("enrollment_id") if v.isdigit()]
    try:
        result = recs.submit_batch(session, program, ids, current_user, request.form.get("attestation", ""))  # type: ignore[arg-type]
    except PathwayError as error:
        session.rollback()
        return _recommendations_page(program, roles, error.status, problem=error.message)
    if result.batch is None:  # nobody could be submitted: nothing was saved, so the form is shown again
        return _recommendations_page(program, roles, 422, outcomes=result.outcomes)
    # Post/redirect/get: a reload shows the outcome without sending the batch again. Those not submitted
    # (kept to a few, the cookie is small) ride along in the session; those submitted are read back from the batch.
    flask_session[_NOT_SUBMITTED] = [{"candidate_name": o.candidate_name, "message": o.message,
                                      "reasons": list(o.reasons)[:5]} for o in result.outcomes if not o.ok][:10]
    return redirect(url_for("director.recommendations", program_id=program.id, batch=result.batch.id) + "#outcomes")


_NOT_SUBMITTED = "recommendations_not_submitted"


def _outcomes(program: Program) -> list[dict[str, object]] | None:
    """What the batch just submitted did (the page after the redirect), or None on an ordinary visit."""
    batch = get_session().get(RecommendationBatch, request.args.get("batch", type=int) or 0)
    if batch is None or batch.program_id != program.id:
        return None
    rows = get_session().exec(select(Recommendation, User).join(Enrollment, Enrollment.id == Recommendation.enrollment_id)  # type: ignore[arg-type]
                              .join(User, User.id == Enrollment.candidate_id)  # type: ignore[arg-type]
                              .where(Recommendation.batch_id == batch.id).order_by(User.name)).all()
    done = [{"ok": True, "candidate_name": candidate.name,
             "message": f"Recommended on {words.day_in_words(rec.submitted_on)}."} for rec, candidate in rows]
    return done + [{"ok": False, **o} for o in flask_session.pop(_NOT_SUBMITTED, [])]


@bp.get("/<int:program_id>/recommendations/batches/<int:batch_id>/packet")
@login_required
def packet(program_id: int, batch_id: int) -> Response:
    """The batch's packet (zip: CSV plus printable summaries)."""
    program, _ = program_or_404(program_id, policy.can_follow_recommendations)
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
    program, roles = program_or_404(program_id, policy.can_follow_recommendations)
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
    except PathwayError as error:
        session.rollback()
        return _recommendations_page(program, roles, error.status, problem=error.message,
                                     reasons=error.reasons)
    flash(f"Recorded: {in_sentence(recs.STATUS_LABELS[recs.S(action)])}.", "success")
    return redirect(url_for("director.recommendations", program_id=program.id) + "#followed")


def _date(raw: str | None) -> date:
    if not raw:
        return clock.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, f"“{raw}” is not a date (YYYY-MM-DD).")
