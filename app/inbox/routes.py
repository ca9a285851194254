"""Inbox pages: the approver's tasks, one task, bulk approval, delegations and exit-interview panels.

Everyone without a role here gets 404 (nothing leaks); a decision that lost a race gets 409
"already decided"; bad input gets a 4xx with the reason, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, g, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock, policy
from app.db import get_session
from app.idempotency import idempotent
from app.inbox.blueprint import bp
from app.models import Enrollment, SignOffTask, utcnow
from app.services import NotFound, PathwayError
from app.services.signoffs import (
    deciding,
    inbox,
    panels,
    pending,
    queueing,
    reopening,
    task_page,
    waiting_on,
    worklist,
)
from app.services.signoffs.inbox import listing
from workflows import registry
from workflows.facts import EvidenceKind


@bp.app_context_processor
def inbox_navigation() -> dict[str, object]:
    """`nav_inbox` (everything waiting on the person, None for people who approve nothing) and the
    candidate's sign-offs. The badge counts the same queue the inbox lists, computed once a request."""
    if not has_request_context() or not current_user.is_authenticated:
        return {}
    session = get_session()
    return {"nav_inbox": inbox_badge(),
            "signoff_tasks_for": lambda enrollment: pending.for_enrollment(session, enrollment),
            "signoffs_to_ask_for": lambda enrollment: queueing.askable(session, enrollment, current_user)}


def current_queue() -> worklist.Queue:
    """The signed-in person's queue, built once per request (the badge, heading and tabs share it)."""
    if "inbox_queue" not in g:
        g.inbox_queue = worklist.build(get_session(), current_user, clock.today())  # type: ignore[arg-type]
    return g.inbox_queue


def inbox_badge() -> int | None:
    """The badge's count: the built queue's on the inbox's own pages, else counted in SQL (the same
    rows, without building a queue no page shows). None for people who approve nothing."""
    if "inbox_queue" in g:
        queue = g.inbox_queue
        return queue.total if queue.approver else None
    return waiting_on.total(get_session(), current_user, clock.today())  # type: ignore[arg-type]


def forget_queue() -> None:
    """After a decision in this request, count again."""
    g.pop("inbox_queue", None)


def require_inbox() -> None:
    if not current_queue().approver:
        abort(404)


# Tabs: everything, one kind of work, or what the person decided. "mine" and "unclaimed" (older
# links, the API's words) are the sign-offs tab narrowed to claimed by me / unclaimed.
TAB_KINDS = {"all": None, "signoffs": "signoff", "logs": "log", "documents": "document"}
OLD_TABS = {"mine": "mine", "unclaimed": "unclaimed"}


def back_to_queue() -> Response:
    """The queue as the person left it: a fixed route, its tab and page checked, never a URL from the form."""
    tab = request.form.get("tab", "all")
    page = request.form.get("page", type=int) or 1
    args = {"tab": tab} if tab in TAB_KINDS and tab != "all" else {}
    if page > 1:
        args["page"] = str(page)
    return redirect(url_for("inbox.index", **args) + "#queue")


def _filters() -> worklist.Filters:
    args = request.args
    try:
        due_before = date.fromisoformat(args["due_before"]) if args.get("due_before") else None
    except ValueError:
        abort(400, "Enter the due date as a calendar date, for example 2 March 2027.")
    pathway = args.get("pathway") or None
    if pathway is not None and pathway not in registry.names():
        abort(400, "Choose a pathway from the list.")
    claimed = args.get("claimed") or OLD_TABS.get(args.get("tab", ""))
    if claimed not in (None, "mine", "unclaimed"):
        abort(400, "Choose claimed by you or unclaimed.")
    return worklist.Filters(pathway=pathway, program_id=args.get("program", type=int), due_before=due_before,
                            overdue=args.get("overdue") == "1", claimed=claimed)


@bp.get("")
@login_required
def index() -> str:
    """One queue of everything waiting on the approver, most urgent first, a page at a time."""
    require_inbox()
    session = get_session()
    tab = request.args.get("tab", "all")
    tab = "signoffs" if tab in OLD_TABS else tab
    if tab not in (*TAB_KINDS, "done"):
        abort(400, "Choose one of the tabs: everything, sign-offs, logs, documents or done.")
    today, filters = clock.today(), _filters()
    queue = current_queue()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    done, shown = [], []
    if tab == "done":
        done = listing(session, current_user, "done", today,  # type: ignore[arg-type]
                       inbox.Filters(filters.pathway, filters.program_id))
    else:
        shown = queue.select(TAB_KINDS[tab], filters)
    size = worklist.PAGE_SIZE
    pages = max((len(shown) + size - 1) // size, 1)
    page = min(page, pages)
    return render_template("inbox/index.html", pathway_choices=[(p.name, p.short) for p in registry.plugins()], tab=tab, queue=queue, items=shown[(page - 1) * size:page * size],
                           shown=len(shown), page=page, pages=pages, done=done, filters=filters, today=today,
                           programs=queue.programs(), panels=panels.panels_for(session, current_user),  # type: ignore[arg-type]
                           title=queueing.title,
                           URGENCY_LABELS=URGENCY_LABELS,
                           log_batches=log_batches(queue.select("log", filters)) if tab in ("all", "logs") else [])


@dataclass(frozen=True)
class LogBatch:
    """One candidate's logs waiting on the person, to sign together (from the queue)."""

    enrollment_id: int
    candidate_name: str
    log_ids: tuple[int, ...]
    first: date
    last: date


def log_batches(items: list[worklist.Item]) -> list[LogBatch]:
    """Each candidate with more than one log waiting on the person: all of them, oldest first."""
    by_enrolment: dict[int, list[worklist.Item]] = {}
    for item in items:
        if item.kind == "log" and item.occurred_on is not None:
            by_enrolment.setdefault(item.enrollment_id, []).append(item)
    batches = []
    for enrollment_id, rows in by_enrolment.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda i: (i.occurred_on, i.id))  # type: ignore[arg-type, return-value]
        batches.append(LogBatch(enrollment_id, rows[0].candidate_name, tuple(i.id for i in rows),
                                rows[0].occurred_on, rows[-1].occurred_on))  # type: ignore[arg-type]
    return sorted(batches, key=lambda b: (b.candidate_name, b.enrollment_id))


