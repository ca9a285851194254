"""Per-enrolment summary: what the cohort-level pages ask, kept current with every change.

A summary row is derived data (app/services/programs/summaries.py computes it from the facts);
it is rewritten in the transaction of every change to its enrolment, so a cohort question is one
set-based query over these rows rather than every enrolment's facts built in Python.

What depends on the calendar (a deadline 30 days away today, behind pace today) is not stored as
a yes/no that would go stale overnight: the stored parts are dates, and each risk is a window of
days (`EnrollmentRisk`) during which it holds, so "at risk today" is `starts_on <= today <= ends_on`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import UTCDateTime


class EnrollmentSummary(SQLModel, table=True):
    """One enrolment's standing: state, program year boundary, deadlines, paces, accreditation figures."""

    __tablename__ = "enrollment_summary"
    __table_args__ = (sa.Index("ix_enrollment_summary_program_id_state", "program_id", "state"),
                      # The candidate list's order, so a page of a big program reads only that page.
                      sa.Index("ix_enrollment_summary_program_id_candidate_name", "program_id", "candidate_name",
                               "enrollment_id"))

    enrollment_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
                                                   primary_key=True, autoincrement=False))
    program_id: int = Field(foreign_key="program.id")
    candidate_id: int = Field(foreign_key="user.id")
    candidate_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    pathway: str = Field(max_length=16)
    pathway_version: int
    state: str = Field(max_length=48)
    state_label: str = Field(max_length=200)
    final: bool
    # In the state from which the program recommends the candidate (the director's next step).
    ready: bool = False
    enrolled_on: date
    enrolment_year: int
    # Program year 2 starts here (the first anniversary of enrolment).
    year_two_on: date
    # The soonest unmet deadline (passed or not), for sorting and the sweep's first look.
    next_due_on: date | None = None
    # [{key, label, due, rule_key, source, met}], soonest first (workflows.deadlines.Deadline).
    deadlines: list[dict] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # type: ignore[type-arg]
    # [{key, label, unit, have, target, starts_on, due_on, weekly, applies_from, applies_until}]:
    # measured against "today" when read (app/services/programs/pacing.py).
    paces: list[dict] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # type: ignore[type-arg]
    # Open sign-off tasks with a due date: [{what, role, due_on}].
    open_tasks: list[dict] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # type: ignore[type-arg]
    # The accreditation row's figures (dates as ISO strings), app/services/programs/accreditation.py.
    accreditation: dict = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)  # type: ignore[type-arg]
    mentor_assigned: bool = False
    coach_assigned: bool = False
    # Mondays (ISO dates) of the three latest weeks holding a weekly log (mentoring for induction,
    # coaching for CASC), latest first: enough to tell whether last week had one, since no log is
    # dated in the future (app/services/notifications/reminders.py).
    weekly_log_weeks: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    computed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class EnrollmentRisk(SQLModel, table=True):
    """A stretch of days during which an enrolment carries one kind of risk (cohort.RISK_KINDS)."""

    __tablename__ = "enrollment_risk"
    __table_args__ = (sa.Index("ix_enrollment_risk_program_id_kind_starts_on", "program_id", "kind", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
                                                   nullable=False, index=True))
    program_id: int = Field(foreign_key="program.id")
    kind: str = Field(max_length=32)
    starts_on: date
    ends_on: date | None = None  # None: until the enrolment changes


class EnrollmentTurn(SQLModel, table=True):
    """Something on an enrolment that is a staff role's to do now and that no sign-off task, log
    or document queue already brings to them: a step to take, a fact to enter, a document to file,
    a document to verify that falls to the director. Rewritten with the enrolment's summary
    (app/services/progress/turns.py), so each holder's inbox reads it in one indexed query."""

    __tablename__ = "enrollment_turn"
    __table_args__ = (sa.Index("ix_enrollment_turn_program_id_role", "program_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
                                                   nullable=False, index=True))
    program_id: int = Field(foreign_key="program.id")
    role: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # "step", "ask", "fact", "upload", "verify" or "signoff" (held by nobody)
    key: str = Field(max_length=64)  # the event, fact or document kind
    what: str = Field(max_length=300)
    since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_on: date | None = None
    # Nobody active holds the role where the enrolment is: the director's "no one can act" list.
    nobody: bool = False
