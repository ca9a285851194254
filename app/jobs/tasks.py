"""Handlers for sign-off tasks and panels: queued, decided, sent back, overdue, panel decided.

Each re-reads the task: a task decided, withdrawn or reassigned meanwhile sends nothing stale.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Enrollment, Panel, PanelVote, SignOffTask, TaskStatus, User
from app.services.enrollments import case_file, pathways
from app.services.enrollments.words import local_day
from app.services.notifications import emails
from app.services.notifications.emails import Email
from app.services.notifications.registry import handler
from app.services.signoffs import panels
from app.services.signoffs.queueing import title
from app.urls import external_url
from workflows.roles import Role


def _active(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active else None


def _task(session: Session, task_id: int, status: TaskStatus) -> tuple[SignOffTask, Enrollment, User] | None:
    """The task if it is still `status`, with its enrolment and (active) candidate."""
    task = session.get(SignOffTask, task_id)
    if task is None or task.status != status.value:
        return None
    enrollment = session.get(Enrollment, task.enrollment_id)
    candidate = session.get(User, enrollment.candidate_id) if enrollment else None
    if enrollment is None or candidate is None:
        return None
    return task, enrollment, candidate


def _decider(session: Session, task: SignOffTask) -> str:
    """"Name", or "Substitute on behalf of Approver" for a delegate's decision."""
    decider = session.get(User, task.decided_by_id) if task.decided_by_id else None
    principal = session.get(User, task.on_behalf_of_id) if task.on_behalf_of_id else None
    name = decider.name if decider else "An approver"
    return f"{name} on behalf of {principal.name}" if principal else name


@handler("email.task_queued")
def send_task_queued(session: Session, task_id: int, assignee_id: int) -> Email | None:
    """Tell a holder of the role that a sign-off waits for them (nothing once it is decided)."""
    found = _task(session, task_id, TaskStatus.OPEN)
    assignee = _active(session, assignee_id)
    if found is None or assignee is None or pathways.is_final(found[1]):
        return None
    task, _, candidate = found
    return emails.task_assigned_email(assignee, candidate.name, title(task), external_url("inbox.task", task_id=task.id),
                                 due_on=task.due_on)


@handler("email.task_decided")
def send_task_decided(session: Session, task_id: int) -> Email | None:
    """Tell the candidate a sign-off was given (nothing if it was undone meanwhile)."""
    found = _task(session, task_id, TaskStatus.APPROVED)
    if found is None:
        return None
    task, enrollment, candidate = found
    if _active(session, candidate.id) is None:
        return None
    return emails.task_decided_email(candidate, title(task), _decider(session, task), "signed off",
                                emails.enrollment_link(enrollment.id))  # type: ignore[arg-type]


@handler("email.task_sent_back")
def send_task_sent_back(session: Session, task_id: int) -> Email | None:
    """Tell the candidate a sign-off was sent back, with the reason."""
    found = _task(session, task_id, TaskStatus.SENT_BACK)
    if found is None:
        return None
    task, enrollment, candidate = found
    if _active(session, candidate.id) is None:
        return None
    return emails.sent_back_email(candidate, title(task), _decider(session, task), task.reason or "",
                             emails.enrollment_link(enrollment.id))  # type: ignore[arg-type]


@handler("email.task_overdue")
def send_task_overdue(session: Session, task_id: int, director_id: int) -> Email | None:
    """Tell a program director a sign-off task is past its due date (nothing once it is decided)."""
    found = _task(session, task_id, TaskStatus.OPEN)
    director = _active(session, director_id)
    if found is None or director is None:
        return None
    task, enrollment, candidate = found
    organisation = case_file.of(session, enrollment).organisation
    since = local_day(task.created_at, organisation.timezone if organisation else None)
    return emails.signoff_overdue_email(director, candidate.name, title(task), Role(task.role).label,
                                   since, external_url("inbox.task", task_id=task.id))  # type: ignore[arg-type]


@handler("email.panel_decided")
def send_panel_decided(session: Session, panel_id: int) -> Email | None:
    """Tell the candidate the exit-interview panel did not see mastery yet (mastery moves the step)."""
    panel = session.get(Panel, panel_id)
    enrollment = session.get(Enrollment, panel.enrollment_id) if panel else None
    candidate = _active(session, enrollment.candidate_id) if enrollment else None
    if panel is None or panel.outcome != "not_yet" or candidate is None:
        return None
    outcome = panels.not_yet(session, enrollment)  # type: ignore[arg-type]
    link = emails.enrollment_link(enrollment.id)  # type: ignore[union-attr, arg-type]
    subject = "Your exit interview: not yet"
    return Email(candidate.email, subject, "panel_not_yet",
                 {"user": candidate, "reasons": outcome.reasons if outcome else [], "link": link},
                 recipient_id=candidate.id, summary=subject, link=link)


@handler("email.panel_seat")
def send_panel_seat(session: Session, panel_id: int, recipient_id: int) -> Email | None:
    """Tell a member they sit on a candidate's exit-interview panel, while it still waits on their vote."""
    panel = session.get(Panel, panel_id)
    enrollment = session.get(Enrollment, panel.enrollment_id) if panel else None
    member = _active(session, recipient_id)
    if panel is None or enrollment is None or member is None or panel.outcome is not None:
        return None
    seat = panels.seat_of(session, panel, member)
    if seat is None or session.exec(select(PanelVote.id).where(PanelVote.panel_id == panel.id,
                                                               PanelVote.user_id == member.id)).first() is not None:
        return None
    candidate = session.get(User, enrollment.candidate_id)
    who = candidate.name if candidate else "A candidate"
    subject = f"Your turn: the exit-interview panel for {who}"
    link = external_url("inbox.panel", panel_id=panel.id)
    return Email(member.email, subject, "panel_seat",
                 {"user": member, "candidate_name": who, "meets_on": panel.meets_on,
                  "counts": seat.counts_toward_quorum, "link": link},
                 recipient_id=member.id, summary=subject, link=link)
