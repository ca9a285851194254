"""Sign-off tasks queued to the people who hold a role, their comments, and delegations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from .base import check_in, created_at_field, timestamp_field


class TaskStatus(StrEnum):
    """Where a sign-off task stands."""

    OPEN = "open"
    APPROVED = "approved"
    SENT_BACK = "sent_back"
    # The evidence it was about changed, or the step moved on without it: a new task replaces it.
    WITHDRAWN = "withdrawn"


class SignOffTask(SQLModel, table=True):
    """A sign-off someone holding `role` owes on one enrolment's step."""

    __tablename__ = "sign_off_task"
    __table_args__ = (
        check_in("status", [s.value for s in TaskStatus], "status"),
        # The cohort's overdue sign-offs: open tasks of a page of enrolments.
        sa.Index("ix_sign_off_task_enrollment_id_status", "enrollment_id", "status"),
        # The open tasks of a role (a director's inbox badge: found first, then tested for reach).
        sa.Index("ix_sign_off_task_status_role", "status", "role"),
        # At most one open task per sign-off and role: a double-click or a race cannot queue two.
        sa.Index("uq_sign_off_task_open", "enrollment_id", "key", "role", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    key: str = Field(max_length=48)
    role: str = Field(max_length=40, index=True)
    event: str = Field(default="", max_length=64)  # the step it clears the way for
    what: str = Field(default="", max_length=1000)  # what the approver is to check
    due_on: date | None = None
    priority: int = Field(default=0)  # 0 normal, 1 high (deadline near)
    status: str = Field(default=TaskStatus.OPEN.value, max_length=16, index=True)
    claimed_by_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    claimed_at: datetime | None = timestamp_field()
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = timestamp_field()
    reason: str | None = Field(default=None, max_length=2000)  # required when sent back
    signoff_id: int | None = Field(default=None, foreign_key="sign_off.id")
    # The task it replaces (evidence changed after a sign-off, or a decision was reopened).
    replaces_id: int | None = Field(default=None, foreign_key="sign_off_task.id")
    escalated_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    version_id: int = Field(default=1, nullable=False)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict:
        # Two approvers deciding at once: the second UPDATE matches no row and fails loudly.
        return {"version_id_col": cls.__table__.c.version_id}


class TaskComment(SQLModel, table=True):
    """A comment on a sign-off task, seen by the candidate and everyone working the task."""

    __tablename__ = "task_comment"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="sign_off_task.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=4000)
    created_at: datetime = created_at_field()


class Delegation(SQLModel, table=True):
    """An approver's substitute for a window of dates; their sign-offs are "on behalf of"."""

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="window_in_order"),
        sa.CheckConstraint("delegator_id <> substitute_id", name="not_oneself"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delegator_id: int = Field(foreign_key="user.id", index=True)
    substitute_id: int = Field(foreign_key="user.id", index=True)
    starts_on: date
    ends_on: date
    note: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()


class Panel(SQLModel, table=True):
    """An interview panel (the CASC exit interview) deciding by quorum."""

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    purpose: str = Field(default="exit_interview", max_length=32)
    quorum: int = Field(default=3)
    meets_on: date | None = None
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    decided_at: datetime | None = timestamp_field()
    outcome: str | None = Field(default=None, max_length=16)  # "mastery" or "not_yet"


class PanelMember(SQLModel, table=True):
    """A seat on a panel; a candidate's coach may sit but never counts toward the quorum."""

    __tablename__ = "panel_member"
    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_member_panel_id_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="panel.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    counts_toward_quorum: bool = Field(default=True)
    created_at: datetime = created_at_field()


class PanelVote(SQLModel, table=True):
    """One member's rubric: a score per standard, mastery or not, a reason when dissenting."""

    __tablename__ = "panel_vote"
    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_vote_panel_id_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="panel.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    # standard number ("1".."6") -> rubric score.
    scores: dict = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    mastery: bool
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
