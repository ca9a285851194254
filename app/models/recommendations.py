"""Recommendations to the CTC, submitted in attested batches; roster imports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import check_in, created_at_field, timestamp_field


class RecommendationStatus(StrEnum):
    """The candidate's side of a recommendation, after the program submits it."""

    SUBMITTED = "submitted"
    FITNESS_ANSWERED = "fitness_answered"
    FEE_PAID = "fee_paid"
    ISSUED = "issued"
    RETURNED = "returned"  # by the candidate, with a reason; corrected and re-submitted
    PURGED = "purged"  # not completed within 90 days


class RecommendationBatch(SQLModel, table=True):
    """A director's attested submission of several candidates, with its packet for CTC Online."""

    __tablename__ = "recommendation_batch"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    submitted_by_id: int = Field(foreign_key="user.id")
    attestation: str = Field(max_length=2000)
    created_at: datetime = created_at_field()
    # Written by a job: where the packet (CSV + printable summaries) is, relative to the instance.
    packet_path: str | None = Field(default=None, max_length=500)
    packet_ready_at: datetime | None = timestamp_field()


class Recommendation(SQLModel, table=True):
    """One candidate's recommendation, followed from submission to issuance or purge."""

    __table_args__ = (check_in("status", [s.value for s in RecommendationStatus], "status"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    batch_id: int = Field(foreign_key="recommendation_batch.id", index=True)
    status: str = Field(default=RecommendationStatus.SUBMITTED.value, max_length=24, index=True)
    submitted_on: date
    fitness_answered_on: date | None = None
    fee_paid_on: date | None = None
    issued_on: date | None = None
    returned_on: date | None = None
    return_reason: str | None = Field(default=None, max_length=2000)
    purged_on: date | None = None
    # A re-submission after a return points at the record it corrects.
    replaces_id: int | None = Field(default=None, foreign_key="recommendation.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()


class RosterImport(SQLModel, table=True):
    """A district roster CSV imported into a program; the same file twice imports nothing."""

    __tablename__ = "roster_import"
    __table_args__ = (sa.UniqueConstraint("program_id", "sha256", name="uq_roster_import_program_id_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(default="", max_length=255)
    rows: int = Field(default=0)
    imported_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
