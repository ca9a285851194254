"""Typed requests and responses for working sign-off tasks further (hand back, comment, undo, reopen) and for
a program's CTC recommendations and roster imports; the OpenAPI document is generated from these too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from app.api.log_schemas import LogOut
from app.api.schemas import PageInfo, PageQuery, PathwayName, RowId, Strict, TaskOut
from app.services.programs import roster

Version = Field(default=None, ge=1, le=2**31 - 1)


# --- Logs signed several at once ------------------------------------------------------------------


class LogSignMany(Strict):
    """The entries to sign together, as the signer saw them (ids from `GET .../logs?signed=false`)."""

    log_ids: list[RowId] = Field(min_length=1, max_length=500)


class LogSigned(BaseModel):
    """The entries just signed, oldest first."""

    items: list[LogOut]


# --- Sign-off tasks --------------------------------------------------------------------------------


class TaskChange(Strict):
    """An optional body: `expected_version` is the task's `version` as last read (409 when it moved)."""

    expected_version: int | None = Version


class CommentIn(Strict):
    """A comment the candidate and everyone working the task read."""

    body: str = Field(min_length=1, max_length=4000)


class CommentOut(BaseModel):
    """A comment on a task."""

    id: int
    task_id: int
    author_id: int
    body: str
    created_at: datetime


class CommentList(BaseModel):
    """The task's comments, oldest first."""

    items: list[CommentOut]


class Reopen(Strict):
    """A program director reopens a decision, saying why (it goes on the record)."""

    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Version


class Reopened(BaseModel):
    """The decided task, now withdrawn, and the task that asks for the sign-off again (none when the step no
    longer needs it)."""

    task: TaskOut
    replacement: TaskOut | None = None


# --- CTC recommendations ---------------------------------------------------------------------------

RecommendationStatusName = Literal["submitted", "fitness_answered", "fee_paid", "issued", "returned", "purged"]


class RecommendationQuery(PageQuery):
    """Filter the program's recommendations by their status or by enrolment; newest first."""

    status: RecommendationStatusName | None = None
    enrollment_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RecommendationOut(BaseModel):
    """One candidate's recommendation, followed from submission to issuance, return or purge."""

    id: int
    enrollment_id: int
    candidate_name: str
    batch_id: int
    status: RecommendationStatusName
    status_label: str
    submitted_on: date
    fitness_answered_on: date | None
    fee_paid_on: date | None
    issued_on: date | None
    returned_on: date | None
    return_reason: str | None
    purged_on: date | None
    replaces_id: int | None


class RecommendationPage(BaseModel):
    """A page of the program's recommendations."""

    items: list[RecommendationOut]
    page: PageInfo


class SubmitBatch(Strict):
    """Attest and submit candidates at "ready for recommendation" (each goes through or is reported)."""

    enrollment_ids: list[RowId] = Field(min_length=1, max_length=200)
    attestation: str = Field(min_length=10, max_length=2000)
    attest: Literal[True]


class BatchOutcome(BaseModel):
    """What submitting one candidate did."""

    enrollment_id: int
    candidate_name: str
    ok: bool
    message: str
    reasons: list[str]


class BatchResult(BaseModel):
    """The batch (null when nobody could be submitted) and each candidate's outcome."""

    batch_id: int | None
    outcomes: list[BatchOutcome]


class StatusChange(Strict):
    """Record the candidate's side on CTC Online, in its order: fitness questions answered, fee paid, issued, or
    returned (with the candidate's reason). `on` defaults to today; `expected_status` is the status as last read
    (409 when it moved)."""

    status: Literal["fitness_answered", "fee_paid", "issued", "returned"]
    on: date | None = None
    reason: str | None = Field(default=None, max_length=2000)
    expected_status: RecommendationStatusName | None = None


# --- Roster imports --------------------------------------------------------------------------------


class _RosterRow(Strict):
    """One candidate as district HR's system sends them; the columns of the roster template."""

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
    name: str = Field(min_length=1, max_length=120, pattern=r"\S")
    enrolled_on: date
    program: str | None = Field(default=None, max_length=200)
    pathway: PathwayName | None = None
    credential_sought: str | None = Field(default=None, max_length=200)
    authorization: str | None = Field(default=None, max_length=200)
    employer: str | None = Field(default=None, max_length=200)


# With one optional date per pathway date the roster carries (the pathways' own facts, via the registry).
RosterRowIn: Any = create_model(
    "RosterRowIn", __base__=_RosterRow, __doc__=_RosterRow.__doc__,
    **{name: (date | None, Field(default=None, description=help_text))
       for name, help_text in roster.COLUMN_HELP.items() if name in roster.DATE_COLUMNS and name != "enrolled_on"})


class RosterRows(Strict):
    """A roster as JSON rows. `dry_run` checks it and writes nothing; the same roster again changes nothing."""

    rows: list[RosterRowIn] = Field(min_length=1, max_length=2000)
    dry_run: bool = False


class RosterCsv(BaseModel):
    """multipart/form-data: the roster CSV (the template's header row), and `dry_run` to check only."""

    file: bytes = Field(json_schema_extra={"format": "binary"})
    dry_run: Literal["true", "false"] = "false"


class RosterRowOut(BaseModel):
    """What importing one row does (or did)."""

    row: int
    email: str
    action: str


class RosterResult(BaseModel):
    """The import: `imported` when it enrolled anyone now; `already_imported` when this very roster (or everyone
    in it) was imported before, so nothing changed."""

    imported: bool
    dry_run: bool
    already_imported: bool
    enrolled: int
    skipped: int
    rows: list[RosterRowOut]
