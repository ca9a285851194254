"""Sign-offs given by a role on a step, bound to the evidence versions they saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .base import created_at_field, json_field, timestamp_field


class SignOff(SQLModel, table=True):
    """An approval by someone holding `role`; withdrawn when the evidence it saw changes."""

    __tablename__ = "sign_off"

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    key: str = Field(max_length=48)
    role: str = Field(max_length=40)
    signer_id: int = Field(foreign_key="user.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime = created_at_field()
    comment: str | None = Field(default=None, max_length=2000)
    # evidence kind -> SHA-256 of the version the signer saw.
    evidence_hashes: dict[str, Any] = json_field()
    withdrawn_at: datetime | None = timestamp_field()
    withdrawn_reason: str | None = Field(default=None, max_length=2000)
