"""The training catalog (courses and their sessions, each with one or more meetings) and who is enrolled."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models import User, Versioned, enum_column
from portal.transitions import StateMachine, moves


class CourseCategory(enum.StrEnum):
    PRE_SERVICE = "pre_service"
    IN_SERVICE = "in_service"
    CPR_FIRST_AID = "cpr_first_aid"
    SPECIALTY = "specialty"


class Audience(enum.StrEnum):
    APPLICANTS = "applicants"  # pre-service: households on their way to a license
    LICENSED = "licensed"
    EVERYONE = "everyone"


class Course(Versioned, Base):
    """A course in the agency's catalog, taught in one or more sessions (cohorts)."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[CourseCategory] = mapped_column(enum_column(CourseCategory, "course_category"), index=True)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience, "course_audience"), default=Audience.EVERYONE)
    # Hours credited for the whole course, in tenths of an hour (2.5 hours = 25): integers, like money.
    credit_tenths: Mapped[int] = mapped_column(default=0)
    # How many meetings one session of it has; a person completes it by attending each meeting number once, in any
    # session of the course (make-ups).
    meeting_count: Mapped[int] = mapped_column(default=1)
    fee_cents: Mapped[int] = mapped_column(default=0)  # 0: free
    # CPR/First Aid: how long the certification it gives is valid (None: the agency's rule decides).
    valid_months: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    sessions: Mapped[list[CourseSession]] = relationship(back_populates="course", lazy="raise")

    def title(self, language: str) -> str:
        return self.title_es if language == "es" and self.title_es else self.title_en

    def description(self, language: str) -> str:
        return self.description_es if language == "es" and self.description_es else self.description_en

    @property
    def is_paid(self) -> bool:
        return self.fee_cents > 0


class SessionStatus(enum.StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


SESSION_STATUS_LABELS = {SessionStatus.OPEN: _l("Open"), SessionStatus.CANCELLED: _l("Cancelled")}
SESSION_MOVES = StateMachine("CourseSession", moves({
    SessionStatus.OPEN: {SessionStatus.CANCELLED},
    SessionStatus.CANCELLED: set(),
}), labels=SESSION_STATUS_LABELS)


class CourseSession(Versioned, Base):
    """One run (cohort) of a course: its meetings, language, capacity and deadlines.

    `seats_taken` and `childcare_taken` are counters kept in the same UPDATE that takes a seat
    (`... SET seats_taken = seats_taken + n WHERE seats_taken + n <= capacity`): the check and the seat are one
    database operation, so capacity holds under any number of people enrolling at once, on both databases.
    """

    __tablename__ = "course_session"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("childcare_taken >= 0 AND childcare_taken <= childcare_capacity",
                        name="childcare_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus, "session_status"),
                                                  default=SessionStatus.OPEN)
    language: Mapped[str] = mapped_column(String(8), default="en")
    instructor: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(default=20)
    seats_taken: Mapped[int] = mapped_column(default=0)
    # Childcare for the children of those attending (0: not offered), counted in children.
    childcare_capacity: Mapped[int] = mapped_column(default=0)
    childcare_taken: Mapped[int] = mapped_column(default=0)
    enroll_by: Mapped[date] = mapped_column(Date)
    cancel_by: Mapped[date] = mapped_column(Date)
    first_starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # its first meeting, for browsing
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    course: Mapped[Course] = relationship(back_populates="sessions", lazy="raise")
    meetings: Mapped[list[SessionMeeting]] = relationship(back_populates="session", lazy="raise",
                                                          order_by="SessionMeeting.number")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def offers_childcare(self) -> bool:
        return self.childcare_capacity > 0


class SessionMeeting(Base):
    """One meeting of a session: meeting `number` of the course's `meeting_count`."""

    __tablename__ = "session_meeting"
    __table_args__ = (UniqueConstraint("session_id", "number"),
                      Index("ix_session_meeting_starts", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=180)
    place: Mapped[str] = mapped_column(String(300), default="")
    virtual_link: Mapped[str] = mapped_column(String(500), default="")
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Grows when the meeting's time or place changes: the calendar event's SEQUENCE, so calendar apps update it.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    session: Mapped[CourseSession] = relationship(back_populates="meetings", lazy="raise")


class EnrollmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # by the family before the deadline, or by staff
    COMPLETED = "completed"  # every meeting attended (in this session or in make-ups)


ENROLLMENT_STATUS_LABELS = {
    EnrollmentStatus.ENROLLED: _l("Enrolled"),
    EnrollmentStatus.WAITLISTED: _l("On the waitlist"),
    EnrollmentStatus.CANCELLED: _l("Cancelled"),
    EnrollmentStatus.COMPLETED: _l("Completed"),
}
ENROLLMENT_MOVES = StateMachine("Enrollment", moves({
    EnrollmentStatus.WAITLISTED: {EnrollmentStatus.ENROLLED, EnrollmentStatus.CANCELLED},
    EnrollmentStatus.ENROLLED: {EnrollmentStatus.CANCELLED, EnrollmentStatus.COMPLETED},
    EnrollmentStatus.CANCELLED: set(),
    # Back to enrolled when the attendance that completed it is corrected to absent (training/hours/services.py).
    EnrollmentStatus.COMPLETED: {EnrollmentStatus.ENROLLED},
}), labels=ENROLLMENT_STATUS_LABELS)


class ChildcareStatus(enum.StrEnum):
    NONE = "none"
    BOOKED = "booked"
    WAITLISTED = "waitlisted"


class Enrollment(Base):
    """One person (an applicant of a household) in one session. A make-up enrollment names the meetings it makes
    up (`makeup_meetings`); an ordinary one takes every meeting. Waitlisted enrollments are served in `created_at`
    order."""

    __tablename__ = "enrollment"
    __table_args__ = (Index("ix_enrollment_session_status", "session_id", "status", "created_at"),
                      Index("ix_enrollment_household", "household_id", "status"),
                      # A person holds one live place (a seat or the waitlist) per session: the database refuses a
                      # second even when two requests race (a double tap on "Enroll").
                      Index("uq_enrollment_live_person", "session_id", "member_id", unique=True,
                            sqlite_where=text("status IN ('enrolled', 'waitlisted')"),
                            postgresql_where=text("status IN ('enrolled', 'waitlisted')")))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(enum_column(EnrollmentStatus, "enrollment_status"))
    makeup_meetings: Mapped[list | None] = mapped_column(JSON)  # None: every meeting of the session
    # Childcare booked with the seat (on one enrollment of the household per session: the first person's).
    childcare_status: Mapped[ChildcareStatus] = mapped_column(enum_column(ChildcareStatus, "childcare_status"),
                                                              default=ChildcareStatus.NONE)
    childcare_children: Mapped[int] = mapped_column(default=0)
    childcare_ages: Mapped[str] = mapped_column(String(100), default="")
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    seat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when it got its seat (from the waitlist too)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[CourseSession] = relationship(lazy="raise")
    enrolled_by: Mapped[User | None] = relationship(lazy="raise")


class Attendance(Base):
    """Whether a person attended one meeting, as the instructor or staff recorded it."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("session_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
