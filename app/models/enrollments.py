"""A candidate's enrolment in a program along one pathway."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from .base import created_at_field, timestamp_field


class Enrollment(SQLModel, table=True):
    """Candidate × pathway × program: where they stand and the dates the rules run from."""

    __table_args__ = (
        sa.CheckConstraint("pathway_version >= 1", name="pathway_version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    pathway: str = Field(max_length=16)
    # The pathway definition this enrolment started on; a newer definition never applies
    # to it unless it is migrated deliberately.
    pathway_version: int = Field(default=1)
    state: str = Field(max_length=48, index=True)
    # Optimistic lock: every UPDATE checks and bumps it, so a concurrent change fails loudly.
    version_id: int = Field(default=1, nullable=False)

    # Credential goal.
    credential_sought: str = Field(default="", max_length=200)
    authorization: str = Field(default="", max_length=200)
    employer: str = Field(default="", max_length=200)

    # Key dates the rules and deadlines run from (local calendar dates).
    enrolled_on: date
    permit_issued_on: date | None = None
    permit_expires_on: date | None = None
    preliminary_issued_on: date | None = None
    preliminary_expires_on: date | None = None
    admin_position_started_on: date | None = None
    pasc_issued_on: date | None = None
    pasc_expires_on: date | None = None
    # When the program last submitted the CTC Online recommendation (starts the 90-day window).
    recommended_on: date | None = None

    # Declared by the candidate, verified by HR; rules read them (PIP eligibility, ECO, CASC).
    prior_emergency_permits: int | None = None
    teaching_years: float | None = None
    admin_experience_years: float | None = None
    # Recorded yes/no facts (workflows.facts.Flag values), e.g. "eco_advised".
    flags: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # Every other recorded date or number a pathway declares (name -> ISO date or number): a new
    # pathway's facts need no column and no migration (app/services/enrollments/records.py).
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False,
                                  sa_column_kwargs={"server_default": "{}"})

    created_at: datetime = created_at_field()
    state_changed_at: datetime | None = timestamp_field()

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version_id}
