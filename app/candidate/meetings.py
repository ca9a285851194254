"""PIP review meetings: the candidate reviews the tracker with their support team (at least three)."""

from __future__ import annotations

from datetime import date

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
from app.services.enrollments.facts import build_facts, confirmed_roles
from app.services.evidence import logs as logs_service
from app.services.evidence import reviews as attendance
from app.services.progress import dashboard as dashboard_service
from workflows.registry import plugin
from workflows.roles import Role

from .routes import _enrollment


def _reviewed(enrollment_id: int) -> Enrollment:
    """The enrolment, when its pathway holds review meetings (else 404)."""
    enrollment = _enrollment(enrollment_id)
    if plugin(enrollment.pathway).reviews is None or LogKind.REVIEW_MEETING not in logs_service.kinds(enrollment.pathway):
        abort(404)
    return enrollment


def _page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
          entered: dict[str, str] | None = None) -> tuple[str, int]:
    session = get_session()
    roles = policy.roles_on(session, current_user, enrollment)
    facts = build_facts(session, enrollment)
    meetings = session.exec(select(LogEntry).where(LogEntry.enrollment_id == enrollment.id,
                                                   LogEntry.kind == LogKind.REVIEW_MEETING.value)
                            .order_by(LogEntry.occurred_on.desc(), LogEntry.id.desc())).all()  # type: ignore[attr-defined]
    people = {m.signer_id for m in meetings} | {person for m in meetings for person in (m.attendance or {}).values()}
    names = {u.id: u.name for u in session.exec(select(User).where(User.id.in_(people or {0}))).all()}  # type: ignore[union-attr]
    signer_role = logs_service.kinds(enrollment.pathway)[LogKind.REVIEW_MEETING]
    signers = [user for user, role in dashboard_service.signers_for(session, enrollment) if role is signer_role]
    candidate = session.get(User, enrollment.candidate_id)
    # Who the program requires at a review, and for each meeting who of them was missing.
    reviews = plugin(enrollment.pathway).reviews
    assert reviews is not None  # _reviewed() let only such a pathway through
    # For each meeting: who of them was not there, and who was listed but has not confirmed yet.
    absent = {m.id: reviews.missing(m.attendee_roles, facts.settings) for m in meetings}
    unconfirmed = {m.id: [part for part in reviews.missing(confirmed_roles(m.attendee_roles, m.attendance), facts.settings)
                          if part not in absent[m.id]] for m in meetings}
    return render_template(
        "candidate/meetings.html", enrollment=enrollment, candidate=candidate, problems=problems or [],
        meetings=[(m, logs_service.visible_notes(m, roles, current_user)) for m in meetings], names=names,  # type: ignore[arg-type]
        missing=absent, unconfirmed=unconfirmed, answerable={m.id: attendance.answerable(session, m, current_user, enrollment)  # type: ignore[arg-type]
                                                            for m in meetings},
        required=reviews.required(facts.settings), review_roles=reviews.roles, period=reviews.period,
        attended=set(request.form.getlist("attendee_roles")),  # ticked again when the form comes back
        held=int(facts.count(reviews.count)), needed=getattr(facts.settings, reviews.needed),
        pending=sum(1 for m in meetings if m.signed_at is None), signers=signers, signer_role=signer_role,
        can_log=policy.can_keep_log(current_user, enrollment), today=facts.today,  # type: ignore[arg-type]
        entered=entered or {"participants": candidate.name if candidate else ""}, Role=Role), status


@bp.get("/enrollments/<int:enrollment_id>/meetings")
@login_required
def meetings(enrollment_id: int) -> tuple[str, int]:
    """The review meetings held so far, against the number the program requires."""
    return _page(_reviewed(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/meetings")
@login_required
@idempotent
def add_meeting(enrollment_id: int) -> Response | tuple[str, int]:
    """The candidate records a review meeting: when, who took part (names and roles), and notes; the
    mentor signs it. It counts toward the rule only with the roles the program requires present."""
    session = get_session()
    enrollment = _reviewed(enrollment_id)
    form = request.form
    entered = {key: form.get(key, "") for key in ("occurred_on", "participants", "notes", "signer_id")}
    participants = form.get("participants", "").splitlines()
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
    except ValueError:
        return _page(enrollment, 400, ["Enter the meeting's date."], entered)
    try:
        signer = session.get(User, form.get("signer_id", type=int) or 0)
        if signer is None:
            raise logs_service.LogError("Choose who will sign the meeting record.")
        logs_service.add(session, enrollment, current_user, kind=LogKind.REVIEW_MEETING.value,  # type: ignore[arg-type]
                         occurred_on=occurred_on, hours=0, notes=form.get("notes", ""), signer=signer,
                         participants=participants, attendee_roles=form.getlist("attendee_roles"),
                         today=dashboard_service.today_for(session, enrollment))
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(enrollment, error.status, [error.message], entered)
    flash("Review meeting recorded. It counts once your mentor signs it.", "success")
    return redirect(url_for("candidate.meetings", enrollment_id=enrollment.id))


@bp.post("/enrollments/<int:enrollment_id>/meetings/<int:log_id>/attendance")
@login_required
def answer_attendance(enrollment_id: int, log_id: int) -> Response | tuple[str, int]:
    """Someone listed at a review meeting confirms they were there, or says they were not."""
    session = get_session()
    enrollment = _reviewed(enrollment_id)
    present = request.form.get("present")
    if present not in ("yes", "no"):
        return _page(enrollment, 400, ["Say whether you were at the meeting."])
    try:
        attendance.answer(session, enrollment, log_id, current_user, present=present == "yes")  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(enrollment, error.status, [error.message])
    flash("Thank you: you confirmed you were there." if present == "yes"
          else "Noted: you were not there, and the record no longer lists you.", "success")
    return redirect(url_for("candidate.meetings", enrollment_id=enrollment.id))
