"""Inbox pages: the approver's tasks, one task, bulk approval, delegations and exit-interview panels.

Everyone without a role here gets 404 (nothing leaks); a decision that lost a race gets 409
"already decided"; bad input gets a 4xx with the reason, and changes nothing.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import policy
from app.db import get_session
from app.models import (AuditEvent, Enrollment, Evidence, Panel, Program, SignOff, SignOffTask, TaskComment,
                        User, utcnow)
from app.services import delegations, panels, pathways
from app.services import tasks as task_service
from app.services.facts import build_facts
from workflows import engine
from workflows.deadlines import local_today
from workflows.facts import EvidenceKind
from workflows.roles import Role

from . import bp, waiting
from .queries import TABS, Filters, counts, has_inbox, listing, programs_in


def _today() -> date:
    return local_today(utcnow(), current_app.config["TIMEZONE"])


@bp.app_context_processor
def inbox_navigation() -> dict[str, object]:
    """`nav_inbox` (open tasks, None for people who approve nothing) and the candidate's sign-offs."""
    if not has_request_context() or not current_user.is_authenticated:
        return {}
    session = get_session()
    today = _today()
    nav = None
    if has_inbox(session, current_user, today):  # type: ignore[arg-type]
        # Tasks, plus the logs naming the person and the documents their role verifies.
        nav = (counts(session, current_user, today).open + len(waiting.logs_to_sign(session, current_user))  # type: ignore[arg-type]
               + len(waiting.documents_to_verify(session, current_user)))  # type: ignore[arg-type]
    return {"nav_inbox": nav,
            "signoff_tasks_for": lambda enrollment_id: task_service.for_enrollment(session, enrollment_id),
            "signoffs_to_ask_for": lambda enrollment: task_service.askable(session, enrollment, current_user)}


def _require_inbox() -> None:
    if not has_inbox(get_session(), current_user, _today()):  # type: ignore[arg-type]
        abort(404)


def _filters() -> Filters:
    args = request.args
    try:
        due_before = date.fromisoformat(args["due_before"]) if args.get("due_before") else None
    except ValueError:
        abort(400, "Enter the due date as a calendar date (YYYY-MM-DD).")
    pathway = args.get("pathway") or None
    if pathway not in (None, "pip", "induction", "casc"):
        abort(400, "Choose a pathway from the list.")
    return Filters(pathway=pathway, program_id=args.get("program", type=int), due_before=due_before,
                   overdue=args.get("overdue") == "1")


@bp.get("")
@login_required
def index() -> str:
    """The approver's inbox: tabs mine / unclaimed / done, filters, counts."""
    _require_inbox()
    session = get_session()
    tab = request.args.get("tab", "mine")
    if tab not in TABS:
        abort(400, "Choose one of the tabs: mine, unclaimed or done.")
    today, filters = _today(), _filters()
    lines = listing(session, current_user, tab, today, filters)  # type: ignore[arg-type]
    everything = listing(session, current_user, tab, today)  # type: ignore[arg-type]
    mine = tab == "mine"
    return render_template("inbox/index.html", tab=tab, lines=lines, filters=filters, today=today,
                           counts=counts(session, current_user, today),  # type: ignore[arg-type]
                           waiting_logs=waiting.logs_to_sign(session, current_user) if mine else [],  # type: ignore[arg-type]
                           waiting_documents=waiting.documents_to_verify(session, current_user) if mine else [],  # type: ignore[arg-type]
                           programs=programs_in(everything), panels=panels.panels_for(session, current_user),  # type: ignore[arg-type]
                           to_convene=_to_convene(), title=task_service.title)


def _to_convene() -> list[tuple[Enrollment, User]]:
    """CASC candidates at the exit interview, without a panel yet, in programs the person directs."""
    session = get_session()
    rows = session.exec(select(Enrollment, User).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(Enrollment.pathway == "casc", Enrollment.state == panels.STATE)).all()
    return [(e, c) for e, c in rows if policy.can_set_up_panel(policy.roles_on(session, current_user, e))  # type: ignore[arg-type]
            and panels.open_panel(session, e.id) is None]  # type: ignore[arg-type]


# --- One task ------------------------------------------------------------------------------------


def _task(task_id: int) -> tuple[SignOffTask, Enrollment]:
    session = get_session()
    task = session.get(SignOffTask, task_id)
    enrollment = session.get(Enrollment, task.enrollment_id) if task else None
    if task is None or enrollment is None or not task_service.can_see(session, current_user, task, enrollment):  # type: ignore[arg-type]
        abort(404)
    return task, enrollment


