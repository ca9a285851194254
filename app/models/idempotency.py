"""Keys of form submissions already carried out: a double click or a reload creates once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class IdempotencyKey(SQLModel, table=True):
    """One submitted form's token, written in the same transaction as the command it ran.

    A rolled-back command takes its key with it, so the form can be sent again; a committed one
    keeps it, so a second copy of the same submission is recognised (app/idempotency.py).
    """

    __tablename__ = "idempotency_key"

    key: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
