"""Signing in with the district's account: OpenID Connect single sign-on, one provider per organisation.

Every protocol step is Authlib's (and joserfc's, which Authlib builds on): the authorization URL with
state, nonce and a PKCE challenge, the code exchange, the ID token's signature against the provider's
published keys, and its claims (issuer, audience, expiry, nonce, access-token hash). This module
decides only what the product decides: which organisation's provider, which accounts it may vouch
for (verified emails in its domains), linking, refusals, and the audit trail of each.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlmodel import Session, select

from app import clock
from app.models import AuditEvent, Enrollment, Membership, Organisation, Program, User, utcnow
from app.models.sign_on import SignOnAttempt, SignOnLink, SignOnProvider
from app.services.notifications import outbox
from workflows.roles import Role

SCOPE = "openid email profile"
# A trip to the provider and back takes a person seconds; ten minutes allows for a slow phone or a
# password reset at the district, and no more.
ATTEMPT_MINUTES = 10
# Clocks of the provider and this service may differ a little; more than a minute is not "a little".
CLOCK_LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 5
# Roles that make someone an organisation's staff: everyone but candidates, observers and the service's own.
STAFF_ROLES = frozenset(Role) - {Role.CANDIDATE, Role.VIEWER, Role.SERVICE_ADMINISTRATOR}


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
    """The client secret, encrypted for the database."""
    return _fernet().encrypt(secret.encode()).decode()


def client_secret(provider: SignOnProvider) -> str:
    """The provider's client secret, decrypted."""
    try:
        return _fernet().decrypt(provider.client_secret_encrypted.encode()).decode()
    except InvalidToken:
        raise SignOnRefused("Signing in with this district's account is not working at the moment. Sign in with "
                            "your password, or ask the service administrator.", "secret_unreadable") from None


# --- Settings ------------------------------------------------------------------------------------------

def provider_for_organisation(session: Session, organisation_id: int) -> SignOnProvider | None:
    """The organisation's provider, if it has one."""
    return session.exec(select(SignOnProvider).where(SignOnProvider.organisation_id == organisation_id)).first()


def _domain(email: str) -> str:
    return User.normalise_email(email).rpartition("@")[2]


def provider_for_email(session: Session, email: str) -> SignOnProvider | None:
    """The provider that vouches for this email's domain, if any."""
    domain = _domain(email)
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
                  inactive_after_days: int | None) -> SignOnProvider:
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
    provider.updated_at, provider.updated_by_id = utcnow(), actor.id
    session.add(provider)
    # Never the secret itself, only that it changed.
    session.add(AuditEvent(actor_id=actor.id, action="sign_on.settings_saved", details={
        "organisation_id": organisation.id, "issuer": issuer, "client_id": client_id, "email_domains": domains,
        "required_for_staff": required_for_staff, "inactive_after_days": inactive_after_days,
        "secret_changed": secret_changed}))
    outbox.commit(session)
    return provider


# --- Who must sign in through the provider ---------------------------------------------------------------

def _staff_roles() -> tuple[Any, Any]:
    """Every staff role held now, with the organisation it is held in (directly, in a program, or for one candidate)."""
    by_program, by_enrolment = sa.orm.aliased(Program), sa.orm.aliased(Program)
    organisation = sa.func.coalesce(Membership.organisation_id, by_program.organisation_id,
                                    by_enrolment.organisation_id)
    statement = (select(Membership, organisation)
                 .join(by_program, by_program.id == Membership.program_id, isouter=True)
                 .join(Enrollment, Enrollment.id == Membership.enrollment_id, isouter=True)
                 .join(by_enrolment, by_enrolment.id == Enrollment.program_id, isouter=True)
                 .where(Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                        Membership.role.in_([r.value for r in STAFF_ROLES])))  # type: ignore[attr-defined]
    return statement, organisation


def staff_organisation_ids(session: Session, user: User, *, role: Role | None = None) -> set[int]:
    """The organisations where `user` holds a staff role (or this one)."""
    statement, _ = _staff_roles()
    statement = statement.where(Membership.user_id == user.id)
    if role is not None:
        statement = statement.where(Membership.role == role.value)
    return {organisation for _, organisation in session.exec(statement) if organisation is not None}


def required_provider(session: Session, user: User) -> SignOnProvider | None:
    """The provider `user` must sign in through, if their district requires it of its staff.

    Only for an email the provider vouches for: a mentor from another district keeps their password.
    """
    provider = provider_for_email(session, user.email)
    if provider is None or not provider.required_for_staff:
        return None
    return provider if provider.organisation_id in staff_organisation_ids(session, user) else None


