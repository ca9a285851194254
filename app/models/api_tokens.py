"""Personal access tokens for the JSON API, kept only as the SHA-256 of their secret."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import UTCDateTime, created_at_field, timestamp_field


class ApiToken(SQLModel, table=True):
    """A bearer token a person made for an app or a district system; shown once, then only its prefix.

    Only the hash is stored, so a database dump cannot be replayed as tokens. Every use stamps
    `last_used_at` and the address it came from, so its owner can tell a token they forgot from one
    being used elsewhere.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    # The secret's first characters, to tell tokens apart on the settings page (not enough to guess it).
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = timestamp_field()
    last_used_at: datetime | None = timestamp_field()
    last_used_from: str | None = Field(default=None, max_length=64)
