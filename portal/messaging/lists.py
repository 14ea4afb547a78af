"""The queries of messaging's pages: a fixed number of statements whatever the number of threads or messages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from portal.children.models import Child
from portal.extensions import db
from portal.messaging.models import Message, MessageAttachment, MessageThread, ThreadMark
from portal.messaging.permissions import thread_scope
from portal.messaging.services import is_family_side, placed_children_ids
from portal.models import Household, Role, User
from portal.paging import Page, paginate

# Made once (as licensing/pipeline/board.py's): an alias built per call costs about a millisecond, its column
# proxies made again at every request, more than the rest of the query.
_STAFF = aliased(User)

MESSAGES_PER_PAGE = 25
THREADS_PER_PAGE = 25


def _unread_condition(user: User):
    return MessageThread.last_message_id > func.coalesce(ThreadMark.last_read_message_id, 0)


def _with_mark(query, user: User):
    return query.outerjoin(ThreadMark, and_(ThreadMark.thread_id == MessageThread.id, ThreadMark.user_id == user.id))


def _has_own_threads(user: User) -> bool:
    return user.is_authenticated and (is_family_side(user) or user.role in (Role.COORDINATOR, Role.HOMEFINDER))


def unread_count(user: User) -> int:
    """How many of this person's threads have a message they have not seen (one statement)."""
    if not _has_own_threads(user):
        return 0
    return db.session.scalar(unread_count_query(user)) or 0


def unread_count_query(user: User):
    return _with_mark(select(func.count(MessageThread.id)), user).where(thread_scope(user), _unread_condition(user))


def menu_unread(user: User):
    """The menu's badge (portal/navigation.py): for families with a household and the staff who have threads;
    administrators are never a thread's staff member (they read with a reason): no count."""
    if user.role is Role.ADMIN or not _has_own_threads(user):
        return None
    return unread_count_query(user).scalar_subquery()


def threads_query(user: User):
    """This person's threads, newest activity first, with what a row shows."""
    staff = _STAFF
    return _with_mark(
        select(MessageThread.id, MessageThread.subject, MessageThread.last_message_at, MessageThread.awaiting_staff,
               MessageThread.child_id, Child.first_name.label("child_first_name"),
               Child.last_name.label("child_last_name"), Child.coordinator_id.label("child_coordinator_id"),
               Household.name.label("household_name"), staff.full_name.label("staff_name"),
               _unread_condition(user).label("unread"))
        .join(Household, Household.id == MessageThread.household_id)
        .join(staff, staff.id == MessageThread.staff_id)
        .outerjoin(Child, Child.id == MessageThread.child_id), user
    ).where(thread_scope(user)).order_by(MessageThread.last_message_id.desc(), MessageThread.id.desc())


@dataclass
class ChildNames:
    """Whose name a person may see on a thread about a child: a family only while the child is placed with it
    (afterwards the thread stays theirs, the name does not); staff when the child is on their caseload (admins
    always)."""

    user: User
    placed: frozenset[int]

    @classmethod
    def for_user(cls, user: User) -> ChildNames:
        placed = placed_children_ids(user.household_id) if is_family_side(user) else set()
        return cls(user=user, placed=frozenset(placed))

    def shown(self, child_id: int | None, first: str | None, last: str | None, coordinator_id: int | None) -> str:
        if child_id is None or first is None:
            return ""
        if is_family_side(self.user):
            return f"{first} {last}" if child_id in self.placed else ""
        if self.user.role is Role.ADMIN or coordinator_id == self.user.id:
            return f"{first} {last}"
        return ""


@dataclass
class Summary:
    """What the navigation and the dashboard cards show: counts over all of this person's threads, and the first
    few (a staff member's waiting ones first)."""

    unread: int
    awaiting: int
    rows: list

    @property
    def awaiting_rows(self) -> list:
        return [row for row in self.rows if row.awaiting_staff]


def summary(user: User, limit: int = 5) -> Summary:
    """One statement: the first rows of the thread list, each carrying the counts over every thread (window sums
    are computed before the LIMIT)."""
    if not _has_own_threads(user):
        return Summary(0, 0, [])
    unread = case((_unread_condition(user), 1), else_=0)
    awaiting = case((MessageThread.awaiting_staff.is_(True), 1), else_=0)
    query = threads_query(user).add_columns(func.sum(unread).over().label("unread_total"),
                                            func.sum(awaiting).over().label("awaiting_total"))
    if not is_family_side(user):
        query = query.order_by(None).order_by(MessageThread.awaiting_staff.desc(), MessageThread.last_message_id.desc(),
                                              MessageThread.id.desc())
    rows = db.session.execute(query.limit(limit)).all()
    if not rows:
        return Summary(0, 0, [])
    return Summary(unread=int(rows[0].unread_total or 0), awaiting=int(rows[0].awaiting_total or 0), rows=rows)


def threads_page(user: User, size: int = THREADS_PER_PAGE) -> Page:
    return paginate(threads_query(user), size=size, scalars=False)


@dataclass
class ThreadHeader:
    household_name: str
    staff_name: str
    child_first_name: str | None
    child_last_name: str | None
    child_coordinator_id: int | None


def thread_header(thread: MessageThread) -> ThreadHeader:
    staff = _STAFF
    row = db.session.execute(
        select(Household.name, staff.full_name, Child.first_name, Child.last_name, Child.coordinator_id)
        .select_from(MessageThread)
        .join(Household, Household.id == MessageThread.household_id)
        .join(staff, staff.id == MessageThread.staff_id)
        .outerjoin(Child, Child.id == MessageThread.child_id)
        .where(MessageThread.id == thread.id)).one()
    return ThreadHeader(*row)


def messages_page(thread: MessageThread) -> tuple[Page, dict[int, list[MessageAttachment]]]:
    """One page of the thread's messages, newest first, with their authors' names and their files (three
    statements: the count, the page, the files)."""
    query = (select(Message.id, Message.body, Message.created_at, Message.author_id,
                    User.full_name.label("author_name"), User.role.label("author_role"))
             .join(User, User.id == Message.author_id)
             .where(Message.thread_id == thread.id).order_by(Message.id.desc()))
    page = paginate(query, size=MESSAGES_PER_PAGE, scalars=False)
    ids = [row.id for row in page.items]
    files: dict[int, list[MessageAttachment]] = {}
    if ids:
        for attachment in db.session.scalars(select(MessageAttachment).where(MessageAttachment.message_id.in_(ids))
                                             .order_by(MessageAttachment.id)):
            files.setdefault(attachment.message_id, []).append(attachment)
    return page, files
