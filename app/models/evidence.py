"""Documents a candidate uploads against a requirement; every version is kept."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from workflows.facts import EvidenceStatus

from .base import check_in, created_at_field, timestamp_field


class Evidence(SQLModel, table=True):
    """One version of one kind of evidence on an enrolment; a replacement supersedes it."""

    __table_args__ = (
        check_in("status", [s.value for s in EvidenceStatus if s is not EvidenceStatus.MISSING], "status"),
        sa.UniqueConstraint("enrollment_id", "kind", "version", name="uq_evidence_enrollment_id_kind_version"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        # Documents awaiting verification, of the kinds someone's roles verify (the inbox and its badge).
        sa.Index("ix_evidence_status_kind", "status", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    kind: str = Field(max_length=48)
    version: int = Field(default=1)
    status: str = Field(default=EvidenceStatus.SUBMITTED.value, max_length=16)
    original_filename: str = Field(max_length=255)
    # Random name under UPLOAD_FOLDER: the file is never served from the web root.
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: datetime = created_at_field()
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = timestamp_field()
    decision_reason: str | None = Field(default=None, max_length=2000)
    superseded_at: datetime | None = timestamp_field()
