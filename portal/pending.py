"""Keeping what someone typed when their session ended mid-form, and giving it back after they sign in again.

Kept input belongs to the person whose session ended while typing, and to nobody else:
- Only form pages that give input back (`@resumes_after_sign_in`) keep it.
- While a signed-in person has such a page open, a cookie of its own (signed, HttpOnly, SameSite=Lax, one day)
  names them and carries their session's CSRF secret. A signed-out POST is kept only when it carries that cookie
  (a cross-site form doesn't: SameSite) and a CSRF token made from that secret (a form of that very session).
- The kept row names the account; it is given back only to that account, once, on the same page.
- A body over MAX_KEPT_BYTES is not kept; one row per person and page; rows older than a day are deleted by the
  next keep and by `flask cleanup` (cron).
Only a random key travels in the new session cookie; the typed values stay on the server.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import Response, current_app, request, session
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from portal.database import now_utc
from portal.extensions import db
from portal.models import PendingSubmission

SESSION_KEY = "pending_submission"
KEPT_FOR = timedelta(days=1)
NEVER_KEPT = ("csrf_token", "password", "confirm", "current_password")
MAX_KEPT_BYTES = 64 * 1024
OWNER_SALT = "typing-owner"


def resumes_after_sign_in(view):
    """Marks a form page that gives back what was typed when the session ended (it calls take_pending_submission)."""
    view.resumes_after_sign_in = True
    return view


def owner_cookie_name() -> str:
    return "__Host-typing" if current_app.config["SESSION_COOKIE_SECURE"] else "typing"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=OWNER_SALT)


def remember_typist(response: Response) -> Response:
    """On a resumable form page shown to a signed-in person: name them (and their session's CSRF secret) in the
    owner cookie, so input typed there can be kept if the session ends before they send it."""
    view = current_app.view_functions.get(request.endpoint or "")
    if (request.method == "GET" and getattr(view, "resumes_after_sign_in", False) and current_user.is_authenticated
            and "csrf_token" in session and response.status_code == 200):
        value = _serializer().dumps([current_user.id, session["csrf_token"]])
        response.set_cookie(owner_cookie_name(), value, max_age=int(KEPT_FOR.total_seconds()), httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"], path="/")
    return response


def _typist() -> int | None:
    """The account whose form this signed-out POST is, or None: the owner cookie must be valid and the posted CSRF
    token must have been made from the CSRF secret it carries."""
    try:
        user_id, csrf_secret = _serializer().loads(request.cookies.get(owner_cookie_name(), ""),
                                                   max_age=int(KEPT_FOR.total_seconds()))
        token = URLSafeTimedSerializer(current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key,
                                       salt="wtf-csrf-token").loads(request.form.get("csrf_token", ""),
                                                                    max_age=int(KEPT_FOR.total_seconds()))
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(token, str) or not isinstance(csrf_secret, str):
        return None
    return user_id if hmac.compare_digest(token, csrf_secret) else None


def keep_pending_submission() -> None:
    """Called for a signed-out POST to a form page (portal/access.py): keep what was typed for its owner."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "resumes_after_sign_in", False) or (request.content_length or 0) > MAX_KEPT_BYTES:
        return
    data = {key: request.form.getlist(key) for key in request.form if key not in NEVER_KEPT}
    if not data or sum(len(v) for values in data.values() for v in values) > MAX_KEPT_BYTES:
        return
    user_id = _typist()
    if user_id is None:
        return
    db.session.execute(delete(PendingSubmission).where(
        (PendingSubmission.created_at < now_utc() - KEPT_FOR)
        | ((PendingSubmission.user_id == user_id) & (PendingSubmission.path == request.path[:500]))))
    pending = PendingSubmission(user_id=user_id, path=request.path[:500], form_data=data)
    db.session.add(pending)
    db.session.flush()  # the key is made on insert; the request's unit of work commits it with the redirect
    session[SESSION_KEY] = pending.key


def take_pending_submission() -> MultiDict | None:
    """The kept input for this page, once, for the person it was kept for; None when there is none."""
    key = session.get(SESSION_KEY)
    if not key or not current_user.is_authenticated:
        return None
    pending = db.session.scalar(select(PendingSubmission).where(PendingSubmission.key == key,
                                                                PendingSubmission.user_id == current_user.id))
    if pending is None or pending.path != request.path:
        return None
    session.pop(SESSION_KEY, None)
    db.session.delete(pending)
    if pending.created_at < now_utc() - KEPT_FOR:
        return None
    return MultiDict([(k, v) for k, values in pending.form_data.items() for v in values])


def init_app(app) -> None:
    app.after_request(remember_typist)


def delete_expired() -> int:
    """For `flask cleanup`: kept input nobody came back for within a day."""
    return db.session.execute(delete(PendingSubmission).where(
        PendingSubmission.created_at < now_utc() - KEPT_FOR)).rowcount or 0
