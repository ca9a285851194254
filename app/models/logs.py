"""Logs of mentoring, coaching, learning hours, support and reviews; self-assessments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workflows.registry import plugins
from workflows.vocabulary import in_sentence

from .base import check_in, created_at_field, json_field, timestamp_field


class LogKind(StrEnum):
    """What a log entry records."""

    MENTORING = "mentoring"  # induction: individualized mentoring
    COACHING = "coaching"  # CASC: weekly coaching meeting
    PROFESSIONAL_LEARNING = "professional_learning"
    PRESERVICE = "preservice"  # PIP: intern pre-service hours
    SUPPORT_NOTE = "support_note"  # PIP: support and coaching notes
    REVIEW_MEETING = "review_meeting"  # PIP: tracker review with the support team

    @property
    def label(self) -> str:
        """The log as people say it ("Review meeting", "Pre-service hours")."""
        return _LOG_LABELS[self]

    @property
    def in_sentence(self) -> str:
        """The log inside a sentence ("a review meeting log", "your pre-service hours")."""
        return in_sentence(self.label)

    @property
    def confidential(self) -> bool:
        """Whether a pathway's confidentiality table rules on these notes (mentoring, coaching)."""
        return any(self.value in p.confidential_logs for p in plugins())


_LOG_LABELS = {
    LogKind.MENTORING: "Mentoring",
    LogKind.COACHING: "Coaching",
    LogKind.PROFESSIONAL_LEARNING: "Professional learning",
    LogKind.PRESERVICE: "Pre-service hours",
    LogKind.SUPPORT_NOTE: "Support note",
    LogKind.REVIEW_MEETING: "Review meeting",
}


class LogEntry(SQLModel, table=True):
    """One logged meeting or block of hours, signed by the mentor or coach it names."""

    __tablename__ = "log_entry"
    __table_args__ = (
        sa.CheckConstraint("hours >= 0 AND hours <= 24", name="hours_in_a_day"),
        sa.CheckConstraint("program_year IN (1, 2)", name="program_year"),
        # Facts and exports read an enrolment's signed entries (app/services/enrollments/case_file.py).
        sa.Index("ix_log_entry_enrollment_id_signed_at", "enrollment_id", "signed_at"),
        # The entries waiting on a signer (their inbox and its badge), however many they once signed.
        sa.Index("ix_log_entry_unsigned_signer_id", "signer_id", sqlite_where=sa.text("signed_at IS NULL"),
                 postgresql_where=sa.text("signed_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    kind: str = Field(max_length=32)
    occurred_on: date
    program_year: int = Field(default=1)
    hours: float = Field(default=0)
    notes: str = Field(default="", max_length=10000)
    # Who took part (names as typed; review meetings list the support team present).
    participants: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # The roles present at a PIP review meeting (workflows.roles.Role values), as the candidate
    # recorded them and the mentor confirmed by signing; the review counts only with the roles
    # the program requires (the pathway's `ReviewMeetings.missing`).
    attendee_roles: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # Of those roles, who confirmed being there (role value -> the person's id): a review counts only
    # with the required roles confirmed by people holding them (app/services/evidence/reviews.py). None on
    # meetings recorded before confirmations existed, whose listed roles stand as the mentor signed them.
    attendance: dict[str, int] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    author_id: int = Field(foreign_key="user.id")
    signer_id: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class SelfAssessment(SQLModel, table=True):
    """A self-assessment on the six standards (CSTP for teachers, CPSEL for leaders)."""

    __tablename__ = "self_assessment"
    __table_args__ = (check_in("standards", ["cstp", "cpsel"], "standards"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    standards: str = Field(max_length=8)
    taken_on: date
    # standard number ("1".."6") -> rating on the program's scale.
    ratings: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()
