"""Who recorded each fact of an enrolment, and whether it is only claimed or confirmed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import check_in, created_at_field, timestamp_field

CLAIMED = "claimed"  # typed by the candidate; rules wait for the owning role to confirm it
CONFIRMED = "confirmed"  # recorded or confirmed by a role that owns the fact


class FactRecord(SQLModel, table=True):
    """The provenance of one recorded fact (a key date, a declared number or a yes/no fact).

    The value itself lives where the rules read it (an `Enrollment` column or flag); this row
    says who put it there and whether an owner confirmed it. No row means the system set it.
    """

    __tablename__ = "fact_record"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "name", name="uq_fact_record_enrollment_name"),
        check_in("status", [CLAIMED, CONFIRMED], "fact_record_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    name: str = Field(max_length=48)
    status: str = Field(max_length=16)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = created_at_field()
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = timestamp_field()
    reason: str | None = Field(default=None, max_length=2000)
