"""Sign-off tasks over the API, with the inbox's services: list, claim and hand back, approve, send back, bulk,
comment, undo within the window, and the director's reopening with a reason."""

from __future__ import annotations

from sqlmodel import Session, select

from app import clock
from app.api import schemas, task_list, work_schemas
from app.api.blueprint import check_version, operation
from app.db import get_session
from app.models import Enrollment, Program, SignOffTask, TaskComment, User
from app.services import NotFound
from app.services.signoffs import deciding, queueing, reopening


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
    """A tab of the caller's inbox: `mine` (claimed by me), `unclaimed` (for roles I hold), `done` (decided by
    me), filtered and paged in the database in a stable order."""
    today = clock.today()
    rows, total = task_list.page(get_session(), user, query, today)
    return schemas.TaskList(items=[_out(t, e, p, c, t.status == "open" and t.due_on is not None and t.due_on < today)
                                   for t, e, p, c in rows],
                            page=schemas.PageInfo(page=query.page, limit=query.limit, total=total))


@operation("GET", "/tasks/<int:task_id>", summary="One sign-off task", tag="tasks", response=schemas.TaskOut)
def get_task(user: User, task_id: int) -> schemas.TaskOut:
    """The task, for those who may work it, decided it, or oversee it."""
    session = get_session()
    _seen(session, user, task_id)
    return _task_out(session, task_id)


@operation("POST", "/tasks/<int:task_id>/claim", summary="Claim a task", tag="tasks", body=work_schemas.TaskChange,
           body_optional=True, response=schemas.TaskOut, errors=(409,))
def claim_task(user: User, task_id: int, body: work_schemas.TaskChange) -> schemas.TaskOut:
    """Take the task, so the others holding the role see someone is on it. 409 when someone else has it, or
    when `expected_version` is not the task's version now."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
    deciding.claim(session, task_id, user)
    return _task_out(session, task_id)


@operation("POST", "/tasks/<int:task_id>/approve", summary="Approve (give the sign-off)", tag="tasks",
           body=schemas.Approve, response=schemas.Decided, errors=(409,))
def approve_task(user: User, task_id: int, body: schemas.Approve) -> schemas.Decided:
    """Give the sign-off, bound to the verified documents as they are now; when it was the last one the step
    needed, the step fires in the same transaction (`step_moved_to`). 409 when already decided."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
    decision = deciding.approve(session, task_id, user, comment=body.comment)
    return schemas.Decided(task=_task_out(session, task_id), step_moved_to=decision.transition_to)


@operation("POST", "/tasks/<int:task_id>/send-back", summary="Send back with a reason", tag="tasks",
           body=schemas.SendBack, response=schemas.Decided, errors=(409,))
def send_back_task(user: User, task_id: int, body: schemas.SendBack) -> schemas.Decided:
    """Refuse the sign-off for now, with a reason the candidate sees. 409 when already decided."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
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


@operation("POST", "/tasks/<int:task_id>/unclaim", summary="Hand a task back", tag="tasks", body=work_schemas.TaskChange,
           body_optional=True, response=schemas.TaskOut, errors=(409,))
def unclaim_task(user: User, task_id: int, body: work_schemas.TaskChange) -> schemas.TaskOut:
    """Hand a task one claimed back to everyone holding the role. 409 when one had not claimed it, it was
    decided, or `expected_version` is stale."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
    deciding.unclaim(session, task_id, user)
    return _task_out(session, task_id)


def _comment_out(row: TaskComment) -> work_schemas.CommentOut:
    return work_schemas.CommentOut(id=row.id, task_id=row.task_id, author_id=row.author_id, body=row.body,  # type: ignore[arg-type]
                                   created_at=row.created_at)


@operation("GET", "/tasks/<int:task_id>/comments", summary="A task's comments", tag="tasks",
           response=work_schemas.CommentList)
def list_task_comments(user: User, task_id: int) -> work_schemas.CommentList:
    """The comments on the task, oldest first, for whoever may see the task."""
    session = get_session()
    _seen(session, user, task_id)
    rows = session.exec(select(TaskComment).where(TaskComment.task_id == task_id).order_by(TaskComment.id)).all()  # type: ignore[arg-type]
    return work_schemas.CommentList(items=[_comment_out(r) for r in rows])


@operation("POST", "/tasks/<int:task_id>/comments", summary="Comment on a task", tag="tasks",
           body=work_schemas.CommentIn, response=work_schemas.CommentOut, status=201)
def comment_task(user: User, task_id: int, body: work_schemas.CommentIn) -> work_schemas.CommentOut:
    """A comment the candidate and everyone working the task read (its role holders, the program director)."""
    session = get_session()
    _seen(session, user, task_id)
    return _comment_out(deciding.comment(session, task_id, user, body.body))


def _reopened(session: Session, task_id: int, replacement: SignOffTask | None) -> work_schemas.Reopened:
    return work_schemas.Reopened(task=_task_out(session, task_id),
                                 replacement=_task_out(session, replacement.id) if replacement else None)  # type: ignore[arg-type]


@operation("POST", "/tasks/<int:task_id>/undo", summary="Undo my decision", tag="tasks", body=work_schemas.TaskChange,
           body_optional=True, response=work_schemas.Reopened, errors=(409,))
def undo_task(user: User, task_id: int, body: work_schemas.TaskChange) -> work_schemas.Reopened:
    """The approver takes back their own decision within the program's undo window, if the step has not moved
    on; the sign-off is withdrawn and asked for again, claimed by them. 409 when too late or not decided."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
    return _reopened(session, task_id, reopening.undo(session, task_id, user))


@operation("POST", "/tasks/<int:task_id>/reopen", summary="Reopen a decision (program director)", tag="tasks",
           body=work_schemas.Reopen, response=work_schemas.Reopened, errors=(409,))
def reopen_task(user: User, task_id: int, body: work_schemas.Reopen) -> work_schemas.Reopened:
    """The program director withdraws a decision after the undo window, with a reason on the record; the
    sign-off is asked for again when the step still needs it. 409 when the task is not decided."""
    session = get_session()
    task, _ = _seen(session, user, task_id)
    check_version(task.version_id, body.expected_version, "task")
    return _reopened(session, task_id, reopening.reopen(session, task_id, user, body.reason))
