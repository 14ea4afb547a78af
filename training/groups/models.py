"""Support groups: recurring meetings generated ahead, households that join, RSVPs per meeting (with childcare, a
counter taken by one conditional UPDATE like the catalog's seats) and attendance per person, which credits
in-service hours once where the agency counts the group."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models import Versioned, enum_column
from portal.transitions import StateMachine, moves
from training.catalog.models import ChildcareStatus


class Recurrence(enum.StrEnum):
    WEEKLY = "weekly"
    EVERY_TWO_WEEKS = "every_two_weeks"
    MONTHLY = "monthly"  # the nth weekday of each month (week_of_month 1-4, or 5 for the last one)


class SupportGroup(Versioned, Base):
    """A support group and its schedule. Meetings are generated ahead from the rule (`services.extend_meetings`)."""

    __tablename__ = "support_group"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_in_week"),
        CheckConstraint("week_of_month >= 1 AND week_of_month <= 5", name="week_of_month_in_month"),
        CheckConstraint("childcare_capacity >= 0", name="childcare_capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    facilitator: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    virtual_link: Mapped[str] = mapped_column(String(500), default="")
    recurrence: Mapped[Recurrence] = mapped_column(enum_column(Recurrence, "group_recurrence"))
    weekday: Mapped[int] = mapped_column(default=1)  # Monday 0 … Sunday 6
    week_of_month: Mapped[int] = mapped_column(default=1)  # monthly only
    starts_on: Mapped[date] = mapped_column(Date)  # no meeting before this day; every two weeks counts from it
    time_of_day: Mapped[time] = mapped_column(Time)  # the agency's wall clock
    duration_minutes: Mapped[int] = mapped_column(default=90)
    childcare_capacity: Mapped[int] = mapped_column(default=0)  # per meeting, in children; 0: not offered
    counts_as_hours: Mapped[bool] = mapped_column(default=False)
    credit_tenths: Mapped[int] = mapped_column(default=0)  # in-service hours per meeting attended, in tenths
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    def name(self, language: str) -> str:
        return self.name_es if language == "es" and self.name_es else self.name_en

    def description(self, language: str) -> str:
        return self.description_es if language == "es" and self.description_es else self.description_en

    @property
    def offers_childcare(self) -> bool:
        return self.childcare_capacity > 0


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


MEETING_STATUS_LABELS = {MeetingStatus.SCHEDULED: _l("Scheduled"), MeetingStatus.CANCELLED: _l("Cancelled")}
MEETING_MOVES = StateMachine("GroupMeeting", moves({
    MeetingStatus.SCHEDULED: {MeetingStatus.CANCELLED},
    MeetingStatus.CANCELLED: set(),
}), labels=MEETING_STATUS_LABELS)


class GroupMeeting(Base):
    """One meeting of a group. `childcare_taken` moves only by a conditional UPDATE within `childcare_capacity`."""

    __tablename__ = "group_meeting"
    __table_args__ = (
        UniqueConstraint("group_id", "starts_at"),
        Index("ix_group_meeting_starts", "starts_at"),
        CheckConstraint("childcare_taken >= 0 AND childcare_taken <= childcare_capacity",
                        name="group_childcare_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("support_group.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=90)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus, "group_meeting_status"),
                                                  default=MeetingStatus.SCHEDULED)
    childcare_capacity: Mapped[int] = mapped_column(default=0)
    childcare_taken: Mapped[int] = mapped_column(default=0)
    sequence: Mapped[int] = mapped_column(default=0)  # grows when the meeting changes (calendar apps update it)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    group: Mapped[SupportGroup] = relationship(lazy="raise")

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED


class GroupMembership(Base):
    """A household that joined a group (`left_at` set when it leaves; joining again clears it)."""

    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("support_group.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RsvpStatus(enum.StrEnum):
    GOING = "going"
    CANCELLED = "cancelled"


class GroupRsvp(Base):
    """A household coming to one meeting: how many people, and childcare (booked, or waitlisted in
    `childcare_requested_at` order)."""

    __tablename__ = "group_rsvp"
    __table_args__ = (UniqueConstraint("meeting_id", "household_id"),
                      Index("ix_group_rsvp_household", "household_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meeting.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    status: Mapped[RsvpStatus] = mapped_column(enum_column(RsvpStatus, "group_rsvp_status"), default=RsvpStatus.GOING)
    people: Mapped[int] = mapped_column(default=1)
    childcare_status: Mapped[ChildcareStatus] = mapped_column(enum_column(ChildcareStatus, "childcare_status"),
                                                              default=ChildcareStatus.NONE)
    childcare_children: Mapped[int] = mapped_column(default=0)
    childcare_ages: Mapped[str] = mapped_column(String(100), default="")
    childcare_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[GroupMeeting] = relationship(lazy="raise")


class GroupAttendance(Base):
    """One person (an applicant of the household) at one meeting. `credit_id` is set once, by a conditional UPDATE,
    when the meeting's hours are credited: a person is credited once per meeting whatever is saved again."""

    __tablename__ = "group_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(default=True)
    credited: Mapped[bool] = mapped_column(default=False)
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("training_credit.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
