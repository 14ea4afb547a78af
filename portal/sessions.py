"""Signed-in sessions: one row per browser a person is signed in on, which they (and admins) can see and end.

The session cookie carries a random key (Flask-Login's user id); the row stores only its SHA-256. The loader finds
the live row by that hash on every request, so ending a row (sign-out, "sign out everywhere", an admin, a password
change, a deactivation) makes the cookie useless on the very next request. A long-lived device cookie (random,
HttpOnly) tells a new device from a known one: a staff sign-in from a new device is told to the person by email.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal import audit, emails
from portal.audit import AuditAction
from portal.database import call_after_commit, now_utc
from portal.extensions import db
from portal.models import SignedInSession, User, new_session_token
from portal.tokens import TokenInvalid, fingerprint, make_token, read_token

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
# Last seen is written at most this often per session, after the request's own transaction, never inside it.
TOUCH_EVERY = timedelta(minutes=1)
END_SESSION_TOKEN = "end-session"
END_SESSION_LINK_MAX_AGE = 14 * 24 * 3600


class EndReason:
    SIGNED_OUT = "signed_out"
    BY_OWNER = "by_owner"
    BY_ADMIN = "by_admin"
    FROM_EMAIL = "from_email"
    PASSWORD_CHANGED = "password_changed"
    SECOND_STEP_RESET = "second_step_reset"
    DEACTIVATED = "deactivated"
    ROLE_CHANGED = "role_changed"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _idle_limit():
    return now_utc() - timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])


def live_sessions_query(user_id: int):
    return (select(SignedInSession)
            .where(SignedInSession.user_id == user_id, SignedInSession.ended_at.is_(None),
                   SignedInSession.last_seen_at >= _idle_limit()))


@cache
def _live_session_and_user():
    """Built once (every signed-in request runs it): the hash and the idle limit are bound when it runs."""
    return (select(SignedInSession, User).join(User, User.id == SignedInSession.user_id)
            .where(SignedInSession.key_hash == bindparam("key_hash"), SignedInSession.ended_at.is_(None),
                   SignedInSession.last_seen_at >= bindparam("idle_limit"), User.is_active.is_(True)))


def load_user_for_session(key: str) -> User | None:
    """Flask-Login's user loader: the live session named by the cookie's key, and its active account."""
    if not isinstance(key, str) or not key or len(key) > 100:
        return None
    row = db.session.execute(_live_session_and_user(), {"key_hash": _hash(key), "idle_limit": _idle_limit()}).first()
    if row is None:
        return None
    signed_in, user = row
    if user.is_staff and not signed_in.second_step:
        # A staff session that never passed the second step (the account became staff while signed in, say): not
        # signed in. Staff pages are out of reach without it, whatever path a session took.
        return None
    user.session_key = key
    g.signed_in_session = signed_in
    if now_utc() - signed_in.last_seen_at >= TOUCH_EVERY:
        g.touch_session_id = signed_in.id  # written after the request's commit, last (see finish_response)
    return user


def _touch(session_id: int) -> None:
    """Best effort, in its own short transaction after the request's: a busy database never fails a page for it."""
    try:
        db.session.execute(update(SignedInSession).where(SignedInSession.id == session_id)
                           .values(last_seen_at=now_utc()))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("could not record when session %s was last seen", session_id, exc_info=True)


def current_session() -> SignedInSession | None:
    return g.get("signed_in_session") if has_request_context() else None


def device_cookie_name() -> str:
    # Like the session cookie: __Host- (sent only to this host, over HTTPS, for every path) where cookies are secure.
    return f"__Host-{DEVICE_COOKIE}" if current_app.config["SESSION_COOKIE_SECURE"] else DEVICE_COOKIE


def device_hash() -> str:
    """The hash of this browser's device cookie (a new one is set with the response when it has none)."""
    device = request.cookies.get(device_cookie_name(), "")
    if not (20 <= len(device) <= 100):
        device = g.get("new_device_cookie") or secrets.token_urlsafe(32)
        g.new_device_cookie = device
    return _hash(device)


