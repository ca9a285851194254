"""The enrolment's facts page (key dates, declared numbers, yes/no facts) and the credential goal.

Each fact says who owns it and where its value comes from; owners record or confirm, the
candidate enters what they know first, and the program director lets an enrolment carry on past
a window that closed late, with a reason.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock, outbox, policy
from app.candidate.blueprint import bp
from app.candidate.routes import _enrollment
from app.db import get_session
from app.models import Enrollment
from app.services import PathwayError
from app.services.enrollments import goal, recorded_facts
from app.services.enrollments.facts import build_facts


def _facts_page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None,
                problem_title: str | None = None) -> tuple[str, int]:
    session = get_session()
    facts = build_facts(session, enrollment)
    windows = [(rule, rule.is_late(facts), rule.waived(facts)) for rule in recorded_facts.waiver_rules(enrollment)]
    return render_template("candidate/facts.html", enrollment=enrollment, facts=facts,
                           lines=recorded_facts.lines(session, enrollment, current_user),  # type: ignore[arg-type]
                           windows=windows, today=clock.today(), problems=problems or [],
                           problem_title=problem_title,
                           roles=policy.roles_on(session, current_user, enrollment)), status  # type: ignore[arg-type]


@bp.get("/enrollments/<int:enrollment_id>/facts")
@login_required
def facts(enrollment_id: int) -> tuple[str, int]:
    """Every fact the pathway's rules read: its value, who entered it, and whether it is confirmed."""
    return _facts_page(_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/facts/<name>")
@login_required
def record_fact(enrollment_id: int, name: str) -> Response | tuple[str, int]:
    """Record, claim or clear one fact."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    was = enrollment.state
    try:
        row = recorded_facts.record(session, enrollment.id, current_user, name,  # type: ignore[arg-type]
                                    request.form.get("value"), request.form.get("reason"))
        now_in = session.get(Enrollment, enrollment.id)
        reopened = now_in is not None and now_in.state != was
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _facts_page(_enrollment(enrollment_id), error.status, [error.message], "Nothing was recorded.")
    flash("Saved; it counts once it is confirmed." if row.status == "claimed"
          else "Recorded. The enrolment is open again: what was recorded lifts the reason the daily check closed it."
          if reopened else "Recorded.", "success")
    return redirect(url_for("candidate.facts", enrollment_id=enrollment.id) + f"#fact-{name}")


@bp.post("/enrollments/<int:enrollment_id>/facts/<name>/confirm")
@login_required
def confirm_fact(enrollment_id: int, name: str) -> Response | tuple[str, int]:
    """Confirm what the candidate entered."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    try:
        recorded_facts.confirm(session, enrollment.id, current_user, name)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _facts_page(_enrollment(enrollment_id), error.status, [error.message], "Nothing was confirmed.")
    flash("Confirmed.", "success")
    return redirect(url_for("candidate.facts", enrollment_id=enrollment.id) + f"#fact-{name}")


@bp.route("/enrollments/<int:enrollment_id>/goal", methods=["GET", "POST"])
@login_required
def credential_goal(enrollment_id: int) -> Response | tuple[str, int]:
    """The credential the candidate is working toward, the authorization and the employer."""
    session = get_session()
    enrollment = _enrollment(enrollment_id)
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            goal.update(session, enrollment.id, current_user, credential_sought=request.form.get("credential_sought"),  # type: ignore[arg-type]
                        authorization=request.form.get("authorization"), employer=request.form.get("employer"))
            outbox.commit(session)
        except PathwayError as error:
            session.rollback()
            problems, status = [error.message], error.status
            enrollment = _enrollment(enrollment_id)
        else:
            flash("Credential goal saved.", "success")
            return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id))
    return render_template("candidate/goal.html", enrollment=enrollment, problems=problems,
                           problem_title="The goal was not saved", may_edit=goal.may_edit(roles),
                           entered=request.form if problems else None), status
