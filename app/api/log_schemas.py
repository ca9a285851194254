"""The API's log entries: what is logged, how a list is filtered, what comes back; review meetings with
who was there and who confirmed it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.api.schemas import PageInfo, PageQuery, Strict


class LogCreate(Strict):
    """A log entry: what, when, how long, and who will sign it (support notes stand signed by their author)."""

    kind: str = Field(max_length=32)
    occurred_on: date
    hours: float = Field(default=0, ge=0, le=24, description="Hours on that day (an entry is one day).")
    notes: str = Field(default="", max_length=10000)
    signer_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    participants: list[str] = Field(default_factory=list, max_length=20)
    attendee_roles: list[str] = Field(default_factory=list, max_length=10, description="A review meeting's roles "
                                      "present (e.g. mentor, site_administrator); each is asked to confirm it.")


class LogBatchRow(Strict):
    """One entry of a batch: its day, hours and notes."""

    occurred_on: date
    hours: float = Field(ge=0, le=24, description="Hours on that day (an entry is one day).")
    notes: str = Field(default="", max_length=10000)


class LogBatchCreate(Strict):
    """Several entries of one kind signed by one person (a week's or a month's meetings, days of training)."""

    kind: str = Field(max_length=32)
    signer_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    entries: list[LogBatchRow] = Field(min_length=1, max_length=62, description="Saved all or none; a refusal "
                                       "names the entry by its place (1 = the first) and its date.")


class LogQuery(PageQuery):
    """Filter the log entries by kind, signed or not, or from a date; newest first."""

    kind: str | None = Field(default=None, max_length=32, description="e.g. mentoring, coaching, support_note")
    signed: bool | None = None
    since: date | None = Field(default=None, description="only entries on or after this date")


class LogOut(BaseModel):
    """A log entry; `notes` is null for those who may not read them."""

    id: int
    kind: str
    occurred_on: date
    program_year: int
    hours: float
    notes: str | None
    author_id: int
    signer_id: int | None
    signed_at: datetime | None
    attendee_roles: list[str] = Field(default_factory=list, description="A review meeting's roles listed as present.")
    confirmed_roles: list[str] = Field(default_factory=list, description="Of those, the ones someone holding "
                                       "the role confirmed (a review counts with the required ones).")


class LogBatchOut(BaseModel):
    """The entries saved, in the order sent."""

    items: list[LogOut]


class Attendance(Strict):
    """Whether the caller was at the review meeting, in the roles it lists them in."""

    present: bool


class LogList(BaseModel):
    """The enrolment's log entries, newest first."""

    items: list[LogOut]
    page: PageInfo
