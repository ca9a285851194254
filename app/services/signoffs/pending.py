"""What the candidate waits on: pending sign-offs, and what was sent back with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Enrollment, SignOffTask, TaskComment, TaskStatus, User
from app.services.enrollments import case_file
from app.services.enrollments.case_file import Request
from app.services.signoffs.queueing import OPEN


@dataclass(frozen=True)
class CandidateView:
    """Pending sign-offs and the latest sent-back reasons, for the enrolment page."""

    pending: list[SignOffTask]
    sent_back: list[tuple[SignOffTask, str]]  # with the decider's name
    comments: dict[int, list[tuple[TaskComment, str]]]  # task id -> (comment, author name)

    def __bool__(self) -> bool:
        return bool(self.pending or self.sent_back)


def for_enrollment(session: Session, enrollment: Enrollment) -> CandidateView:
    """The sign-offs the candidate waits on, and what was sent back (unless asked for again since)."""
    latest: dict[tuple[str, str], Request] = {}
    for asked in case_file.of(session, enrollment).requests:  # newest first
        latest.setdefault((asked.task.key, asked.task.role), asked)
    pending = [a.task for a in latest.values() if a.task.status == OPEN]
    returned = [a for a in latest.values() if a.task.status == TaskStatus.SENT_BACK.value]
    ids = [t.id for t in pending] + [a.task.id for a in returned]
    comments: dict[int, list[tuple[TaskComment, str]]] = {}
    if ids:
        for row, author in session.exec(select(TaskComment, User).join(User, TaskComment.author_id == User.id)  # type: ignore[arg-type]
                                        .where(TaskComment.task_id.in_(ids))  # type: ignore[attr-defined]
                                        .order_by(TaskComment.id)).all():
            comments.setdefault(row.task_id, []).append((row, author.name))
    return CandidateView(sorted(pending, key=lambda t: t.id),  # type: ignore[arg-type, return-value]
                         [(a.task, a.decided_by or "") for a in returned], comments)
