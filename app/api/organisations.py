"""An organisation's own sign-in (its OpenID Connect provider), for service administrators: the settings page's twin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field
from sqlmodel import Session

from app import policy
from app.api.blueprint import operation
from app.api.schemas import Strict
from app.db import get_session
from app.models import Organisation, User
from app.models.sign_on import SignOnProvider
from app.services import NotFound, NotPermitted, PathwayError
from app.services.team import sign_on_providers as providers


class SignOnSettingsIn(Strict):
    """An organisation's provider: its issuer, this service's client there, the domains it vouches for."""

    issuer: str = Field(min_length=1, max_length=500, description="As the provider publishes it, https://...")
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1000,
                                      description="Kept encrypted and never returned; omit to keep the saved one.")
    email_domains: list[Annotated[str, Field(min_length=3, max_length=253)]] = Field(min_length=1, max_length=20)
    required_for_staff: bool = False
    inactive_after_days: int | None = Field(default=None, ge=1, le=3650)
    check_accounts: bool = Field(default=False, description="Ask the provider daily whether linked accounts still "
                                                            "work (a refresh token; sign-ins ask for consent).")


class SignOnSettingsOut(BaseModel):
    """An organisation's provider as saved (the client secret never leaves the service)."""

    organisation_id: int
    issuer: str
    client_id: str
    email_domains: list[str]
    required_for_staff: bool
    inactive_after_days: int | None
    check_accounts: bool
    updated_at: datetime


def _organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    if not policy.can_set_up_sign_on(session, user):
        raise NotPermitted("Only service administrators can set up an organisation's sign-in.")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def _out(provider: SignOnProvider) -> SignOnSettingsOut:
    return SignOnSettingsOut(organisation_id=provider.organisation_id, issuer=provider.issuer,
                                     client_id=provider.client_id, email_domains=provider.domains(),
                                     required_for_staff=provider.required_for_staff,
                                     inactive_after_days=provider.inactive_after_days,
                                     check_accounts=provider.check_accounts, updated_at=provider.updated_at)


@operation("GET", "/organisations/<int:organisation_id>/sign-on", summary="An organisation's own sign-in",
           tag="organisations", response=SignOnSettingsOut)
def read_sign_on(user: User, organisation_id: int) -> SignOnSettingsOut:
    """The organisation's OpenID Connect provider as saved; 404 when it has none."""
    session = get_session()
    organisation = _organisation(session, user, organisation_id)
    provider = providers.provider_for_organisation(session, organisation.id or 0)
    if provider is None:
        raise NotFound("This organisation signs in with passwords only.")
    return _out(provider)


@operation("PUT", "/organisations/<int:organisation_id>/sign-on", summary="Set up an organisation's own sign-in",
           tag="organisations", body=SignOnSettingsIn, response=SignOnSettingsOut)
def save_sign_on(user: User, organisation_id: int, body: SignOnSettingsIn) -> SignOnSettingsOut:
    """Create or change the provider (audited); 422 with the reason when the settings cannot work."""
    session = get_session()
    organisation = _organisation(session, user, organisation_id)
    try:
        provider = providers.save_settings(session, organisation, user, issuer=body.issuer, client_id=body.client_id,
                                         secret=body.client_secret, email_domains=" ".join(body.email_domains),
                                         required_for_staff=body.required_for_staff,
                                         inactive_after_days=body.inactive_after_days,
                                         check_accounts=body.check_accounts)
    except providers.SettingsError as error:
        raise PathwayError(str(error)) from None
    return _out(provider)