def finish_response(response):
    """after_request (before the unit of work's commit): note "last seen" to be written after the commit, after
    any mail it sends; give a staff member's browser its device cookie the first time it signs in."""
    touch = g.pop("touch_session_id", None)
    if touch is not None:
        call_after_commit(lambda: _touch(touch))
    device = g.get("new_device_cookie")
    if device:
        response.set_cookie(device_cookie_name(), device, max_age=DEVICE_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def start(user: User, second_step: str) -> SignedInSession:
    """A new signed-in session for this browser; `user.session_key` is then the cookie's key (login_user stores it).

    A staff member signing in from a device none of their sessions used before is told by email, with a link that
    ends this session (the first sign-in of an account is not news to anyone)."""
    key = secrets.token_urlsafe(32)
    # Only staff are told of a new device: nobody else gets a long-lived device cookie.
    device = device_hash() if user.is_staff else ""
    seen_before = db.session.execute(
        select(func.count(SignedInSession.id), func.count(SignedInSession.id).filter(
            SignedInSession.device_hash == device)).where(SignedInSession.user_id == user.id)
    ).one()
    signed_in = SignedInSession(
        user_id=user.id, key_hash=_hash(key), device_hash=device, second_step=second_step,
        user_agent=request.headers.get("User-Agent", "")[:400], ip_address=request.remote_addr,
    )
    db.session.add(signed_in)
    db.session.flush()
    user.session_key = key
    g.signed_in_session = signed_in
    user.last_sign_in_at = now_utc()
    audit.record(AuditAction.SIGN_IN, actor=user, target=user, how=second_step or None, session=signed_in.id)
    if user.is_staff and seen_before[0] > 0 and seen_before[1] == 0:
        _tell_of_new_device(user, signed_in)
    return signed_in


def _tell_of_new_device(user: User, signed_in: SignedInSession) -> None:
    from portal.devices import describe_user_agent  # ua-parser's rules load on first use

    token = make_token(END_SESSION_TOKEN, signed_in.id, signed_in.key_hash)
    emails.queue_email(user.email, user.preferred_locale, "new_sign_in", user=user,
                       device=describe_user_agent(signed_in.user_agent, user.preferred_locale),
                       ip_address=signed_in.ip_address or "", started_at=signed_in.started_at,
                       end_link=emails.portal_url("portal.end_session_from_email", token=token),
                       reset_link=emails.portal_url("portal.forgot_password"))


def session_for_end_link(token: str) -> SignedInSession:
    """The session an emailed "it wasn't me" link names, while it is still live."""
    session_id, state = read_token(END_SESSION_TOKEN, token, max_age=END_SESSION_LINK_MAX_AGE)
    signed_in = db.session.get(SignedInSession, session_id)
    if signed_in is None:
        raise TokenInvalid
    if fingerprint(signed_in.key_hash) != state:
        raise TokenInvalid
    return signed_in


def end_from_email(signed_in: SignedInSession) -> int:
    """"It wasn't me": that session and every other live one of the same device end (a second sign-in from it
    sends no email), and outstanding reset links die with them."""
    ended = db.session.execute(
        update(SignedInSession)
        .where(SignedInSession.user_id == signed_in.user_id, SignedInSession.ended_at.is_(None),
               (SignedInSession.id == signed_in.id) | (SignedInSession.device_hash == signed_in.device_hash))
        .values(ended_at=now_utc(), end_reason=EndReason.FROM_EMAIL)
        .execution_options(synchronize_session=False)
    ).rowcount
    owner = db.session.get(User, signed_in.user_id)
    owner.session_token = new_session_token()
    if ended:
        audit.record(AuditAction.SESSION_ENDED, target=owner, how=EndReason.FROM_EMAIL, session=signed_in.id,
                     count=ended)
    return ended


def is_live(signed_in: SignedInSession) -> bool:
    return signed_in.ended_at is None and signed_in.last_seen_at >= _idle_limit()


def end(signed_in: SignedInSession, actor: User | None, reason: str, record_event: bool = True) -> bool:
    """End one session (a conditional UPDATE: ending it twice records it once). True if it was live."""
    ended = db.session.execute(
        update(SignedInSession)
        .where(SignedInSession.id == signed_in.id, SignedInSession.ended_at.is_(None))
        .values(ended_at=now_utc(), ended_by_id=actor.id if actor else None, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if ended and record_event:
        # About the person (their history and the admin's filter by person), naming the session.
        owner = db.session.get(User, signed_in.user_id)
        audit.record(AuditAction.SESSION_ENDED, actor=actor, target=owner, how=reason, session=signed_in.id)
    return bool(ended)


def end_all(user: User, actor: User | None, reason: str, keep: SignedInSession | None = None, note: str = "") -> int:
    """End every session of this account but `keep`; outstanding reset links stop working too. `note`: an admin's
    own words for why, kept as typed in the event."""
    query = (update(SignedInSession)
             .where(SignedInSession.user_id == user.id, SignedInSession.ended_at.is_(None))
             .values(ended_at=now_utc(), ended_by_id=actor.id if actor else None, end_reason=reason)
             .execution_options(synchronize_session=False))
    if keep is not None:
        query = query.where(SignedInSession.id != keep.id)
    ended = db.session.execute(query).rowcount
    user.session_token = new_session_token()
    if not ended:  # a new account's first password, say: nothing was signed in, nothing to record
        return 0
    audit.record(AuditAction.SESSIONS_ENDED, actor=actor, target=user, how=reason, reason=note.strip(),
                 count=ended, kept=keep.id if keep else None)
    return ended


def sessions_of(user: User) -> list[SignedInSession]:
    return list(db.session.scalars(live_sessions_query(user.id).order_by(SignedInSession.last_seen_at.desc(),
                                                                         SignedInSession.id.desc())))