# --- The trip to the provider and back ------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """How a return from the provider ended: who signed in (or was tried), and whether they are new here."""

    user: User | None
    purpose: str
    next_path: str | None
    email: str
    created: bool = False
    linked: bool = False


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError):
        raise SignOnRefused("The district's sign-in service did not answer. Try again in a moment, or sign in with "
                            "your password.", "provider_unreachable") from None
    if not isinstance(document, dict):
        raise SignOnRefused("The district's sign-in service gave an answer this service cannot read.",
                            "provider_unreadable")
    return document


def _metadata(provider: SignOnProvider) -> dict[str, Any]:
    """The provider's published configuration; its issuer must be the one set up (OpenID Connect Discovery)."""
    metadata = _get_json(f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration")
    if metadata.get("issuer") != provider.issuer:
        raise SignOnRefused("The district's sign-in service names itself differently from its settings here. "
                            "Ask the service administrator to check them.", "issuer_mismatch")
    return metadata


def _client(provider: SignOnProvider, redirect_uri: str, secret: str | None = None) -> OAuth2Session:
    return OAuth2Session(provider.client_id, secret, scope=SCOPE, redirect_uri=redirect_uri,
                         code_challenge_method="S256")


def start(session: Session, provider: SignOnProvider, redirect_uri: str, *, purpose: str = "sign_in",
          next_path: str | None = None, login_hint: str | None = None, started_by: User | None = None
          ) -> tuple[str, str]:
    """Open an attempt and return (the provider's sign-in URL, the attempt's state for the session cookie)."""
    metadata = _metadata(provider)
    attempt = SignOnAttempt(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                            code_verifier=secrets.token_urlsafe(48), provider_id=provider.id or 0, purpose=purpose,
                            next_path=next_path, started_by_id=started_by.id if started_by else None)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = _client(provider, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=attempt.state, nonce=attempt.nonce,
        code_verifier=attempt.code_verifier, **extra)
    session.add(attempt)
    session.commit()
    return url, attempt.state


def _take_attempt(session: Session, returned_state: str, cookie_state: str | None) -> SignOnAttempt:
    """The attempt the provider returned to, marked used; refused if it is not this browser's, spent or stale."""
    # The state must be the one this browser was sent off with (no one else's sign-in landing here)...
    if not returned_state or not cookie_state or not secrets.compare_digest(returned_state, cookie_state):
        raise SignOnRefused("This sign-in did not start in this browser. Start again from the sign-in page.",
                            "state_mismatch")
    now = utcnow()
    # ...and unused: the UPDATE that marks it is the check, so two returns racing cannot both pass.
    marked = session.execute(sa.update(SignOnAttempt).where(
        SignOnAttempt.state == returned_state, SignOnAttempt.used_at.is_(None),  # type: ignore[union-attr]
        SignOnAttempt.created_at > now - timedelta(minutes=ATTEMPT_MINUTES)).values(used_at=now))
    session.commit()
    attempt = session.exec(select(SignOnAttempt).where(SignOnAttempt.state == returned_state)).first()
    if marked.rowcount != 1 or attempt is None:  # type: ignore[attr-defined]
        raise SignOnRefused("This sign-in link was already used or has expired. Start again from the sign-in page.",
                            "state_replayed_or_expired")
    return attempt


def fetch_tokens(provider: SignOnProvider, metadata: dict[str, Any], redirect_uri: str, attempt: SignOnAttempt,
                 authorization_response: str) -> dict[str, Any]:
    """Exchange the code for tokens at the provider (client secret and PKCE verifier); a seam tests wrap."""
    client = _client(provider, redirect_uri, client_secret(provider))
    return dict(client.fetch_token(metadata["token_endpoint"], authorization_response=authorization_response,
                                   state=attempt.state, code_verifier=attempt.code_verifier,
                                   timeout=HTTP_TIMEOUT_SECONDS))


def verified_claims(provider: SignOnProvider, metadata: dict[str, Any], token: dict[str, Any],
                    nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's keys) and its claims check out on the app's clock."""
    if "id_token" not in token:
        raise SignOnRefused("The district's sign-in did not say who you are.", "no_id_token")
    keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))  # type: ignore[arg-type]
    registry = JWSRegistry(algorithms=metadata.get("id_token_signing_alg_values_supported") or ["RS256"])
    try:
        decoded = jwt.decode(token["id_token"], keys, registry=registry)
        claims = CodeIDToken(decoded.claims, decoded.header,
                             {"iss": {"essential": True, "value": provider.issuer},
                              "aud": {"essential": True, "value": provider.client_id}},
                             {"nonce": nonce, "client_id": provider.client_id,
                              "access_token": token.get("access_token")})
        claims.validate(now=int(clock.now().timestamp()), leeway=CLOCK_LEEWAY_SECONDS)
    except (JoseError, AuthlibBaseError, ValueError) as error:
        # The audit says what failed, e.g. "id_token_bad_signature", "id_token_invalid_claim_aud".
        what = getattr(error, "error", "") or type(error).__name__
        claim = getattr(error, "claim", "")
        raise SignOnRefused("The district's sign-in could not be verified, so it was refused. Start again from the "
                            "sign-in page.", f"id_token_{what}{'_' + claim if claim else ''}"[:64]) from None
    return dict(claims)


def _email_vouched_for(provider: SignOnProvider, claims: dict[str, Any]) -> str:
    email = User.normalise_email(str(claims.get("email") or ""))
    if not email or claims.get("email_verified") is not True:
        raise SignOnRefused("The district's sign-in did not confirm your email address, so it cannot be linked to "
                            "an account here.", "email_not_verified")
    if _domain(email) not in provider.domains():
        raise SignOnRefused("That district account's email is not one this district's sign-in is set up for. "
                            "Sign in with the account your district gave you.", "email_domain_not_allowed")
    return email


def finish(session: Session, *, returned_state: str, cookie_state: str | None, redirect_uri: str,
           authorization_response: str, error: str | None = None) -> Outcome:
    """Complete a return from the provider: verify it all, then link and sign in (or report a try)."""
    attempt = _take_attempt(session, returned_state, cookie_state)
    provider = session.get(SignOnProvider, attempt.provider_id)
    if provider is None:
        raise SignOnRefused("This district no longer signs in through its own account here.", "provider_removed")
    if error:
        raise SignOnRefused("The district's sign-in did not complete. Start again, or sign in with your password.",
                            f"provider_error_{error[:40]}")
    metadata = _metadata(provider)
    try:
        token = fetch_tokens(provider, metadata, redirect_uri, attempt, authorization_response)
    except (AuthlibBaseError, requests.RequestException, ValueError):
        raise SignOnRefused("The district's sign-in did not complete. Start again from the sign-in page.",
                            "code_exchange_failed") from None
    claims = verified_claims(provider, metadata, token, attempt.nonce)
    email = _email_vouched_for(provider, claims)
    if attempt.purpose == "try":
        session.add(AuditEvent(actor_id=attempt.started_by_id, action="sign_on.tried",
                               details={"organisation_id": provider.organisation_id, "email": email}))
        outbox.commit(session)
        return Outcome(None, attempt.purpose, attempt.next_path, email)
    return _sign_in(session, provider, attempt, str(claims["sub"]), email, str(claims.get("name") or ""))


def _sign_in(session: Session, provider: SignOnProvider, attempt: SignOnAttempt, subject: str, email: str,
             name: str) -> Outcome:
    from app.services.team import accounts

    link = session.exec(select(SignOnLink).where(SignOnLink.provider_id == provider.id,
                                                 SignOnLink.subject == subject)).first()
    created = linked = False
    if link is not None:
        user = session.get(User, link.user_id)
        assert user is not None
    else:
        user = accounts.find_by_email(session, email)
        if user is not None and session.exec(select(SignOnLink.id).where(
                SignOnLink.provider_id == provider.id, SignOnLink.user_id == user.id)).first() is not None:
            # The address is linked to another person at the district: an address handed on to someone new.
            # Linking silently would give them the previous holder's records.
            raise SignOnRefused("This email address here belongs to an account already linked to a different district "
                                "account. Ask the service administrator to sort it out.", "email_linked_elsewhere")
        if user is None:
            # Candidate sign-up through the provider: an account with no password of its own.
            user = User(email=email, name=name.strip()[:120] or email, password_hash="")
            session.add(user)
            session.flush()
            session.add(AuditEvent(actor_id=user.id, action="account.created",
                                   details={"through": "sign_on", "organisation_id": provider.organisation_id}))
            created = True
        link = SignOnLink(provider_id=provider.id or 0, user_id=user.id or 0, subject=subject)
        session.add(link)
        session.add(AuditEvent(actor_id=user.id, action="sign_on.linked",
                               details={"organisation_id": provider.organisation_id}))
        linked = True
    if not user.active:
        raise SignOnRefused("This account is closed. Ask your program if you think it should not be.",
                            "account_inactive")
    now = utcnow()
    user.last_sign_in_at = link.last_sign_in_at = now
    clear_inactivity_flags(session, user)
    session.add(AuditEvent(actor_id=user.id, action="sign_on.signed_in",
                           details={"organisation_id": provider.organisation_id}))
    outbox.commit(session)
    return Outcome(user, attempt.purpose, attempt.next_path, email, created=created, linked=linked)


def record_refusal(session: Session, refusal: SignOnRefused, cookie_state: str | None) -> SignOnAttempt | None:
    """Audit a refused return (the attempt's provider and starter, when the state names one); the attempt."""
    session.rollback()
    attempt = session.exec(select(SignOnAttempt).where(SignOnAttempt.state == cookie_state)).first() \
        if cookie_state else None
    provider = session.get(SignOnProvider, attempt.provider_id) if attempt else None
    session.add(AuditEvent(actor_id=attempt.started_by_id if attempt else None, action="sign_on.refused",
                           reason=refusal.reason,
                           details={"organisation_id": provider.organisation_id if provider else None}))
    outbox.commit(session)
    return attempt


# --- Staff who sign in nowhere for the organisation's chosen period ----------------------------------------

INACTIVE = "inactive"


def flag_inactive_staff(session: Session, now: datetime | None = None) -> int:
    """Flag to the directors each staff role whose holder has not signed in (any way) for the organisation's
    period; nothing is removed. Part of the daily sweep; a role is flagged once until its holder signs in."""
    now = now or utcnow()
    flagged = 0
    for provider in session.exec(select(SignOnProvider).where(
            SignOnProvider.inactive_after_days.is_not(None))).all():  # type: ignore[union-attr]
        cutoff = now - timedelta(days=provider.inactive_after_days or 0)
        statement, organisation = _staff_roles()
        rows = session.exec(statement.add_columns(User).join(User, User.id == Membership.user_id).where(
            organisation == provider.organisation_id, Membership.flagged_at.is_(None),  # type: ignore[union-attr]
            Membership.created_at < cutoff,
            sa.or_(User.last_sign_in_at.is_(None), User.last_sign_in_at < cutoff))).all()  # type: ignore[union-attr, operator]
        for membership, _, user in rows:
            membership.flagged_at, membership.flag_reason = now, INACTIVE
            session.add(membership)
            session.add(AuditEvent(action="sign_on.staff_flagged", reason=INACTIVE, details={
                "membership_id": membership.id, "user_id": user.id, "role": membership.role,
                "organisation_id": provider.organisation_id, "days": provider.inactive_after_days}))
            flagged += 1
    outbox.commit(session)
    return flagged


def clear_inactivity_flags(session: Session, user: User) -> None:
    """Someone who signs in is active again: their roles' inactivity flags go (audited; the caller commits)."""
    cleared = session.execute(sa.update(Membership).where(
        Membership.user_id == user.id, Membership.flag_reason == INACTIVE).values(flagged_at=None, flag_reason=None))
    if cleared.rowcount:  # type: ignore[attr-defined]
        session.add(AuditEvent(actor_id=user.id, action="sign_on.staff_flag_cleared", reason=INACTIVE,
                               details={"roles": cleared.rowcount}))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FlaggedRole:
    """A staff role flagged to a director, in words."""

    name: str
    role: str
    where: str
    last_signed_in: date | None
    flagged_on: date | None


def flagged_staff(session: Session, director: User) -> list[FlaggedRole]:
    """The flagged staff roles in the organisations where `director` directs a program, oldest flag first."""
    organisations = staff_organisation_ids(session, director, role=Role.PROGRAM_DIRECTOR)
    if not organisations:
        return []
    statement, organisation = _staff_roles()
    rows = session.exec(statement.add_columns(User, Organisation.name).join(User, User.id == Membership.user_id)
                        .join(Organisation, Organisation.id == organisation)
                        .where(organisation.in_(organisations), Membership.flagged_at.is_not(None))  # type: ignore[union-attr]
                        .order_by(Membership.flagged_at, User.name)).all()
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or clock.DEFAULT_TIMEZONE)

    def day(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    return [FlaggedRole(user.name, Role(membership.role).label, organisation_name, day(user.last_sign_in_at),
                        day(membership.flagged_at)) for membership, _, user, organisation_name in rows]
