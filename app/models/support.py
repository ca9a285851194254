"""Support records beside the logs: observations, just-in-time contacts, assessments on the
standards, feedback to the mentor, reflections on plan goals, data cycles, referrals (workflows/support.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workflows.support import KINDS

from .base import check_in, created_at_field, json_field

SUPPORT_KINDS = [kind.value for kind in KINDS]  # a new kind needs a migration that widens the check


class SupportRecord(SQLModel, table=True):
    """One support record on an enrolment, by its author; which fields it fills depends on `kind`."""

    __tablename__ = "support_record"
    __table_args__ = (
        check_in("kind", SUPPORT_KINDS, "kind"),
        sa.CheckConstraint("program_year IN (1, 2)", name="program_year"),
        sa.CheckConstraint("standard IS NULL OR (standard >= 1 AND standard <= 6)", name="standard"),
        sa.CheckConstraint("minutes IS NULL OR (minutes >= 1 AND minutes <= 240)", name="minutes"),
        sa.Index("ix_support_record_enrollment_id_kind", "enrollment_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    kind: str = Field(max_length=24)
    occurred_on: date
    program_year: int = Field(default=1)
    author_id: int = Field(foreign_key="user.id")
    author_role: str = Field(max_length=32)  # the role they recorded it in (workflows.roles.Role)
    # Observation: the colleague observed (name, role or grade) and the focus standard.
    colleague: str = Field(default="", max_length=200)
    standard: int | None = Field(default=None)
    # Just-in-time contact: how long, and about what.
    minutes: int | None = Field(default=None)
    topic: str = Field(default="", max_length=200)
    # Assessment on the standards: standard number ("1".."6") -> rating on the self-assessment scale.
    ratings: dict[str, Any] = json_field()
    # Goal reflection: the ILP goal it is about (its words when written).
    goal: str = Field(default="", max_length=2000)
    # The reflection, the comment, the feedback or the progress, in the author's words.
    text: str = Field(default="", max_length=10000)
    created_at: datetime = created_at_field()
