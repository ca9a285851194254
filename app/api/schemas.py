"""The API's typed requests and responses; the OpenAPI document is generated from these models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from workflows import registry

MAX_LIMIT = 100
# A row id: a positive 32-bit integer (PostgreSQL's INTEGER refuses more).
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
# An installed pathway's name; the schema lists every one the registry holds.
PathwayName = Literal[tuple(registry.names())]  # type: ignore[valid-type]


class Strict(BaseModel):
    """A request body: unknown fields are refused, so a typo is an error and not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Errors ----------------------------------------------------------------------------------------


class FieldError(BaseModel):
    """One invalid field: where it is (e.g. ["body", "hours"]) and what is wrong."""

    loc: list[str | int]
    message: str


class UnmetRule(BaseModel):
    """A rule a step still needs: its message, who clears it and where the rule comes from."""

    key: str
    message: str
    clears: str
    source: str
    evidence_kind: str | None = None
    signoff: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; `type` is stable per kind of error."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
    unmet: list[UnmetRule] | None = None
    reasons: list[str] | None = None


# --- Paging ----------------------------------------------------------------------------------------


class PageQuery(Strict):
    """Page-numbered lists: `page` from 1, at most 100 a page."""

    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=25, ge=1, le=MAX_LIMIT)


class PageInfo(BaseModel):
    """Where this page sits."""

    page: int
    limit: int
    total: int


# --- People ----------------------------------------------------------------------------------------


class RoleGrant(BaseModel):
    """A role the person holds, and where: service-wide, an organisation, a program or one enrolment."""

    role: str
    label: str
    organisation_id: int | None = None
    program_id: int | None = None
    enrollment_id: int | None = None


class Me(BaseModel):
    """The token's owner and the roles they hold."""

    id: int
    email: str
    name: str
    roles: list[RoleGrant]
    token_expires_at: datetime


# --- Enrolments ------------------------------------------------------------------------------------


class EnrollmentFilter(PageQuery):
    """Filter the enrolments by pathway, program or state; `mine` keeps only the caller's own; oldest first."""

    pathway: PathwayName | None = None
    program_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    state: str | None = Field(default=None, max_length=48, description="the state's value, as in `state`")
    mine: bool | None = Field(default=None, description="true: only my own; false: only those I support")


class EnrollmentSummary(BaseModel):
    """An enrolment in a list."""

    id: int
    candidate_id: int
    candidate_name: str
    program_id: int
    program_name: str
    pathway: str
    state: str
    state_label: str
    version: int
    mine: bool


class EnrollmentPage(BaseModel):
    """A page of enrolments the caller may see."""

    items: list[EnrollmentSummary]
    page: PageInfo


class Requirement(BaseModel):
    """One requirement of the pathway and its status for this enrolment."""

    key: str
    group: str
    title: str
    status: str
    explanation: str
    clears: str
    source: str
    progress: list[float] | None = None


class DeadlineOut(BaseModel):
    """A dated obligation still open."""

    key: str
    label: str
    due: date
    days_left: int
    source: str


class EventOut(BaseModel):
    """A step out of the current state: enabled, or blocked by the rules in `unmet`."""

    event: str
    label: str
    target: str
    target_label: str
    enabled: bool
    may_ask: bool
    asked_by: list[str]
    unmet: list[UnmetRule]
    closes: str | None = Field(default=None, description="What the step closes for good (an Early Completion "
                               "Option), in words to show before it is taken; asking for it then needs `understood`.")


class EnrollmentDetail(EnrollmentSummary):
    """One enrolment: state, requirements with status, open deadlines, the steps out of here."""

    requirements: list[Requirement]
    deadlines: list[DeadlineOut]
    events: list[EventOut]


class FireEvent(Strict):
    """Ask for a step. `expected_version` is the enrolment's `version` as last read (409 when it moved)."""

    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)
    reason: str | None = Field(default=None, max_length=2000)
    understood: bool = Field(default=False, description="True once the person has read what the step closes "
                             "(the step's `closes`); a step that closes an option is refused without it.")