def _task_page(task_id: int, status: int = 200, problems: list[str] | None = None,
               problem_title: str | None = None) -> tuple[str, int]:
    session = get_session()
    task, enrollment = _task(task_id)
    now = utcnow()
    facts = build_facts(session, enrollment, now)
    people = {u.id: u for u in session.exec(select(User).where(User.id.in_(  # type: ignore[union-attr]
        {task.claimed_by_id, task.decided_by_id, task.on_behalf_of_id, enrollment.candidate_id} - {None}))).all()}
    try:
        acting_for = task_service.principal(session, current_user, task, enrollment, now)  # type: ignore[arg-type]
        can_work = True
    except pathways.NotPermitted:
        acting_for, can_work = None, False
    checks = (task_service.approval_problems(session, task, enrollment, current_user, acting_for, facts)  # type: ignore[arg-type]
              if can_work and task.status == "open" else [])
    options = {o.event: o for o in engine.events_from(enrollment.pathway, enrollment.pathway_version,
                                                       enrollment.state, facts)}
    step = options.get(task.event)
    also_missing = [reason for rule, reason in zip(step.unmet, step.reasons) if rule.signoff is None] if step else []
    kinds = [r.evidence_kind.value for r in task_service.covered_rules(enrollment, task.key)]  # type: ignore[union-attr]
    versions = session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment.id,
                                                   Evidence.kind.in_(kinds or ["-"]))  # type: ignore[attr-defined]
                            .order_by(Evidence.kind, Evidence.version.desc())).all()  # type: ignore[attr-defined]
    roles = policy.roles_on(session, current_user, enrollment)  # type: ignore[arg-type]
    signoff = session.get(SignOff, task.signoff_id) if task.signoff_id else None
    comments = session.exec(select(TaskComment, User).join(User, TaskComment.author_id == User.id)  # type: ignore[arg-type]
                            .where(TaskComment.task_id == task.id).order_by(TaskComment.id)).all()
    minutes = facts.settings.undo_minutes
    moved_on = (enrollment.state_changed_at is not None and task.decided_at is not None
                and enrollment.state_changed_at >= task.decided_at)
    can_undo = (task.status in task_service.DECIDED and task.decided_at is not None
                and policy.can_undo(current_user.id, task.decided_by_id, (now - task.decided_at).total_seconds(),
                                    minutes, moved_on))
    history = session.exec(select(AuditEvent, User).join(User, AuditEvent.actor_id == User.id, isouter=True)  # type: ignore[arg-type]
                           .where(AuditEvent.enrollment_id == enrollment.id, AuditEvent.action.like("task.%"))  # type: ignore[attr-defined]
                           .order_by(AuditEvent.id)).all()
    history = [(a, u) for a, u in history if a.details.get("task") == task.id or a.details.get("replacement") == task.id
               or a.details.get("old_task") == task.id]
    return render_template(
        "inbox/task.html", task=task, enrollment=enrollment, program=session.get(Program, enrollment.program_id),
        people=people, title=task_service.title(task), role_label=Role(task.role).label, step=step,
        also_missing=also_missing, versions=versions, can_read_evidence=policy.can_read_evidence(roles),
        can_work=can_work, acting_for=acting_for, checks=checks, signoff=signoff, comments=comments,
        can_undo=can_undo, undo_minutes=minutes, can_reopen=policy.can_reopen(roles) and task.status in task_service.DECIDED,
        problems=problems or [], problem_title=problem_title, today=_today(), history=history,
        EvidenceKind=EvidenceKind), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> tuple[str, int]:
    """One task: the candidate, the step, what to check, the documents, comments, the decision."""
    return _task_page(task_id)


def _act(task_id: int, action, done: str, fragment: str = "") -> Response | tuple[str, int]:  # type: ignore[no-untyped-def]
    """Run a task command; on refusal, show the task again with the reason and the right status."""
    _task(task_id)
    session = get_session()
    try:
        action(session)
    except pathways.NotFound:
        session.rollback()
        abort(404)
    except pathways.PathwayError as error:
        session.rollback()
        return _task_page(task_id, error.status, error.reasons or [error.message],
                          error.message if error.reasons else None)
    flash(done, "success")
    return redirect(url_for("inbox.task", task_id=task_id) + fragment)


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response | tuple[str, int]:
    """Take the task, so the others holding the role see someone is on it."""
    return _act(task_id, lambda s: task_service.claim(s, task_id, current_user), "Claimed: it is in your tasks now.")


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> Response | tuple[str, int]:
    """Hand the task back to everyone holding the role."""
    return _act(task_id, lambda s: task_service.unclaim(s, task_id, current_user), "Handed back.")


