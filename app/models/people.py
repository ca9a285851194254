"""People, the organisations they work for, programs, and the roles they hold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlmodel import Field, SQLModel
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.registry import labels

from .base import check_in, created_at_field, json_field, timestamp_field

# Each installed pathway's name in words, in installation order (the registry's).
PATHWAY_LABELS = labels()


class OrganisationKind(StrEnum):
    """What kind of body an organisation is."""

    DISTRICT = "district"
    COUNTY_OFFICE = "county_office"
    UNIVERSITY = "university"
    CONSORTIUM = "consortium"
    PROGRAM_SPONSOR = "program_sponsor"

    @property
    def label(self) -> str:
        """The kind as people say it."""
        return {"district": "School district", "county_office": "County office of education",
                "university": "University", "consortium": "Consortium",
                "program_sponsor": "Program sponsor"}[self.value]


class User(UserMixin, SQLModel, table=True):
    """Anyone who signs in: candidates, approvers, directors, administrators."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    last_sign_in_at: datetime | None = timestamp_field()
    # Changes whenever the password does, which voids every outstanding reset link and
    # remember-me cookie issued before.
    session_stamp: str = Field(default="", max_length=64)

    @property
    def is_active(self) -> bool:  # flask-login refuses sign-in to inactive accounts
        return self.active

    def get_id(self) -> str:
        # The id names this device's sign-in (a row in sign_in): the session cookie and the
        # remember-me cookie carry it, so ending that row ends both, wherever they were copied to.
        return f"{self.id}:{self.__dict__.get('_sign_in_key', '')}"

    def attach_sign_in(self, key: str) -> None:
        """Say which sign-in this user was loaded through (not stored; see get_id)."""
        # Bypasses pydantic, which refuses attributes that are not columns.
        object.__setattr__(self, "_sign_in_key", key)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password and void older sessions and links."""
        import secrets

        self.password_hash = generate_password_hash(password)
        self.session_stamp = secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @staticmethod
    def normalise_email(email: str) -> str:
        """Emails are compared without case or surrounding spaces."""
        return email.strip().lower()


class SignIn(SQLModel, table=True):
    """One device's sign-in: it lasts until signed out there, everywhere, or the password changes.

    Only the key's SHA-256 is kept, so a copy of the table signs nobody in.
    """

    __tablename__ = "sign_in"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key_digest: str = Field(max_length=64, unique=True)
    started_at: datetime = created_at_field()
    ended_at: datetime | None = timestamp_field()


class Organisation(SQLModel, table=True):
    """A county office, district or program sponsor."""

    __table_args__ = (check_in("kind", [k.value for k in OrganisationKind], "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    timezone: str = Field(default="America/Los_Angeles", max_length=64)
    # The California Department of Education's County-District-School code, where it has one.
    cds_code: str | None = Field(default=None, max_length=14)
    created_at: datetime = created_at_field()
    # Archived organisations keep every record; they leave pickers and lists of current work.
    archived_at: datetime | None = timestamp_field()


class Program(SQLModel, table=True):
    """A credential program run by an organisation along one pathway, with its settings."""

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name", name="uq_program_organisation_id_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    pathway: str = Field(max_length=16)
    # Overrides of workflows.settings.ProgramSettings defaults; validated before saving.
    settings: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()
    # Moves on whenever an enrolment summary of the program is rewritten (in that transaction), so
    # program-wide figures can be remembered until it does (app/services/programs/tallies.py).
    summary_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Whether the enrolment wizard offers the program to new candidates.
    open_for_enrolment: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # Archived programs keep their candidates and history; nobody new enrols.
    archived_at: datetime | None = timestamp_field()


class Membership(SQLModel, table=True):
    """A role someone holds: service-wide, in an organisation, a program, or on one enrolment."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=40)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True)
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    # A proposal (a candidate's invitee as mentor, coach or supervisor): until the program confirms
    # it, `role` is viewer and the proposed role stays here, so no query can count it as an approver.
    proposed_role: str | None = Field(default=None, max_length=40)
    confirmed_at: datetime | None = timestamp_field()
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Flagged to the organisation's directors (app/services/team/staff_activity.py), never removed by it: "inactive"
    # when its holder signed in nowhere for the organisation's chosen period. Cleared when they sign in.
    flagged_at: datetime | None = timestamp_field()
    flag_reason: str | None = Field(default=None, max_length=40)


class PoolMember(SQLModel, table=True):
    """Someone in a program's pool of mentors, coaches or site administrators.

    Being in the pool gives no role on any candidate (so no query that reads memberships can mistake
    it for one): the director picks from the pool, and the pick is a Membership on that enrolment.
    """

    __tablename__ = "pool_member"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=40)
    school: str | None = Field(default=None, max_length=120)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
