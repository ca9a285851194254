"""The API's typed requests and responses for support records (app/api/support.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas import Strict

SupportKindName = Literal["observation", "just_in_time", "standards_assessment", "goal_reflection", "data_cycle",
                          "connection", "mentor_feedback"]


class SupportQuery(BaseModel):
    """Only one kind of record (else every kind the caller reads)."""

    kind: SupportKindName | None = None


class SupportCreate(Strict):
    """A support record; which fields count depends on `kind` (observation: colleague, standard, text as the
    reflection, a future date schedules it; just_in_time: minutes, topic; standards_assessment: ratings of all six
    standards, 1 to 5; goal_reflection: goal (one of the ILP's goals, as written) and text; mentor_feedback: text)."""

    kind: SupportKindName
    occurred_on: date
    text: str = Field(default="", max_length=10000)
    colleague: str = Field(default="", max_length=200)
    standard: int | None = Field(default=None, ge=1, le=6)
    minutes: int | None = Field(default=None, ge=1, le=240)
    topic: str = Field(default="", max_length=200)
    ratings: dict[Literal["1", "2", "3", "4", "5", "6"], int] = Field(default_factory=dict, max_length=6)
    goal: str = Field(default="", max_length=2000)


class SupportOut(BaseModel):
    """A support record, as its readers read it."""

    id: int
    kind: str
    kind_label: str
    occurred_on: date
    program_year: int
    author_id: int
    author_role: str
    colleague: str
    standard: int | None
    minutes: int | None
    topic: str
    ratings: dict[str, int]
    goal: str
    text: str
    created_at: datetime


class SupportList(BaseModel):
    """The records the caller reads, newest first, and the kinds they may record."""

    items: list[SupportOut]
    may_record: list[str]