@bp.post("/tasks/<int:task_id>/approve")
@login_required
def approve(task_id: int) -> Response | tuple[str, int]:
    """Give the sign-off (bound to the verified documents as they are now)."""
    def run(session):  # type: ignore[no-untyped-def]
        decision = task_service.approve(session, task_id, current_user, comment=request.form.get("comment"))
        if decision.transition_to:
            flash("That was the last sign-off the step needed: it has moved on.", "success")
    return _act(task_id, run, "Signed off.")


@bp.post("/tasks/<int:task_id>/send-back")
@login_required
def send_back(task_id: int) -> Response | tuple[str, int]:
    """Send the sign-off back with a reason the candidate sees."""
    reason = request.form.get("reason", "")
    return _act(task_id, lambda s: task_service.send_back(s, task_id, current_user, reason),
                "Sent back with your reason.")


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def comment(task_id: int) -> Response | tuple[str, int]:
    """Comment on the task; the candidate reads it too."""
    body = request.form.get("body", "")
    return _act(task_id, lambda s: task_service.comment(s, task_id, current_user, body), "Comment added.",
                "#comments")


@bp.post("/tasks/<int:task_id>/undo")
@login_required
def undo(task_id: int) -> Response | tuple[str, int]:
    """Take back one's own decision within the undo window."""
    return _act(task_id, lambda s: task_service.undo(s, task_id, current_user), "Undone: the task is open again.")


@bp.post("/tasks/<int:task_id>/reopen")
@login_required
def reopen(task_id: int) -> Response | tuple[str, int]:
    """A program director reopens a decision, with a reason."""
    reason = request.form.get("reason", "")
    return _act(task_id, lambda s: task_service.reopen(s, task_id, current_user, reason),
                "Reopened: the decision is withdrawn and the sign-off asked for again.")


@bp.post("/bulk-approve")
@login_required
def bulk_approve() -> tuple[str, int]:
    """Approve the selected tasks whose checks pass; list the others with the reason."""
    _require_inbox()
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit()]
    if not ids:
        abort(400, "Select at least one task to approve.")
    result = task_service.bulk_approve(get_session(), ids, current_user)  # type: ignore[arg-type]
    return render_template("inbox/bulk.html", result=result, title=task_service.title), 200


