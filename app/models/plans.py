"""Plans a candidate keeps with their team: PIP plans, the ILP, the IIPs; and resources."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import check_in, created_at_field, json_field, timestamp_field


class PlanKind(StrEnum):
    """Which plan: each pathway keeps its own."""

    PIP_PERSONALIZED = "pip_personalized"  # PIP: gaps to intern eligibility
    PIP_ACTION = "pip_action"  # PIP: actions, owners, due dates
    ILP = "ilp"  # induction: goals on CSTP 1-6
    IIP1 = "iip1"  # CASC year 1: CPSEL 1-3
    IIP2 = "iip2"  # CASC year 2: CPSEL 4-6


class Plan(SQLModel, table=True):
    """One plan per kind per enrolment; its items are goals or actions, edited in place.

    Each save writes an audit event with the items before and after, so the history is kept.
    """

    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "kind", name="uq_plan_enrollment_id_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    kind: str = Field(max_length=24)
    # A list of dicts; the fields depend on the kind (standard, goal, actions, owner, due...).
    items: list[Any] = json_field(list)
    # Free-text parts (leadership goal, growth, challenges, resources...).
    summary: dict[str, Any] = json_field()
    revision: int = Field(default=1)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()
    # When the candidate shared it with the team for approval (ILP / IIP sign-off).
    submitted_at: datetime | None = timestamp_field()


class ResourceCategory(StrEnum):
    """What a resource link points to."""

    PROGRAM = "program"
    JOB_FAIR = "job_fair"
    EVENT = "event"
    GUIDANCE = "guidance"


class Resource(SQLModel, table=True):
    """A link kept by administrators: credential programs, job fairs, events, guidance."""

    __table_args__ = (check_in("category", [c.value for c in ResourceCategory], "category"),)

    id: int | None = Field(default=None, primary_key=True)
    # None: shown to everyone; otherwise to people of that organisation's programs.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    pathway: str | None = Field(default=None, max_length=16)
    category: str = Field(max_length=16)
    title: str = Field(max_length=200)
    url: str = Field(max_length=500)
    description: str = Field(default="", max_length=2000)
    happens_on: date | None = None
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    archived_at: datetime | None = timestamp_field()
