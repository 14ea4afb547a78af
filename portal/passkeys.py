"""Passkeys (WebAuthn credentials, with Duo's `webauthn` library) as a second sign-in step, or instead of the code.

A ceremony's challenge is kept in the signed session cookie, for five minutes, for one person. The cookie lives in
the browser, so a used challenge can't be forgotten on our side: a replayed cookie with its replayed answer is
refused instead by the passkey's own row. An answer is accepted by one conditional UPDATE that needs the stored sign
count unchanged and the passkey unused since the challenge was issued, so neither a replay nor two requests racing
can use one challenge twice, even with authenticators whose count stays 0.

Relying party: `WEBAUTHN_RP_ID` (default: the host of PORTAL_URL; "localhost" for an IP address, which WebAuthn
refuses), origins: PORTAL_URL's own, plus in development a localhost address the page was opened on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal import audit
from portal.audit import AuditAction
from portal.database import now_utc
from portal.extensions import db
from portal.models import Passkey, User

REGISTERING = "passkey_registration"
AUTHENTICATING = "passkey_authentication"
CHALLENGE_MAX_AGE = 300
NAME_MAX_LENGTH = 100
TIMEOUT_MS = 120_000
DEVELOPMENT_ENVIRONMENTS = {"development", "testing", "test"}
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def rp_id() -> str:
    configured = (current_app.config.get("WEBAUTHN_RP_ID") or "").strip()
    if configured:
        return configured
    host = urlsplit(current_app.config["PORTAL_URL"]).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return "localhost"  # WebAuthn refuses an IP address as RP ID; the demo's 127.0.0.1 is also localhost


def expected_origins() -> list[str]:
    portal = urlsplit(current_app.config["PORTAL_URL"])
    origins = [f"{portal.scheme}://{portal.netloc}"]
    development = current_app.config.get("ENV_NAME") in DEVELOPMENT_ENVIRONMENTS or current_app.testing
    if development and urlsplit("//" + request.host).hostname == "localhost":
        # `make run` and the live-server tests serve PORTAL_URL http://127.0.0.1:PORT, an address no passkey
        # accepts: the page is opened as http://localhost:PORT instead, the same server.
        origins.append(f"{request.scheme}://{request.host}")
    return origins


def _user_handle(user: User) -> bytes:
    """WebAuthn's user.id: stable per person, random-looking, neither the email nor the database id."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"webauthn-user:" + str(user.id).encode(), hashlib.sha256).digest()


def passkeys_of(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(
        id=passkey.credential_id,
        transports=[AuthenticatorTransport(t) for t in (passkey.transports or []) if t in _TRANSPORTS] or None,
    ) for passkey in passkeys_of(user)]


def _keep_challenge(key: str, user: User, challenge: bytes) -> None:
    session[key] = {"u": user.id, "c": base64.urlsafe_b64encode(challenge).decode(), "t": time.time()}


def _take_challenge(key: str, user: User) -> tuple[bytes, datetime] | None:
    """The challenge this browser was given for this person, once: (challenge, when it was issued)."""
    state = session.pop(key, None)
    if not isinstance(state, dict) or state.get("u") != user.id or not isinstance(state.get("c"), str):
        return None
    issued = state.get("t")
    if not isinstance(issued, (int, float)) or not 0 <= time.time() - issued <= CHALLENGE_MAX_AGE:
        return None
    return base64.urlsafe_b64decode(state["c"].encode()), datetime.fromtimestamp(issued, UTC)


def registration_options(user: User) -> str:
    """navigator.credentials.create()'s options, as JSON (binary values in base64url)."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=current_app.config.get("AGENCY_NAME") or "Foster family portal",
        user_name=user.email,
        user_id=_user_handle(user),
        user_display_name=user.full_name or user.email,
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(user),  # the same authenticator isn't registered twice
    )
    _keep_challenge(REGISTERING, user, options.challenge)
    return options_to_json(options)


def clean_name(name: object) -> str | None:
    """The typed name, spaces tidied; None if too long or not text."""
    if name is None:
        return ""
    if not isinstance(name, str):
        return None
    cleaned = " ".join(name.split())
    return cleaned if len(cleaned) <= NAME_MAX_LENGTH else None


def default_name(user: User) -> str:
    count = db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id)) or 0
    return _("Passkey %(number)d", number=count + 1)


def register(user: User, credential: dict, name: str) -> Passkey | None:
    """Check the browser's answer to registration_options and store the passkey; None when it doesn't check."""
    taken = _take_challenge(REGISTERING, user)
    if taken is None:
        return None
    challenge, _issued = taken
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=expected_origins())
    except Exception as refused:  # hostile input raises many kinds: each is a refusal, never a 500
        current_app.logger.info("passkey registration refused: %s", refused)
        return None
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)):
        return None  # registered already (a replayed registration, or another account's authenticator)
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    passkey = Passkey(
        user_id=user.id, name=name or default_name(user), credential_id=verified.credential_id,
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        transports=[t for t in transports if t in _TRANSPORTS][:10] if isinstance(transports, list) else [],
    )
    db.session.add(passkey)
    db.session.flush()
    audit.record(AuditAction.PASSKEY_ADDED, actor=user, target=user, passkey=passkey.id, name=passkey.name)
    return passkey


def authentication_options(user: User) -> str:
    """navigator.credentials.get()'s options for the person who just passed the password: their passkeys only."""
    options = generate_authentication_options(
        rp_id=rp_id(), timeout=TIMEOUT_MS, allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED)
    _keep_challenge(AUTHENTICATING, user, options.challenge)
    return options_to_json(options)


def _credential_id(credential: dict) -> bytes | None:
    raw = credential.get("rawId")
    if not isinstance(raw, str) or len(raw) > 1400:
        return None
    try:
        return base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    except ValueError:
        return None


def authenticate(user: User, credential: dict) -> Passkey | None:
    """Check the browser's answer to authentication_options: one of this person's passkeys signed our challenge,
    with a sign count above the stored one (a lower or equal one suggests a cloned authenticator: refused)."""
    taken = _take_challenge(AUTHENTICATING, user)
    credential_id = _credential_id(credential)
    if taken is None or credential_id is None:
        return None
    challenge, issued = taken
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id,
                                                      Passkey.credential_id == credential_id))
    if passkey is None:
        return None
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=expected_origins(), credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except Exception as refused:  # see register
        current_app.logger.info("passkey sign-in refused: %s", refused)
        return None
    used_at = now_utc()
    claimed = db.session.execute(
        update(Passkey).where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count,
                              or_(Passkey.last_used_at.is_(None), Passkey.last_used_at < issued))
        .values(sign_count=verified.new_sign_count, last_used_at=used_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # used meanwhile, or since this challenge was issued: a replay
        return None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = used_at
    return passkey


def remove(user: User, passkey: Passkey) -> None:
    """The owner removes one of their passkeys (the loader, portal.permissions.get_own_passkey, checked whose)."""
    audit.record(AuditAction.PASSKEY_REMOVED, actor=user, target=user, passkey=passkey.id, name=passkey.name)
    db.session.delete(passkey)


def parse_body(data: bytes, max_length: int = 64 * 1024) -> dict | None:
    """A JSON object sent by static/js/passkeys.js, or None for anything else (too big, not JSON, too deep)."""
    if len(data) > max_length:
        return None
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None
