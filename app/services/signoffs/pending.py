"""What the candidate waits on: pending sign-offs, and what was sent back with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import SignOffTask, TaskComment, TaskStatus, User
from app.services.signoffs.queueing import OPEN


@dataclass(frozen=True)
class CandidateView:
    """Pending sign-offs and the latest sent-back reasons, for the enrolment page."""

    pending: list[SignOffTask]
    sent_back: list[tuple[SignOffTask, str]]  # with the decider's name
    comments: dict[int, list[tuple[TaskComment, str]]]  # task id -> (comment, author name)

    def __bool__(self) -> bool:
        return bool(self.pending or self.sent_back)


def for_enrollment(session: Session, enrollment_id: int) -> CandidateView:
    """The sign-offs the candidate waits on, and what was sent back (unless asked for again since)."""
    tasks = session.exec(select(SignOffTask).where(SignOffTask.enrollment_id == enrollment_id)
                         .order_by(SignOffTask.id.desc())).all()  # type: ignore[union-attr]
    latest: dict[tuple[str, str], SignOffTask] = {}
    for task in tasks:
        latest.setdefault((task.key, task.role), task)
    pending = [t for t in latest.values() if t.status == OPEN]
    returned = [t for t in latest.values() if t.status == TaskStatus.SENT_BACK.value]
    ids = [t.id for t in pending + returned]
    names = {u.id: u.name for u in session.exec(select(User).where(
        User.id.in_({t.decided_by_id for t in returned} | {0}))).all()}  # type: ignore[union-attr]
    comments: dict[int, list[tuple[TaskComment, str]]] = {}
    for row, author in session.exec(select(TaskComment, User).join(User, TaskComment.author_id == User.id)  # type: ignore[arg-type]
                                    .where(TaskComment.task_id.in_(ids or [0]))  # type: ignore[attr-defined]
                                    .order_by(TaskComment.id)).all():
        comments.setdefault(row.task_id, []).append((row, author.name))
    return CandidateView(sorted(pending, key=lambda t: t.id),  # type: ignore[arg-type, return-value]
                         [(t, names.get(t.decided_by_id, "")) for t in returned], comments)  # type: ignore[arg-type]
