"""Single sign-on: an organisation's OpenID Connect provider, the accounts linked to it, and sign-ins under way."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, check_in, created_at_field, timestamp_field


class SignOnProvider(SQLModel, table=True):
    """The district's own sign-in (Google Workspace, Microsoft 365...), set up by a service administrator.

    The client secret is kept encrypted (app/services/team/sign_on_providers.py): a database dump alone
    cannot sign in as the service at the district's provider.
    """

    __tablename__ = "sign_on_provider"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=255)
    client_secret_encrypted: str = Field(max_length=2000)
    # Email domains the provider vouches for, lowercase, one space between: "district.org staff.district.org".
    email_domains: str = Field(max_length=1000)
    # Staff of the organisation must sign in through the provider: their password is refused.
    required_for_staff: bool = Field(default=False)
    # Staff who sign in nowhere for this many days are flagged to the director (None: never).
    inactive_after_days: int | None = Field(default=None)
    # Ask each day whether linked people's accounts still work there (a refresh token, so sign-ins ask for
    # offline access and the provider may ask people to consent); a disabled one is flagged to the director.
    check_accounts: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    updated_at: datetime = created_at_field()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")

    def domains(self) -> list[str]:
        """The email domains, as a list."""
        return self.email_domains.split()


class SignOnLink(SQLModel, table=True):
    """A person's account at a provider (its stable subject), linked to their account here."""

    __tablename__ = "sign_on_link"
    __table_args__ = (sa.UniqueConstraint("provider_id", "subject", name="uq_sign_on_link_provider_id_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="sign_on_provider.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    subject: str = Field(max_length=255)
    linked_at: datetime = created_at_field()
    last_sign_in_at: datetime | None = timestamp_field()
    # Encrypted like the client secret; only when the provider checks accounts. Cleared once refused.
    refresh_token_encrypted: str | None = Field(default=None, max_length=4000)


class SignOnAttempt(SQLModel, table=True):
    """One trip to the provider and back: its state, nonce and PKCE verifier, used at most once.

    Kept in the database, not only in the session cookie, so a replayed cookie cannot replay a sign-in:
    the return marks the attempt used in the same statement that finds it.
    """

    __tablename__ = "sign_on_attempt"
    __table_args__ = (check_in("purpose", ["sign_in", "try"], "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=128, unique=True)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    provider_id: int = Field(foreign_key="sign_on_provider.id", index=True)
    # "sign_in", or "try": a service administrator checking the settings, who stays signed in as themselves.
    purpose: str = Field(default="sign_in", max_length=16)
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    next_path: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