class Fired(BaseModel):
    """The step taken."""

    event: str
    from_state: str
    to_state: str
    version: int
    audit_event_id: int


# --- Evidence --------------------------------------------------------------------------------------


class EvidenceOut(BaseModel):
    """One version of a document."""

    id: int
    kind: str
    kind_label: str
    version: int
    status: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by_id: int
    uploaded_at: datetime
    current: bool
    decision_reason: str | None = None


class EvidenceList(BaseModel):
    """Every version of every document on the enrolment, newest first per kind."""

    items: list[EvidenceOut]


class EvidenceUpload(BaseModel):
    """multipart/form-data: the requirement's evidence kind and the file."""

    kind: str = Field(max_length=48)
    file: bytes = Field(json_schema_extra={"format": "binary"})


class EvidenceDecision(Strict):
    """Verify the document, or send it back with a reason the candidate sees; `expected_status` is its `status`
    as last read (409 when it moved, or when a newer version was uploaded meanwhile)."""

    decision: Literal["verify", "send_back"]
    reason: str | None = Field(default=None, max_length=2000)
    expected_status: Literal["submitted", "verified", "sent_back"] | None = None


# --- Sign-off tasks --------------------------------------------------------------------------------


class TaskQuery(PageQuery):
    """The inbox tab (mine, unclaimed, done) and its filters; most urgent first (done: newest first)."""

    tab: Literal["mine", "unclaimed", "done"] = Field(default="mine", description="mine: claimed by me; unclaimed: "
                                                      "for roles I hold; done: decided by me")
    pathway: PathwayName | None = None
    program_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    enrollment_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    due_before: date | None = Field(default=None, description="only tasks due on or before this date")
    overdue: bool = Field(default=False, description="only open tasks past their due date")


class TaskOut(BaseModel):
    """A sign-off task."""

    id: int
    title: str
    enrollment_id: int
    candidate_name: str
    program_name: str
    key: str
    role: str
    event: str | None
    status: str
    what: str
    due_on: date | None
    overdue: bool
    claimed_by_id: int | None
    decided_by_id: int | None
    reason: str | None
    version: int


class TaskList(BaseModel):
    """A page of the caller's inbox."""

    items: list[TaskOut]
    page: PageInfo


class Approve(Strict):
    """Give the sign-off, with an optional comment; `expected_version` is the task's `version` as last read."""

    comment: str | None = Field(default=None, max_length=4000)
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class SendBack(Strict):
    """Send the sign-off back with a reason the candidate sees; `expected_version` as for approving."""

    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class Decided(BaseModel):
    """The decided task, and the state the step moved to when this was its last sign-off."""

    task: TaskOut
    step_moved_to: str | None = None


class BulkApprove(Strict):
    """Approve many tasks; those whose checks fail are skipped with the reason."""

    task_ids: list[RowId] = Field(min_length=1, max_length=200)


class SkippedTask(BaseModel):
    """A task bulk approval left alone, and why."""

    task_id: int
    title: str
    reasons: list[str]


class BulkResult(BaseModel):
    """What bulk approval did."""

    approved: list[int]
    skipped: list[SkippedTask]


# --- Audit events ----------------------------------------------------------------------------------


class EventQuery(Strict):
    """The feed from after `cursor` (the `next_cursor` of the previous page), oldest first."""

    cursor: str | None = Field(default=None, max_length=24)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    enrollment_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    action: str | None = Field(default=None, max_length=64, description="only events of this action, e.g. "
                               "enrollment.transition or signoff.given")


class AuditOut(BaseModel):
    """Something that happened to an enrolment the caller may see."""

    id: int
    occurred_at: datetime
    enrollment_id: int
    action: str
    actor_id: int | None
    event: str | None
    from_state: str | None
    to_state: str | None


class AuditFeed(BaseModel):
    """A page of the feed: pass `next_cursor` back while `has_more`, then poll later with the same cursor."""

    items: list[AuditOut]
    next_cursor: str | None
    has_more: bool

