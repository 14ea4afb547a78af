"""Threads of messages between a household and one staff member, their attachments, and each person's read mark.

Messages are records of the case: only ever added (no update or delete path exists in the services or views)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models import User
from portal.storage import register_stored_names

SUBJECT_MAX = 200
BODY_MAX = 5000


class MessageThread(Base):
    """A conversation with a subject between a household and one staff member (its coordinator or homefinder),
    optionally about one child placed with the household when it began. When that placement ends the thread stays
    the family's own correspondence (readable, answerable), but the child's name is no longer shown to the family
    (`lists.ChildNames`: the visibility rule of portal/children/visibility.py decides, at each page view)."""

    __tablename__ = "message_thread"
    __table_args__ = (Index("ix_message_thread_staff_last", "staff_id", "last_message_id"),
                      Index("ix_message_thread_household_last", "household_id", "last_message_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    # The newest message, kept on the thread so lists and unread counts are one statement (no MAX per thread).
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    # True when the newest message is the family's: the staff member owes an answer.
    awaiting_staff: Mapped[bool] = mapped_column(default=False)

    staff: Mapped[User] = relationship(foreign_keys=[staff_id], lazy="raise")


class Message(Base):
    """One message: never changed after it is sent."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    author: Mapped[User] = relationship(lazy="raise")


class MessageAttachment(Base):
    """A file sent with a message: checked and stored like an application document (portal/uploads.py)."""

    __tablename__ = "message_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class ThreadMark(Base):
    """One person's place in one thread: the newest message they have seen, and whether they were emailed about a
    message they have not read yet (at most one email per thread until they read it)."""

    __tablename__ = "message_thread_mark"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # cleared when they read


# The keys of stored files (portal/storage.py): what `flask remove-orphan-files` keeps.
register_stored_names(MessageAttachment.stored_name)
