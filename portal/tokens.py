"""Signed, expiring links sent by email (confirmation, password reset, staff invitation).

Reset and invitation tokens carry a fingerprint of the account's session token, which rotates when the password is
set: a token therefore works once. Confirmation tokens carry the email, so they stop working if it changes.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm-email"
    RESET_PASSWORD = "reset-password"
    INVITATION = "invitation"


MAX_AGE_SECONDS = {
    TokenPurpose.CONFIRM_EMAIL: 7 * 24 * 3600,
    TokenPurpose.RESET_PASSWORD: 3600,
    TokenPurpose.INVITATION: 7 * 24 * 3600,
}


def new_nonce() -> str:
    """A random value a link carries; changing it retires every link made with the old one."""
    return secrets.token_urlsafe(16)


class TokenInvalid(Exception):
    """Tampered, expired or already used."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(purpose: str, subject_id: int, state: str) -> str:
    """A signed link value naming one record (a user, a lead, a reference...) and the state it was made for."""
    return _serializer(purpose).dumps({"u": subject_id, "s": fingerprint(state)})


def read_token(purpose: str, token: str, max_age: int | None = None) -> tuple[int, str]:
    """Returns (subject id, state fingerprint); raises TokenInvalid."""
    if not token or len(token) > 500:
        raise TokenInvalid
    try:
        data = _serializer(purpose).loads(token, max_age=max_age or MAX_AGE_SECONDS[TokenPurpose(purpose)])
    except (SignatureExpired, BadSignature) as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        raise TokenInvalid
    return data["u"], data["s"]
