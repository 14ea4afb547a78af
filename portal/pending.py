"""Keeping what someone typed when their session ended mid-form, and giving it back after they sign in again."""

from __future__ import annotations

from datetime import timedelta

from flask import request, session
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from portal.database import now_utc
from portal.extensions import db
from portal.models import PendingSubmission

SESSION_KEY = "pending_submission"
KEPT_FOR = timedelta(days=1)
NEVER_KEPT = ("csrf_token", "password", "confirm", "current_password")


def keep_pending_submission() -> None:
    data = {key: request.form.getlist(key) for key in request.form if key not in NEVER_KEPT}
    if not data:
        return
    db.session.execute(delete(PendingSubmission).where(PendingSubmission.created_at < now_utc() - KEPT_FOR))
    pending = PendingSubmission(path=request.path[:500], form_data=data)
    db.session.add(pending)
    db.session.flush()  # the key is made on insert; the request's unit of work commits it with the redirect
    session[SESSION_KEY] = pending.key


def take_pending_submission() -> MultiDict | None:
    """The kept input for this page, once; None when there is none."""
    key = session.get(SESSION_KEY)
    if not key:
        return None
    pending = db.session.scalar(select(PendingSubmission).where(PendingSubmission.key == key))
    if pending is None or pending.path != request.path:
        return None
    session.pop(SESSION_KEY, None)
    db.session.delete(pending)
    if pending.created_at < now_utc() - KEPT_FOR:
        return None
    return MultiDict([(k, v) for k, values in pending.form_data.items() for v in values])
