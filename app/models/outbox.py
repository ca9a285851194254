"""Work a command wants done after it commits: written in the same transaction, run later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .base import created_at_field, json_field, timestamp_field


class OutboxMessage(SQLModel, table=True):
    """A job to run once the transaction that wrote it has committed."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=120)
    payload: dict[str, Any] = json_field()
    # The same logical message is written once, however often a command is retried.
    dedupe_key: str = Field(max_length=200, unique=True)
    created_at: datetime = created_at_field()
    dispatched_at: datetime | None = timestamp_field()
    completed_at: datetime | None = timestamp_field()
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
