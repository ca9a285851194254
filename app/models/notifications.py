"""What was emailed to whom (so a message goes out once), digest preferences and digest items."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import check_in, created_at_field, timestamp_field


class DeliveryStatus(StrEnum):
    """Where one email stands; the order below is the order a send goes through."""

    CLAIMED = "claimed"  # a worker is composing it; nothing has reached the mail server yet
    TRANSMITTING = "transmitting"  # the message body is being handed to the mail server
    SENT = "sent"  # the mail server accepted it
    UNCERTAIN = "uncertain"  # a worker died while transmitting: it may or may not have arrived
    RESEND = "resend"  # an administrator asked for an uncertain message to be sent again
    DIGESTED = "digested"  # the recipient takes a daily digest: queued there instead


class SentNotification(SQLModel, table=True):
    """One email, keyed by the outbox message that asked for it; the guard against sending twice.

    No foreign key to outbox_message on purpose: the runner holds a row lock on the outbox message
    while the claim is committed from a second connection, and a foreign key check would wait on
    that lock (PostgreSQL's FOR KEY SHARE conflicts with FOR UPDATE).
    """

    __tablename__ = "sent_notification"
    __table_args__ = (check_in("status", [s.value for s in DeliveryStatus], "status"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    outbox_message_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=120)
    recipient_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    recipient_email: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    # Kept from the first attempt: a resend carries the same Message-ID, so a mail client that
    # already has the message can recognise the copy.
    message_id: str = Field(max_length=300)
    status: str = Field(default=DeliveryStatus.CLAIMED.value, max_length=16, index=True)
    attempts: int = Field(default=0)
    claimed_at: datetime = created_at_field()
    transmit_started_at: datetime | None = timestamp_field()
    sent_at: datetime | None = timestamp_field()


class NotificationPreference(SQLModel, table=True):
    """How a person wants task email. No row: routine items (logs to sign) in the daily digest, the rest
    at once (the default); `daily_digest` False: every item at once; True: every task item in the digest."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    daily_digest: bool = Field(default=False)
    updated_at: datetime = created_at_field()


class DigestItem(SQLModel, table=True):
    """A task notification held for the recipient's next daily digest."""

    __tablename__ = "digest_item"
    __table_args__ = (sa.Index("ix_digest_item_pending", "user_id", "digested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    user_id: int = Field(foreign_key="user.id")
    subject: str = Field(max_length=300)
    summary: str = Field(default="", max_length=2000)
    link: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    digested_at: datetime | None = timestamp_field()