@bp.post("/enrollments/<int:enrollment_id>/signoffs/<event>")
@login_required
def ask_for_signoffs(enrollment_id: int, event: str) -> Response:
    """From the enrolment page: ask the role holders for the sign-offs a step still lacks."""
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(session, current_user, enrollment):  # type: ignore[arg-type]
        abort(404)
    try:
        queued = task_service.ask_for_signoffs(session, enrollment_id, event, current_user)  # type: ignore[arg-type]
    except pathways.PathwayError as error:
        session.rollback()
        abort(error.status, error.message)
    flash(f"Asked for {len(queued)} sign-off{'' if len(queued) == 1 else 's'}.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment_id))


# --- Delegations -----------------------------------------------------------------------------------


def _delegation_page(status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    made, received = delegations.listed_for(get_session(), current_user)  # type: ignore[arg-type]
    return render_template("inbox/delegations.html", made=made, received=received, problems=problems or [],
                           today=_today(), form=request.form), status


@bp.get("/delegations")
@login_required
def delegation_list() -> tuple[str, int]:
    """Substitutes named, and people one stands in for."""
    _require_inbox()
    return _delegation_page()


@bp.post("/delegations")
@login_required
def create_delegation() -> Response | tuple[str, int]:
    """Name a substitute for a window of dates."""
    _require_inbox()
    session = get_session()
    try:
        starts_on = date.fromisoformat(request.form.get("starts_on", ""))
        ends_on = date.fromisoformat(request.form.get("ends_on", ""))
    except ValueError:
        return _delegation_page(400, ["Enter the first and last day as calendar dates."])
    try:
        delegations.create(session, current_user, request.form.get("email", ""), starts_on, ends_on,  # type: ignore[arg-type]
                           _today(), request.form.get("note", ""))
        session.commit()
    except pathways.PathwayError as error:
        session.rollback()
        return _delegation_page(error.status, [error.message])
    flash("Substitute named.", "success")
    return redirect(url_for("inbox.delegation_list"))


@bp.post("/delegations/<int:delegation_id>/revoke")
@login_required
def revoke_delegation(delegation_id: int) -> Response:
    """End a delegation early."""
    session = get_session()
    try:
        delegations.revoke(session, delegation_id, current_user)  # type: ignore[arg-type]
        session.commit()
    except pathways.NotFound:
        abort(404)
    flash("Delegation ended.", "success")
    return redirect(url_for("inbox.delegation_list"))


# --- Exit-interview panels ------------------------------------------------------------------------------


def _panel(panel_id: int) -> tuple[Panel, Enrollment]:
    session = get_session()
    panel = session.get(Panel, panel_id)
    enrollment = session.get(Enrollment, panel.enrollment_id) if panel else None
    if panel is None or enrollment is None:
        abort(404)
    if panels.seat_of(session, panel, current_user) is None and not policy.can_set_up_panel(  # type: ignore[arg-type]
            policy.roles_on(session, current_user, enrollment)):  # type: ignore[arg-type]
        abort(404)
    return panel, enrollment


def _panel_page(panel_id: int, status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    session = get_session()
    panel, enrollment = _panel(panel_id)
    tally = panels.tally(session, panel)
    seat = next((s for s in tally.seats if s.user.id == current_user.id), None)
    return render_template("inbox/panel.html", panel=panel, enrollment=enrollment, tally=tally, seat=seat,
                           candidate=session.get(User, enrollment.candidate_id), cpsel=panels.CPSEL,
                           rubric=panels.RUBRIC, problems=problems or [], form=request.form,
                           threshold=build_facts(session, enrollment).settings.exit_panel_mastery_score), status


@bp.get("/panels/<int:panel_id>")
@login_required
def panel(panel_id: int) -> tuple[str, int]:
    """The panel: members, the rubric form for a member who has not voted, the tally."""
    return _panel_page(panel_id)


@bp.post("/panels/<int:panel_id>/vote")
@login_required
def vote(panel_id: int) -> Response | tuple[str, int]:
    """Record a member's rubric: a score per CPSEL, mastery or not, and why not."""
    _panel(panel_id)
    session = get_session()
    mastery = request.form.get("mastery")
    try:
        if mastery not in ("yes", "no"):
            raise panels.PanelError("Say whether the candidate has mastered every CPSEL.")
        scores = panels.parse_scores(request.form)  # type: ignore[arg-type]
        result = panels.vote(session, panel_id, current_user, scores, mastery == "yes",  # type: ignore[arg-type]
                             request.form.get("reason"))
    except pathways.NotFound:
        session.rollback()
        abort(404)
    except pathways.PathwayError as error:
        session.rollback()
        return _panel_page(panel_id, error.status, [error.message])
    outcome = result.panel.outcome
    flash({"mastery": "Vote recorded. The panel's quorum agreed on mastery.",
           "not_yet": "Vote recorded. The panel cannot reach mastery this time."}.get(outcome or "", "Vote recorded."),
          "success")
    return redirect(url_for("inbox.panel", panel_id=panel_id))


def _setup_enrollment(enrollment_id: int) -> Enrollment:
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_set_up_panel(policy.roles_on(session, current_user, enrollment)):  # type: ignore[arg-type]
        abort(404)
    return enrollment


def _setup_page(enrollment: Enrollment, status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    session = get_session()
    seats = panels.candidates_for_seats(session, enrollment)
    default_quorum = min(build_facts(session, enrollment).settings.exit_panel_quorum,
                         max(1, sum(1 for _, counts_ in seats if counts_)))
    return render_template("inbox/panel_setup.html", enrollment=enrollment, seats=seats, problems=problems or [],
                           candidate=session.get(User, enrollment.candidate_id), default_quorum=default_quorum,
                           form=request.form, existing=panels.open_panel(session, enrollment.id)), status  # type: ignore[arg-type]


@bp.get("/enrollments/<int:enrollment_id>/panel")
@login_required
def panel_setup(enrollment_id: int) -> tuple[str, int]:
    """The director's form to convene the exit-interview panel."""
    return _setup_page(_setup_enrollment(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/panel")
@login_required
def create_panel(enrollment_id: int) -> Response | tuple[str, int]:
    """Convene the panel: members (panel members and the candidate's coach) and the quorum."""
    enrollment = _setup_enrollment(enrollment_id)
    session = get_session()
    try:
        quorum = int(request.form.get("quorum", ""))
        meets_on = date.fromisoformat(request.form["meets_on"]) if request.form.get("meets_on") else None
    except ValueError:
        return _setup_page(enrollment, 400, ["Enter the quorum as a whole number and the date as a calendar date."])
    members = [int(v) for v in request.form.getlist("member") if v.isdigit()]
    try:
        created = panels.create(session, enrollment.id, current_user, members, quorum, meets_on)  # type: ignore[arg-type]
    except pathways.PathwayError as error:
        session.rollback()
        return _setup_page(_setup_enrollment(enrollment_id), error.status, [error.message])
    flash("Panel convened.", "success")
    return redirect(url_for("inbox.panel", panel_id=created.id))
