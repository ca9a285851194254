"""An organisation's own sign-in provider: its settings, its client secret (encrypted at rest), and lookups.

Set up by a service administrator (app/admin/sign_on.py, the API's twin); the sign-in itself is
app/services/team/sign_on.py.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlmodel import Session, select

from app import clock, outbox
from app.models import AuditEvent, Organisation, User, utcnow
from app.models.sign_on import SignOnProvider


class SettingsError(ValueError):
    """Provider settings that cannot be saved, with a message for the administrator."""


class SignOnRefused(Exception):
    """A sign-in through the provider that was refused: `message` for the person, `reason` for the audit."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


# --- The client secret: encrypted at rest -----------------------------------------------------------

def _fernet() -> Fernet:
    # SIGN_ON_KEY (environment or instance/sign_on_key) if set, so SECRET_KEY can rotate on its own;
    # otherwise derived from SECRET_KEY. Either way the key lives outside the database.
    material = (current_app.config.get("SIGN_ON_KEY") or current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"credential-tracker sign-on client secrets").derive(
        material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    """A client secret or refresh token, encrypted for the database."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(encrypted: str) -> str:
    """What encrypt_secret encrypted (InvalidToken when the key has changed since)."""
    return _fernet().decrypt(encrypted.encode()).decode()


def client_secret(provider: SignOnProvider) -> str:
    """The provider's client secret, decrypted."""
    try:
        return decrypt_secret(provider.client_secret_encrypted)
    except InvalidToken:
        raise SignOnRefused("Signing in with this district's account is not working at the moment. Sign in with "
                            "your password, or ask the service administrator.", "secret_unreadable") from None


# --- Settings ------------------------------------------------------------------------------------------

def provider_for_organisation(session: Session, organisation_id: int) -> SignOnProvider | None:
    """The organisation's provider, if it has one."""
    return session.exec(select(SignOnProvider).where(SignOnProvider.organisation_id == organisation_id)).first()


def domain_of(email: str) -> str:
    """The domain of an email address, lowercase."""
    return User.normalise_email(email).rpartition("@")[2]


def provider_for_email(session: Session, email: str) -> SignOnProvider | None:
    """The provider that vouches for this email's domain, if any."""
    domain = domain_of(email)
    if not domain:
        return None
    # Few rows (one per organisation that set one up): compared here rather than by a LIKE that could
    # match "district.org" inside "notdistrict.org".
    for provider in session.exec(select(SignOnProvider)):
        if domain in provider.domains():
            return provider
    return None


def providers_by_organisation(session: Session) -> list[tuple[Organisation, SignOnProvider | None]]:
    """Every organisation, with its provider or None, by name."""
    rows = session.exec(select(Organisation, SignOnProvider).join(
        SignOnProvider, SignOnProvider.organisation_id == Organisation.id, isouter=True).order_by(Organisation.name))
    return [(organisation, provider) for organisation, provider in rows]


def _check_issuer(issuer: str) -> str:
    # Kept exactly as entered: ID tokens must name their issuer character for character (some end in "/").
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    # A provider's address is https; plain http only for one on this machine while testing or debugging.
    secure = parts.scheme == "https" or (parts.scheme == "http" and loopback and clock.movable())
    if secure and parts.hostname and not parts.query and not parts.fragment:
        return issuer
    raise SettingsError("Enter the provider's address as it publishes it, starting with https://, "
                        "for example https://accounts.google.com.")


def save_settings(session: Session, organisation: Organisation, actor: User, *, issuer: str, client_id: str,
                  secret: str | None, email_domains: str, required_for_staff: bool,
                  inactive_after_days: int | None, check_accounts: bool = False) -> SignOnProvider:
    """Create or change the organisation's provider (an empty secret keeps the one saved); audited, committed."""
    issuer = _check_issuer(issuer)
    client_id = client_id.strip()
    if not client_id:
        raise SettingsError("Enter the client id the district's provider gave for this service.")
    domains = sorted({d.strip().lower().lstrip("@") for d in email_domains.replace(",", " ").split() if d.strip()})
    if not domains or any("." not in d or "@" in d for d in domains):
        raise SettingsError("Enter the district's email domains, such as district.org, separated by spaces.")
    provider = provider_for_organisation(session, organisation.id or 0)
    for other in session.exec(select(SignOnProvider).where(SignOnProvider.organisation_id != organisation.id)):
        taken = set(domains) & set(other.domains())
        if taken:
            raise SettingsError(f"Another organisation's sign-in already vouches for {', '.join(sorted(taken))}. "
                                "One domain can belong to one organisation only.")
    if inactive_after_days is not None and not 1 <= inactive_after_days <= 3650:
        raise SettingsError("Give the number of days without signing in as a whole number from 1 to 3650, "
                            "or leave it empty.")
    if provider is None:
        if not secret:
            raise SettingsError("Enter the client secret the district's provider gave for this service.")
        provider = SignOnProvider(organisation_id=organisation.id or 0, issuer=issuer, client_id=client_id,
                                  client_secret_encrypted="", email_domains="")
    secret_changed = bool(secret)
    if secret:
        provider.client_secret_encrypted = encrypt_secret(secret)
    provider.issuer, provider.client_id, provider.email_domains = issuer, client_id, " ".join(domains)
    provider.required_for_staff, provider.inactive_after_days = required_for_staff, inactive_after_days
    provider.check_accounts = check_accounts
    provider.updated_at, provider.updated_by_id = utcnow(), actor.id
    session.add(provider)
    # Never the secret itself, only that it changed.
    session.add(AuditEvent(actor_id=actor.id, action="sign_on.settings_saved", details={
        "organisation_id": organisation.id, "issuer": issuer, "client_id": client_id, "email_domains": domains,
        "required_for_staff": required_for_staff, "inactive_after_days": inactive_after_days,
        "check_accounts": check_accounts,
        "secret_changed": secret_changed}))
    outbox.commit(session)
    return provider
