"""Invitations to a candidate's support team, and private calendar-feed links."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import UTCDateTime, created_at_field, timestamp_field


class Invitation(SQLModel, table=True):
    """An emailed link granting one role on one enrolment to whoever accepts it.

    Only the SHA-256 of the token is kept, so a database dump cannot be replayed as invitations.
    `open_key` is set while the invitation is open and cleared when it is accepted, withdrawn or
    found expired: its unique constraint lets one open invitation exist per enrolment, address and
    role, however many identical requests race (invitations.invite answers the losers 409).
    """

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=40)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    accepted_at: datetime | None = timestamp_field()
    accepted_by_id: int | None = Field(default=None, foreign_key="user.id")
    membership_id: int | None = Field(default=None, foreign_key="membership.id")
    revoked_at: datetime | None = timestamp_field()
    open_key: str | None = Field(default=None, max_length=320, unique=True)

    @staticmethod
    def open_key_for(enrollment_id: int, email: str, role: str) -> str:
        """The slot an open invitation holds: one per enrolment, address and role."""
        return f"{enrollment_id}:{role}:{email}"


class StaffInvitation(SQLModel, table=True):
    """An emailed link giving one organisation- or program-wide role (or a place in a program's pool)
    to whoever accepts it with the address it was sent to.

    Like Invitation, only the token's SHA-256 is kept, and `open_key` (cleared once the invitation is
    accepted, withdrawn or found expired) lets one open invitation exist per place, role and address.
    """

    __tablename__ = "staff_invitation"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True)
    email: str = Field(max_length=254, index=True)
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=40)
    # Pool places only: the school a site administrator leads or a mentor teaches at.
    school: str | None = Field(default=None, max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    accepted_at: datetime | None = timestamp_field()
    accepted_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = timestamp_field()
    open_key: str | None = Field(default=None, max_length=360, unique=True)

    @staticmethod
    def open_key_for(organisation_id: int, program_id: int | None, email: str, role: str) -> str:
        """The slot an open invitation holds: one per place, address and role."""
        return f"{organisation_id}:{program_id or ''}:{role}:{email}"


class CalendarFeed(SQLModel, table=True):
    """A secret link to an enrolment's iCalendar feed, for calendar apps that cannot sign in."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()
