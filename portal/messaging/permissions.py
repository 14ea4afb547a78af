"""Named loaders for messaging: a thread or an attachment is found only for its household's family and its staff
member; an administrator may open any thread after giving a reason (kept for the browser session and recorded on
every read). Anyone else gets 404, whatever the id."""

from __future__ import annotations

import enum

from flask import abort, session
from sqlalchemy import select, true

from portal.extensions import db
from portal.messaging.models import Message, MessageAttachment, MessageThread
from portal.messaging.services import is_family_side
from portal.models import Role, User

# Thread ids an administrator gave a reason for in this browser session (thread id -> the id of the event that
# recorded the reason: the words stay in the log, not in the cookie); bounded.
READ_REASONS = "message_read_reasons"
MAX_REASONS = 20


class ThreadAccess(enum.StrEnum):
    FAMILY = "family"  # the household's own family
    STAFF = "staff"  # the thread's staff member
    ADMIN_WITH_REASON = "admin_with_reason"  # an administrator not party to it, who gave a reason
    ADMIN_NEEDS_REASON = "admin_needs_reason"  # an administrator who has not given one yet: nothing is shown


def _is_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role is Role.ADMIN


def reason_given(thread_id: int) -> int | None:
    """The event id of the reason this browser session gave for reading the thread, or None."""
    value = (session.get(READ_REASONS) or {}).get(str(thread_id))
    return value if isinstance(value, int) else None


def remember_reason(thread_id: int, event_id: int) -> None:
    reasons = dict(session.get(READ_REASONS) or {})
    reasons.pop(str(thread_id), None)
    reasons[str(thread_id)] = event_id
    session[READ_REASONS] = dict(list(reasons.items())[-MAX_REASONS:])


def thread_scope(user: User):
    """A WHERE clause on MessageThread: the threads this person is party to; every thread for an administrator's
    list (which shows who and when, never a subject: opening one asks for a reason)."""
    if is_family_side(user):
        return MessageThread.household_id == user.household_id
    if _is_admin(user):
        return true()
    return MessageThread.staff_id == user.id


def get_thread_for(user: User, thread_id: int) -> tuple[MessageThread, ThreadAccess]:
    """The thread, for its family or its staff member; for an administrator, any thread (the view asks for a
    reason before showing anything). 404 for everyone else."""
    thread = db.session.scalar(select(MessageThread).where(MessageThread.id == thread_id))
    if thread is None:
        abort(404)
    if is_family_side(user):
        if thread.household_id != user.household_id:
            abort(404)
        return thread, ThreadAccess.FAMILY
    if user.role in (Role.COORDINATOR, Role.HOMEFINDER) and thread.staff_id == user.id:
        return thread, ThreadAccess.STAFF
    if _is_admin(user):
        return thread, (ThreadAccess.ADMIN_WITH_REASON if reason_given(thread.id)
                        else ThreadAccess.ADMIN_NEEDS_REASON)
    abort(404)


def get_thread_to_write(user: User, thread_id: int) -> MessageThread:
    """The thread, for one of its own people (who may write in it); 404 for anyone else."""
    thread, access = get_thread_for(user, thread_id)
    if access not in (ThreadAccess.FAMILY, ThreadAccess.STAFF):
        abort(404)
    return thread


def get_attachment_for(user: User, attachment_id: int) -> tuple[MessageAttachment, MessageThread]:
    """An attachment, for whoever may read its thread now (an administrator only after giving a reason)."""
    row = db.session.execute(select(MessageAttachment, Message.thread_id).join(
        Message, Message.id == MessageAttachment.message_id).where(MessageAttachment.id == attachment_id)).first()
    if row is None:
        abort(404)
    thread, access = get_thread_for(user, row[1])
    if access is ThreadAccess.ADMIN_NEEDS_REASON:
        abort(404)
    return row[0], thread
