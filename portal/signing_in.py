"""Signing in, step by step: after the password, the second step (if the person has one, and always for staff),
then a signed-in session.

Between the steps nobody is signed in: the signed (readable, not secret) session cookie holds who passed the password
(id and email), when, where they were going, and a fingerprint of the account's credentials state (a password reset
meanwhile voids it), for ten minutes. Staff pages
are therefore out of reach until the second step is passed: to them, the person is simply signed out."""

from __future__ import annotations

import time

from flask import redirect, session, url_for
from flask_login import login_user

from portal import sessions, two_step
from portal.extensions import db
from portal.i18n import suggest_locale
from portal.models import User
from portal.navigation import safe_next
from portal.tokens import fingerprint

PENDING = "signing_in"
PENDING_MAX_AGE = 600


def after_password(user: User, next_url: str | None):
    """The password was right: sign in, or ask for the second step (staff who have none set one up now)."""
    if not two_step.required_for(user):
        return finish(user, "", next_url)
    suggest_locale(user.preferred_locale)  # the person is known now: the code page speaks their language
    kept_next = next_url if next_url and len(next_url) <= 500 else ""  # a crafted long `next` can't bloat the cookie
    session[PENDING] = {"u": user.id, "e": user.email, "t": int(time.time()), "n": kept_next,
                        "s": fingerprint(user.session_token)}
    if user.has_authenticator or two_step.has_passkeys(user):
        return redirect(url_for("portal.second_step"))
    return redirect(url_for("portal.set_up_second_step"))


def pending_user() -> User | None:
    """Who passed the password in this browser in the last ten minutes and still owes the second step."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("u"), int) or not isinstance(state.get("t"), int):
        return None
    if time.time() - state["t"] > PENDING_MAX_AGE:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state["u"])
    if user is None or not user.is_active or fingerprint(user.session_token) != state.get("s"):
        return None
    return user


def pending_email() -> str:
    state = session.get(PENDING)
    return state.get("e", "") if isinstance(state, dict) and isinstance(state.get("e"), str) else ""


def finish(user: User, second_step: str, next_url: str | None = None):
    """Start the signed-in session and go where the person was going."""
    state = session.pop(PENDING, None)
    if next_url is None and isinstance(state, dict):
        next_url = state.get("n") or None
    start_signed_in(user, second_step)
    return redirect(safe_next(next_url))


def start_signed_in(user: User, second_step: str) -> None:
    """Sign this browser in now: after the steps above, or with an account just made from an emailed link."""
    forget_half_done()
    session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME
    sessions.start(user, second_step)
    login_user(user)


def forget_half_done() -> None:
    """At every sign-in and sign-out: no half-done sign-in or set-up of someone else stays in this browser."""
    session.pop(PENDING, None)
    session.pop(ENROLLING, None)


ENROLLING = "enrolling_secret"
