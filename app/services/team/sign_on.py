"""Signing in with the district's account: OpenID Connect single sign-on, one provider per organisation.

Every protocol step is Authlib's (and joserfc's, which Authlib builds on): the authorization URL with
state, nonce and a PKCE challenge, the code exchange, the ID token's signature against the provider's
published keys, and its claims (issuer, audience, expiry, nonce, access-token hash). This module
decides only what the product decides: which organisation's provider, which accounts it may vouch
for (verified emails in its domains), linking, refusals, and the audit trail of each.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import InvalidToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlmodel import Session, select

from app import clock, outbox
from app.models import AuditEvent, User, utcnow
from app.models.sign_on import SignOnAttempt, SignOnLink, SignOnProvider
from app.services.team import staff_activity
from app.services.team.sign_on_providers import SignOnRefused, client_secret, decrypt_secret, domain_of, encrypt_secret

SCOPE = "openid email profile"
# A trip to the provider and back takes a person seconds; ten minutes allows for a slow phone or a
# password reset at the district, and no more.
ATTEMPT_MINUTES = 10
# Clocks of the provider and this service may differ a little; more than a minute is not "a little".
CLOCK_LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 5


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


def _client(provider: SignOnProvider, redirect_uri: str | None, secret: str | None = None) -> OAuth2Session:
    # Checking accounts daily needs a refresh token: offline access, which OpenID Connect grants only
    # with prompt=consent (so the provider may ask the person each time).
    scope = f"{SCOPE} offline_access" if provider.check_accounts else SCOPE
    return OAuth2Session(provider.client_id, secret, scope=scope, redirect_uri=redirect_uri,
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
    if provider.check_accounts:
        extra["prompt"] = "consent"
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
    if domain_of(email) not in provider.domains():
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
    return _sign_in(session, provider, attempt, str(claims["sub"]), email, str(claims.get("name") or ""),
                    token.get("refresh_token") if provider.check_accounts else None)


def _sign_in(session: Session, provider: SignOnProvider, attempt: SignOnAttempt, subject: str, email: str,
             name: str, refresh_token: str | None) -> Outcome:
    link = session.exec(select(SignOnLink).where(SignOnLink.provider_id == provider.id,
                                                 SignOnLink.subject == subject)).first()
    created = linked = False
    if link is not None:
        user = session.get(User, link.user_id)
        assert user is not None
    else:
        user = session.exec(select(User).where(User.email == email)).first()  # `email` is normalised
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
    if refresh_token:
        link.refresh_token_encrypted = encrypt_secret(refresh_token)
    staff_activity.clear_flags(session, user, (staff_activity.INACTIVE, staff_activity.DISABLED))
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


def forget_old_attempts(session: Session, now: Any = None) -> int:
    """Delete attempts older than a day (used or abandoned: none can be finished any more); part of the daily sweep."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    deleted = session.execute(sa.delete(SignOnAttempt).where(SignOnAttempt.created_at < cutoff))
    session.commit()
    return int(deleted.rowcount or 0)  # type: ignore[attr-defined]


def check_accounts(session: Session, now: Any = None) -> int:
    """Ask each checking provider whether linked people's access still renews; flag the staff roles of those it
    refuses (invalid_grant: disabled, deleted or their access revoked) to the directors. Part of the daily sweep.

    A provider that does not answer is asked again the next day; nothing is flagged for its silence.
    """
    now = now or utcnow()
    flagged = 0
    for provider in session.exec(select(SignOnProvider).where(SignOnProvider.check_accounts)).all():  # type: ignore[arg-type]
        try:
            metadata, secret = _metadata(provider), client_secret(provider)
        except SignOnRefused:
            continue
        links = session.exec(select(SignOnLink).where(
            SignOnLink.provider_id == provider.id, SignOnLink.refresh_token_encrypted.is_not(None))).all()  # type: ignore[union-attr]
        for link in links:
            try:
                token = _client(provider, None, secret).refresh_token(
                    metadata["token_endpoint"], refresh_token=decrypt_secret(link.refresh_token_encrypted or ""),
                    timeout=HTTP_TIMEOUT_SECONDS)
            except OAuthError as error:
                if error.error != "invalid_grant":
                    continue
                link.refresh_token_encrypted = None  # refused once is enough: asked again after their next sign-in
                session.add(link)
                session.add(AuditEvent(actor_id=link.user_id, action="sign_on.account_refused_by_provider",
                                       reason="invalid_grant", details={"organisation_id": provider.organisation_id}))
                flagged += staff_activity.flag_disabled(session, link.user_id, provider.organisation_id, now)
                continue
            except (requests.RequestException, InvalidToken, ValueError):
                continue
            if token.get("refresh_token"):  # providers that rotate them hand out a new one each time
                link.refresh_token_encrypted = encrypt_secret(token["refresh_token"])
                session.add(link)
    outbox.commit(session)
    return flagged
