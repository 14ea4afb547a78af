"""The second sign-in step: an authenticator app's codes (TOTP, RFC 6238, with pyotp), single-use recovery codes,
and the demo's documented secret. Passkeys are in portal/passkeys.py. The stored secrets and the recovery codes'
hashes are keyed from SECRET_KEY: changing it voids them (`flask reset-second-step` then lets people in again).

Required of every staff role; a family may turn it on. A code works once: the last time step used is stored and a
code for it, or an earlier one, is refused (one conditional UPDATE, so two requests can't both use it). Codes are
compared in constant time, one time step either side of now allowed for a phone's clock drift."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
import unicodedata

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from portal import audit
from portal.audit import AuditAction
from portal.database import now_utc
from portal.extensions import db
from portal.models import RecoveryCode, User

# The demo's staff accounts share this secret (README: "Demo authenticator secret"); production refuses it.
DEMO_SECRET = "FOSTERPORTALDEMOSECRETFORSTAFFAA"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30
DRIFT_STEPS = 1
ISSUER = "Foster family portal"


class SecondStep:
    TOTP = "totp"
    RECOVERY = "recovery"
    PASSKEY = "passkey"


def required_for(user: User) -> bool:
    """Staff always; a family once they turned it on (an app or a passkey)."""
    return user.is_staff or user.has_authenticator or has_passkeys(user)


def has_passkeys(user: User) -> bool:
    from portal.models import Passkey

    return bool(db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id)))


def _aead() -> AESGCM:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"portal.totp-secret").derive(
        current_app.config["SECRET_KEY"].encode())
    return AESGCM(key)


def encrypt_secret(secret: str) -> str:
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + _aead().encrypt(nonce, secret.encode(), None)).decode()


def decrypt_secret(stored: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(stored.encode())
        return _aead().decrypt(raw[:12], raw[12:], None).decode()
    except Exception:
        return None


def new_secret() -> str:
    return pyotp.random_base32(length=32)


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("AGENCY_NAME") or ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG drawn on the server: no script, no image service, no data leaving."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno draws it from our own URI: no typed text reaches the markup


def format_secret(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _normalize_code(code: str) -> str:
    """Spaces and dashes go; digits of any script (Arabic-Indic, full-width) become 0-9, as typed on a
    phone's own keyboard; anything else non-ASCII is kept (and won't match: compare_digest refuses non-ASCII)."""
    kept = []
    for ch in (code or "")[:100]:
        if ch.isspace() or ch == "-":
            continue
        digit = unicodedata.decimal(ch, None)
        kept.append(str(digit) if digit is not None else ch)
    return "".join(kept).lower()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step `code` belongs to (now, or one either side), compared in constant time; None if none."""
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):  # every step is compared: no early exit
            found = step
    return found


def _secret_usable(secret: str | None) -> bool:
    if secret is None:
        return False
    if secret == DEMO_SECRET and current_app.config["ENV_NAME"] == "production":
        current_app.logger.error("the demo authenticator secret is refused in production")
        return False
    return True


def check_new_code(secret: str, code: str) -> bool:
    """For enrolment: does this code come from the app that scanned `secret`?"""
    return _secret_usable(secret) and _matching_step(secret, _normalize_code(code)) is not None


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the authenticator app on once a code from it checks; returns the new recovery codes (shown once)."""
    step = _matching_step(secret, _normalize_code(code)) if _secret_usable(secret) else None
    if step is None:
        return None
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_enabled_at = now_utc()
    user.totp_last_step = step  # the code typed to enrol can't also sign in
    audit.record(AuditAction.SECOND_STEP_ENROLLED, actor=user, target=user, method=SecondStep.TOTP)
    return new_recovery_codes(user)


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    USED = "used"


def verify_code(user: User, code: str) -> tuple[str, str | None]:
    """Check a code typed at the second step: an authenticator code, else a recovery code.

    Returns (result, method). A code for a step already used, or an already used recovery code, is USED."""
    typed = _normalize_code(code)
    secret = decrypt_secret(user.totp_secret_encrypted) if user.totp_secret_encrypted else None
    if len(typed) == 6 and typed.isascii() and typed.isdigit():
        if not _secret_usable(secret):
            return CodeResult.WRONG, None
        step = _matching_step(secret, typed)
        if step is None:
            return CodeResult.WRONG, None
        claimed = db.session.execute(
            update(User).where(User.id == user.id,
                               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            return CodeResult.USED, None
        user.totp_last_step = step
        return CodeResult.OK, SecondStep.TOTP
    return _use_recovery_code(user, typed)


def _recovery_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"recovery-code:" + code.encode(), hashlib.sha256).hexdigest()


def _use_recovery_code(user: User, typed: str) -> tuple[str, str | None]:
    if not (8 <= len(typed) <= 20) or not typed.isascii():
        return CodeResult.WRONG, None
    code_hash = _recovery_hash(typed)
    claimed = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash,
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now_utc()).execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        left = recovery_codes_left(user)
        audit.record(AuditAction.RECOVERY_CODE_USED, actor=user, target=user, left=left)
        return CodeResult.OK, SecondStep.RECOVERY
    used = db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash))
    return (CodeResult.USED if used else CodeResult.WRONG), None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes (the old ones stop working), like "k7m2p-q9xr4": 50 random bits each."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    audit.record(AuditAction.RECOVERY_CODES_CREATED, actor=user, target=user, count=RECOVERY_CODE_COUNT)
    return codes


def turn_off(user: User) -> None:
    """A family turns the second step off (staff can't: an admin resets theirs, and they enrol again)."""
    _clear(user)
    audit.record(AuditAction.SECOND_STEP_TURNED_OFF, actor=user, target=user)


def reset(admin: User | None, user: User, reason: str) -> None:
    """An admin resets a person's second step (a lost phone): app, recovery codes and passkeys go; every session
    ends; a staff member enrols again at the next sign-in."""
    from portal import sessions
    from portal.models import Passkey

    _clear(user)
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    audit.record(AuditAction.SECOND_STEP_RESET, actor=admin, target=user, reason=reason)
    sessions.end_all(user, admin, sessions.EndReason.SECOND_STEP_RESET)


def _clear(user: User) -> None:
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def enrol_demo(user: User) -> None:
    """The demo's staff accounts: enrolled with the documented secret, so `make run` stays a one-command demo."""
    user.totp_secret_encrypted = encrypt_secret(DEMO_SECRET)
    user.totp_enabled_at = now_utc()


def demo_code(now: float | None = None) -> str:
    return pyotp.TOTP(DEMO_SECRET).at(now if now is not None else time.time())