URGENCY_LABELS = {"overdue": "Overdue", "soon": "Due this week", "later": "Later"}


# --- One task ------------------------------------------------------------------------------------


def _task(task_id: int) -> tuple[SignOffTask, Enrollment]:
    session = get_session()
    task = session.get(SignOffTask, task_id)
    enrollment = session.get(Enrollment, task.enrollment_id) if task else None
    if task is None or enrollment is None or not deciding.can_see(session, current_user, task, enrollment):  # type: ignore[arg-type]
        abort(404)
    return task, enrollment


def _task_page(task_id: int, status: int = 200, problems: list[str] | None = None,
               problem_title: str | None = None) -> tuple[str, int]:
    task, enrollment = _task(task_id)
    page = task_page.read(get_session(), task, enrollment, current_user, utcnow())  # type: ignore[arg-type]
    return render_template("inbox/task.html", **vars(page), problems=problems or [],
                           problem_title=problem_title, today=clock.today(), EvidenceKind=EvidenceKind), status


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
    except NotFound:
        session.rollback()
        abort(404)
    except PathwayError as error:
        session.rollback()
        return _task_page(task_id, error.status, error.reasons or [error.message],
                          error.message if error.reasons else None)
    flash(done, "success")
    forget_queue()
    if request.form.get("from") == "queue":  # decided inline in the queue: back to it (a fixed route)
        return back_to_queue()
    return redirect(url_for("inbox.task", task_id=task_id) + fragment)


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response | tuple[str, int]:
    """Take the task, so the others holding the role see someone is on it."""
    return _act(task_id, lambda s: deciding.claim(s, task_id, current_user), "Claimed: it is in your tasks now.")


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> Response | tuple[str, int]:
    """Hand the task back to everyone holding the role."""
    return _act(task_id, lambda s: deciding.unclaim(s, task_id, current_user), "Handed back.")


@bp.post("/tasks/<int:task_id>/approve")
@login_required
def approve(task_id: int) -> Response | tuple[str, int]:
    """Give the sign-off (bound to the verified documents as they are now)."""
    def run(session):  # type: ignore[no-untyped-def]
        decision = deciding.approve(session, task_id, current_user, comment=request.form.get("comment"))
        if decision.transition_to:
            flash("That was the last sign-off the step needed: it has moved on.", "success")
    return _act(task_id, run, "Signed off.")


@bp.post("/tasks/<int:task_id>/send-back")
@login_required
def send_back(task_id: int) -> Response | tuple[str, int]:
    """Send the sign-off back with a reason the candidate sees."""
    reason = request.form.get("reason", "")
    return _act(task_id, lambda s: deciding.send_back(s, task_id, current_user, reason),
                "Sent back with your reason.")


@bp.post("/tasks/<int:task_id>/comments")
@login_required
@idempotent
def comment(task_id: int) -> Response | tuple[str, int]:
    """Comment on the task; the candidate reads it too."""
    body = request.form.get("body", "")
    return _act(task_id, lambda s: deciding.comment(s, task_id, current_user, body), "Comment added.",
                "#comments")


@bp.post("/tasks/<int:task_id>/undo")
@login_required
def undo(task_id: int) -> Response | tuple[str, int]:
    """Take back one's own decision within the undo window."""
    return _act(task_id, lambda s: reopening.undo(s, task_id, current_user), "Undone: the task is open again.")


@bp.post("/tasks/<int:task_id>/reopen")
@login_required
def reopen(task_id: int) -> Response | tuple[str, int]:
    """A program director reopens a decision, with a reason."""
    reason = request.form.get("reason", "")
    return _act(task_id, lambda s: reopening.reopen(s, task_id, current_user, reason),
                "Reopened: the decision is withdrawn and the sign-off asked for again.")


@bp.post("/enrollments/<int:enrollment_id>/signoffs/<event>")
@login_required
def ask_for_signoffs(enrollment_id: int, event: str) -> Response:
    """From the enrolment page: ask the role holders for the sign-offs a step still lacks."""
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(session, current_user, enrollment):  # type: ignore[arg-type]
        abort(404)
    try:
        queued = queueing.ask_for_signoffs(session, enrollment_id, event, current_user)  # type: ignore[arg-type]
    except PathwayError as error:
        session.rollback()
        abort(error.status, error.message)
    flash(f"Asked for {len(queued)} sign-off{'' if len(queued) == 1 else 's'}.", "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment_id))
