"""Sign-off tasks over the API (the approver's inbox: list, claim, approve, send back, bulk) and the audit feed."""

from __future__ import annotations

from sqlmodel import Session, select

from app import clock
from app.api import schemas
from app.api.blueprint import Invalid, operation
from app.db import get_session
from app.models import AuditEvent, Enrollment, Program, SignOffTask, User
from app.services import NotFound
from app.services.enrollments import dashboard as dashboard_service
from app.services.signoffs import deciding, inbox, queueing


def _out(task: SignOffTask, enrollment: Enrollment, program: Program, candidate: User, overdue: bool) -> schemas.TaskOut:
    return schemas.TaskOut(id=task.id, title=queueing.title(task), enrollment_id=enrollment.id,  # type: ignore[arg-type]
                           candidate_name=candidate.name, program_name=program.name, key=task.key, role=task.role,
                           event=task.event, status=task.status, what=task.what, due_on=task.due_on, overdue=overdue,
                           claimed_by_id=task.claimed_by_id, decided_by_id=task.decided_by_id, reason=task.reason,
                           version=task.version_id)


def _seen(session: Session, user: User, task_id: int) -> tuple[SignOffTask, Enrollment]:
    """The task if the caller may see it (as on its page); 404 otherwise."""
    task = session.get(SignOffTask, task_id, populate_existing=True)
    enrollment = session.get(Enrollment, task.enrollment_id) if task else None
    if task is None or enrollment is None or not deciding.can_see(session, user, task, enrollment):
        raise NotFound("There is no such task.")
    return task, enrollment


def _task_out(session: Session, task_id: int) -> schemas.TaskOut:
    task = session.get(SignOffTask, task_id, populate_existing=True)
    enrollment = session.get(Enrollment, task.enrollment_id)  # type: ignore[union-attr]
    program, candidate = session.get(Program, enrollment.program_id), session.get(User, enrollment.candidate_id)  # type: ignore[union-attr]
    today = clock.today()
    late = task.status == "open" and task.due_on is not None and task.due_on < today  # type: ignore[union-attr]
    return _out(task, enrollment, program, candidate, late)  # type: ignore[arg-type]


@operation("GET", "/tasks", summary="My sign-off tasks", tag="tasks", query=schemas.TaskQuery, response=schemas.TaskList)
def list_tasks(user: User, query: schemas.TaskQuery) -> schemas.TaskList:
    """A tab of the caller's inbox: `mine` (claimed by me), `unclaimed` (for roles I hold), `done`."""
    filters = inbox.Filters(pathway=query.pathway, program_id=query.program_id, overdue=query.overdue)
    lines = inbox.listing(get_session(), user, query.tab, clock.today(), filters)
    start = (query.page - 1) * query.limit
    return schemas.TaskList(items=[_out(line.task, line.enrollment, line.program, line.candidate, line.overdue)
                                   for line in lines[start:start + query.limit]],
                            page=schemas.PageInfo(page=query.page, limit=query.limit, total=len(lines)))


@operation("GET", "/tasks/<int:task_id>", summary="One sign-off task", tag="tasks", response=schemas.TaskOut)
def get_task(user: User, task_id: int) -> schemas.TaskOut:
    """The task, for those who may work it, decided it, or oversee it."""
    session = get_session()
    _seen(session, user, task_id)
    return _task_out(session, task_id)


@operation("POST", "/tasks/<int:task_id>/claim", summary="Claim a task", tag="tasks", response=schemas.TaskOut,
           errors=(409,))
def claim_task(user: User, task_id: int) -> schemas.TaskOut:
    """Take the task, so the others holding the role see someone is on it."""
    session = get_session()
    _seen(session, user, task_id)
    deciding.claim(session, task_id, user)
    return _task_out(session, task_id)


@operation("POST", "/tasks/<int:task_id>/approve", summary="Approve (give the sign-off)", tag="tasks",
           body=schemas.Approve, response=schemas.Decided, errors=(409,))
def approve_task(user: User, task_id: int, body: schemas.Approve) -> schemas.Decided:
    """Give the sign-off, bound to the verified documents as they are now; when it was the last one the step
    needed, the step fires in the same transaction (`step_moved_to`). 409 when already decided."""
    session = get_session()
    _seen(session, user, task_id)
    decision = deciding.approve(session, task_id, user, comment=body.comment)
    return schemas.Decided(task=_task_out(session, task_id), step_moved_to=decision.transition_to)


@operation("POST", "/tasks/<int:task_id>/send-back", summary="Send back with a reason", tag="tasks",
           body=schemas.SendBack, response=schemas.Decided, errors=(409,))
def send_back_task(user: User, task_id: int, body: schemas.SendBack) -> schemas.Decided:
    """Refuse the sign-off for now, with a reason the candidate sees. 409 when already decided."""
    session = get_session()
    _seen(session, user, task_id)
    deciding.send_back(session, task_id, user, body.reason)
    return schemas.Decided(task=_task_out(session, task_id))


@operation("POST", "/tasks/bulk-approve", summary="Approve many tasks", tag="tasks", body=schemas.BulkApprove,
           response=schemas.BulkResult)
def bulk_approve(user: User, body: schemas.BulkApprove) -> schemas.BulkResult:
    """Approve each task whose checks pass (one transaction each); the others are listed with the reason."""
    result = deciding.bulk_approve(get_session(), body.task_ids, user)
    return schemas.BulkResult(approved=[d.task.id for d in result.approved],  # type: ignore[misc]
                              skipped=[schemas.SkippedTask(task_id=s.task_id, title=s.title, reasons=list(s.reasons))
                                       for s in result.skipped])


# The feed carries what happened to enrolments (no reasons or details: those stay on the pages the
# confidentiality tables guard), for enrolments the caller holds a role on or is the candidate of.
@operation("GET", "/events", summary="Audit events I may see (cursor-paged)", tag="events", query=schemas.EventQuery,
           response=schemas.AuditFeed)
def events(user: User, query: schemas.EventQuery) -> schemas.AuditFeed:
    """State changes, sign-offs, documents and logs on the enrolments the caller may see, oldest first.
    Pass `next_cursor` back as `cursor`; an empty page keeps the cursor, to poll with later."""
    session = get_session()
    if query.cursor is not None and not (query.cursor.isdigit() and int(query.cursor) < 2**31):
        raise Invalid([{"loc": ["query", "cursor"], "message": "Pass back the next_cursor of an earlier page."}])
    after = int(query.cursor or 0)
    own, supported = dashboard_service.enrollments_for(session, user)
    ids = {line.enrollment.id for line in own + supported}
    if query.enrollment_id is not None:
        ids &= {query.enrollment_id}
    rows = session.exec(select(AuditEvent).where(AuditEvent.enrollment_id.in_(ids or {0}), AuditEvent.id > after)  # type: ignore[union-attr]
                        .order_by(AuditEvent.id).limit(query.limit)).all()  # type: ignore[union-attr]
    items = [schemas.AuditOut(id=a.id, occurred_at=a.occurred_at, enrollment_id=a.enrollment_id, action=a.action,  # type: ignore[arg-type]
                              actor_id=a.actor_id, event=a.event, from_state=a.from_state, to_state=a.to_state)
             for a in rows]
    cursor = str(items[-1].id) if items else (query.cursor or None)
    return schemas.AuditFeed(items=items, next_cursor=cursor, has_more=len(items) == query.limit)
