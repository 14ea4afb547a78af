"""Every write of messaging: threads started, messages sent (never changed afterwards), read marks, the one email
per thread that says a message is waiting, and the handover of a staff member's threads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.children.models import Child
from portal.children.visibility import FamilyAccess, family_views
from portal.database import now_utc
from portal.emails import portal_url, queue_email
from portal.extensions import db
from portal.messaging.assignments import THREAD_STAFF_ROLES, staff_for_household
from portal.messaging.models import Message, MessageAttachment, MessageThread, ThreadMark
from portal.models import AuditEvent, Role, User
from portal.signals import child_reassigned, staff_handover
from portal.transitions import Refused
from portal.uploads import remove_stored, store_upload

FAMILY_SIDE = (Role.FAMILY,)


class MessageEvent:
    THREAD_STARTED = "message_thread_started"
    MESSAGE_SENT = "message_sent"
    READ_REASON_GIVEN = "message_thread_read_reason_given"
    READ_BY_STAFF = "message_thread_read_by_staff"
    ATTACHMENT_DOWNLOADED = "message_attachment_downloaded"
    HANDED_OVER = "message_thread_handed_over"


def is_family_side(user: User) -> bool:
    return user.role in FAMILY_SIDE and user.household_id is not None


def placed_children_ids(household_id: int) -> set[int]:
    """The children placed with the household today (primary placements only; a respite stay is not a topic of the
    household's own correspondence). One statement: THE visibility rule."""
    return {view.child_id for view in family_views(household_id) if view.access is FamilyAccess.PRIMARY}


def start_thread(author: User, *, household_id: int, staff_id: int, subject: str, body: str,
                 child_id: int | None = None, upload: FileStorage | None = None) -> MessageThread:
    """A new thread and its first message. A family writes only to staff assigned to it (`household_staff`), about
    a child placed with it today; a staff member writes only to a household they are assigned to."""
    if staff_id not in {person.id for person in staff_for_household(household_id)}:
        raise Refused(_l("You can write only to the staff who work with this family."))
    if is_family_side(author):
        if author.household_id != household_id:
            raise Refused(_l("You can write only to the staff who work with your family."))
    elif author.id != staff_id:
        raise Refused(_l("You can write only to the families you work with."))
    if child_id and child_id not in placed_children_ids(household_id):
        raise Refused(_l("Choose a child who lives with the family now."))
    if child_id and not is_family_side(author) and db.session.scalar(
            select(Child.coordinator_id).where(Child.id == child_id)) != author.id:
        raise Refused(_l("Choose a child on your caseload."))
    thread = MessageThread(household_id=household_id, staff_id=staff_id, child_id=child_id or None,
                           subject=subject, started_by_id=author.id)
    db.session.add(thread)
    db.session.flush()
    audit.record(MessageEvent.THREAD_STARTED, actor=author, target=thread, household_id=household_id,
                 child_id=thread.child_id)
    post_message(thread, author, body, upload)
    return thread


def is_party(thread: MessageThread, user: User) -> bool:
    """The thread's own people: its household's family and its staff member."""
    if is_family_side(user):
        return user.household_id == thread.household_id
    return user.id == thread.staff_id


def works_with_household(thread: MessageThread) -> bool:
    """Whether the thread's staff member still works with its household (`household_staff`). A family writes only
    to staff assigned to it: when a placement ends or the homefinder changes, the thread stays readable to the family
    but closed to its messages. The staff member may still write in it, to close the loop."""
    return thread.staff_id in {person.id for person in staff_for_household(thread.household_id)}


def no_longer_assigned_note(thread: MessageThread) -> str:
    name = db.session.scalar(select(User.full_name).where(User.id == thread.staff_id))
    return _l("%(name)s no longer works with your family. Start a new conversation with your coordinator.",
              name=name)


def post_message(thread: MessageThread, author: User, body: str, upload: FileStorage | None = None) -> Message:
    """Add a message (with at most one file, checked like an application document; FileRefused when it isn't
    right, and then nothing is stored). Only the thread's own people write: an administrator reading with a
    reason reads, and does not write."""
    if not is_party(thread, author):
        raise Refused(_l("Only the family and the staff member of this thread can write in it."))
    if is_family_side(author) and not works_with_household(thread):
        raise Refused(no_longer_assigned_note(thread))
    stored = store_upload(upload) if upload is not None and upload.filename else None
    try:
        message = Message(thread_id=thread.id, author_id=author.id, body=body)
        db.session.add(message)
        db.session.flush()
        if stored is not None:
            db.session.add(MessageAttachment(message_id=message.id, original_name=stored.original_name,
                                             stored_name=stored.stored_name, content_type=stored.content_type,
                                             size_bytes=stored.size_bytes, sha256=stored.sha256))
        thread.last_message_id = message.id
        thread.last_message_at = message.created_at or now_utc()
        thread.awaiting_staff = is_family_side(author)
        audit.record(MessageEvent.MESSAGE_SENT, actor=author, target=thread, household_id=thread.household_id,
                     child_id=thread.child_id, message_id=message.id, attachment=stored is not None)
        mark_read(thread, author)
        _notify(thread, author)
        db.session.flush()
    except Exception:
        if stored is not None:
            remove_stored([stored])
        raise
    return message


def _marks(thread_id: int, user_ids: list[int]) -> dict[int, ThreadMark]:
    if not user_ids:
        return {}
    rows = db.session.scalars(select(ThreadMark).where(ThreadMark.thread_id == thread_id,
                                                       ThreadMark.user_id.in_(user_ids)))
    return {mark.user_id: mark for mark in rows}


def mark_read(thread: MessageThread, user: User) -> None:
    """This person has seen the thread up to its newest message; the next message may email them again."""
    mark = _marks(thread.id, [user.id]).get(user.id)
    if mark is None:
        mark = ThreadMark(thread_id=thread.id, user_id=user.id)
        db.session.add(mark)
    if mark.last_read_message_id != thread.last_message_id or mark.notified_at is not None:
        mark.last_read_message_id = thread.last_message_id
        mark.read_at = now_utc()
        mark.notified_at = None
    db.session.flush()


def _recipients(thread: MessageThread, author: User) -> list[User]:
    if is_family_side(author):
        return list(db.session.scalars(select(User).where(User.id == thread.staff_id, User.is_active.is_(True))))
    return list(db.session.scalars(select(User).where(
        User.household_id == thread.household_id, User.role.in_(FAMILY_SIDE), User.is_active.is_(True))))


def _notify(thread: MessageThread, author: User) -> None:
    """Email each recipient that a message is waiting — never its words, nor the subject — once per thread until
    they read it (a lively thread sends one email, not one per message)."""
    recipients = [person for person in _recipients(thread, author) if person.id != author.id]
    marks = _marks(thread.id, [person.id for person in recipients])
    link = portal_url("messaging.thread", thread_id=thread.id)
    for person in recipients:
        mark = marks.get(person.id)
        if mark is not None and mark.notified_at is not None:
            continue
        if mark is None:
            mark = ThreadMark(thread_id=thread.id, user_id=person.id)
            db.session.add(mark)
        mark.notified_at = now_utc()
        queue_email(person.email, person.preferred_locale, "message_waiting", user=person, link=link)


def give_read_reason(thread: MessageThread, reader: User, reason: str) -> int:
    """An administrator says why they need to read a thread they are not party to; returns the event's id (the
    browser session keeps it, and each read names the reason from it)."""
    event = audit.record(MessageEvent.READ_REASON_GIVEN, actor=reader, target=thread,
                         household_id=thread.household_id, child_id=thread.child_id, reason=reason)
    db.session.flush()
    return event.id


def record_staff_read(thread: MessageThread, reader: User, reason_event_id: int) -> None:
    """A staff member who is not party to the thread read it (an administrator, with a reason): in the log, with
    the reason they gave (404 when the event named is not theirs about this thread)."""
    reason = db.session.scalar(select(AuditEvent.reason).where(
        AuditEvent.id == reason_event_id, AuditEvent.actor_id == reader.id,
        AuditEvent.action == MessageEvent.READ_REASON_GIVEN, AuditEvent.target_id == thread.id))
    if reason is None:
        raise Refused(_l("Say why you need to read this thread."))
    audit.record(MessageEvent.READ_BY_STAFF, actor=reader, target=thread, household_id=thread.household_id,
                 child_id=thread.child_id, reason=reason, reason_event_id=reason_event_id)


def record_download(attachment: MessageAttachment, thread: MessageThread, reader: User) -> None:
    audit.record(MessageEvent.ATTACHMENT_DOWNLOADED, actor=reader, target=attachment,
                 household_id=thread.household_id, child_id=thread.child_id, thread_id=thread.id)


def hand_over_threads(leaving: User, successor: User, actor: User | None) -> int:
    """Every thread of the leaving staff member goes to the successor (one UPDATE), with an event per thread in its
    household's history. Returns how many moved."""
    if leaving.id == successor.id:
        raise Refused(_l("Choose someone else to take the threads over."))
    if not successor.is_active or successor.role not in THREAD_STAFF_ROLES:
        raise Refused(_l("The threads can go only to an active coordinator, homefinder or administrator."))
    return _move_threads(MessageThread.staff_id == leaving.id, leaving.id, successor.id, actor)


def _move_threads(which, from_staff_id: int, to_staff_id: int, actor: User | None) -> int:
    """Give the threads `which` selects to another staff member: one UPDATE, one event per thread in its household's
    history. Returns how many moved."""
    moved = db.session.execute(select(MessageThread.id, MessageThread.household_id, MessageThread.child_id)
                               .where(which)).all()
    if not moved:
        return 0
    db.session.execute(update(MessageThread).where(MessageThread.id.in_([row.id for row in moved]))
                       .values(staff_id=to_staff_id).execution_options(synchronize_session="fetch"))
    for thread_id, household_id, child_id in moved:
        audit.record(MessageEvent.HANDED_OVER, actor=actor, household_id=household_id, child_id=child_id,
                     thread_id=thread_id, from_staff_id=from_staff_id, to_staff_id=to_staff_id)
    db.session.flush()
    return len(moved)


@staff_handover.connect
def _threads_follow_the_caseload(leaving: User, successor: User | None = None, actor: User | None = None,
                                 **_kwargs) -> None:
    """A staff member leaving (part of the caseload handover): their threads go to the successor."""
    if successor is not None:
        hand_over_threads(leaving, successor, actor)


@child_reassigned.connect
def _threads_follow_the_child(child_id: int, previous: int | None = None, successor: int | None = None,
                              actor: User | None = None, **_kwargs) -> None:
    """A child put on another coordinator's caseload: the previous coordinator's threads about that child go to the
    new coordinator (the family's threads with a homefinder, or about no child, stay where they are)."""
    if previous is None or successor is None or previous == successor:
        return
    _move_threads((MessageThread.child_id == child_id) & (MessageThread.staff_id == previous), previous, successor,
                  actor)
