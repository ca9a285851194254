"""An organisation's own sign-in (its OpenID Connect provider), for service administrators: the settings page's twin."""

from __future__ import annotations

from sqlmodel import Session

from app import policy
from app.api import schemas
from app.api.blueprint import operation
from app.db import get_session
from app.models import Organisation, User
from app.models.sign_on import SignOnProvider
from app.services import NotFound, NotPermitted, PathwayError
from app.services.team import sign_on


def _organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    if not policy.can_set_up_sign_on(session, user):
        raise NotPermitted("Only service administrators can set up an organisation's sign-in.")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def _out(provider: SignOnProvider) -> schemas.SignOnSettingsOut:
    return schemas.SignOnSettingsOut(organisation_id=provider.organisation_id, issuer=provider.issuer,
                                     client_id=provider.client_id, email_domains=provider.domains(),
                                     required_for_staff=provider.required_for_staff,
                                     inactive_after_days=provider.inactive_after_days, updated_at=provider.updated_at)


@operation("GET", "/organisations/<int:organisation_id>/sign-on", summary="An organisation's own sign-in",
           tag="organisations", response=schemas.SignOnSettingsOut)
def read_sign_on(user: User, organisation_id: int) -> schemas.SignOnSettingsOut:
    """The organisation's OpenID Connect provider as saved; 404 when it has none."""
    session = get_session()
    organisation = _organisation(session, user, organisation_id)
    provider = sign_on.provider_for_organisation(session, organisation.id or 0)
    if provider is None:
        raise NotFound("This organisation signs in with passwords only.")
    return _out(provider)


@operation("PUT", "/organisations/<int:organisation_id>/sign-on", summary="Set up an organisation's own sign-in",
           tag="organisations", body=schemas.SignOnSettingsIn, response=schemas.SignOnSettingsOut)
def save_sign_on(user: User, organisation_id: int, body: schemas.SignOnSettingsIn) -> schemas.SignOnSettingsOut:
    """Create or change the provider (audited); 422 with the reason when the settings cannot work."""
    session = get_session()
    organisation = _organisation(session, user, organisation_id)
    try:
        provider = sign_on.save_settings(session, organisation, user, issuer=body.issuer, client_id=body.client_id,
                                         secret=body.client_secret, email_domains=" ".join(body.email_domains),
                                         required_for_staff=body.required_for_staff,
                                         inactive_after_days=body.inactive_after_days)
    except sign_on.SettingsError as error:
        raise PathwayError(str(error)) from None
    return _out(provider)
