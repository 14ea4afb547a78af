"""A child in care, the child's placements (with a licensed household) and short stays away (respite, hospital,
camp), and the child's appointments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from portal.database import Base, UTCDateTime, now_utc
from portal.models import Household, User, Versioned, enum_column
from portal.transitions import StateMachine, moves


class PermanencyGoal(enum.StrEnum):
    REUNIFICATION = "reunification"
    ADOPTION = "adoption"
    GUARDIANSHIP = "guardianship"
    OTHER_PLANNED = "other_planned"  # another planned permanent living arrangement (APPLA)


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


CASE_STATUS_LABELS = {CaseStatus.OPEN: _l("Open"), CaseStatus.CLOSED: _l("Closed")}
CASE_MOVES = StateMachine("Child", moves({
    CaseStatus.OPEN: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}), needs_reason=frozenset({CaseStatus.CLOSED, CaseStatus.OPEN}), labels=CASE_STATUS_LABELS)


# What a family may ever see of a child, field by field (domain.md, "Privacy and records"). Each child's record says
# which of these are shown to the family it is placed with (`Child.family_visible`); internal is the default, and the
# fields outside this set (who reported the case, court reports, birth parents' finances, drug tests, evaluations)
# can never be chosen.
FAMILY_VISIBLE_CHOICES = ("birth_date", "preferred_locale", "school", "health_needs", "education_needs",
                          "permanency_goal", "visitation_plan", "needs_summary")
# The typical choice an agency makes for a new child (a coordinator changes it per child).
DEFAULT_FAMILY_VISIBLE = ("birth_date", "preferred_locale", "school", "health_needs", "permanency_goal",
                          "visitation_plan")
NEVER_FAMILY_VISIBLE = ("case_notes", "reporter", "court_notes", "birth_family_notes")


class Child(Versioned, Base):
    """A child in the agency's care, on one coordinator's caseload."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    preferred_locale: Mapped[str] = mapped_column(String(8), default="en")  # the child's language
    school: Mapped[str] = mapped_column(String(200), default="")
    # Codes shared with a household's stated preferences (licensing's NEEDS_CHOICES: medical, behavioral, ...).
    needs: Mapped[list] = mapped_column(JSON, default=list)
    needs_summary: Mapped[str] = mapped_column(Text, default="")
    health_needs: Mapped[str] = mapped_column(Text, default="")
    education_needs: Mapped[str] = mapped_column(Text, default="")
    visitation_plan: Mapped[str] = mapped_column(Text, default="")
    permanency_goal: Mapped[PermanencyGoal] = mapped_column(enum_column(PermanencyGoal, "permanency_goal"),
                                                            default=PermanencyGoal.REUNIFICATION)
    case_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), default=CaseStatus.OPEN,
                                                    index=True)
    # Brothers and sisters share a key (placed together where a home can take them).
    sibling_group: Mapped[str] = mapped_column(String(40), default="", index=True)
    # Never family-visible (NEVER_FAMILY_VISIBLE).
    case_notes: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(Text, default="")
    court_notes: Mapped[str] = mapped_column(Text, default="")
    birth_family_notes: Mapped[str] = mapped_column(Text, default="")
    # Which of FAMILY_VISIBLE_CHOICES the placed family sees.
    family_visible: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_FAMILY_VISIBLE))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id], lazy="raise")
    placements: Mapped[list[Placement]] = relationship(back_populates="child", lazy="raise",
                                                       order_by="Placement.starts_on.desc()")

    # The case's status under the name `portal.transitions.transition` moves (CASE_MOVES).
    status = synonym("case_status")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class PlacementStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class PlacementEndReason(enum.StrEnum):
    REUNIFIED = "reunified"
    ADOPTED = "adopted"
    GUARDIANSHIP = "guardianship"
    MOVED = "moved"  # to another placement
    AGED_OUT = "aged_out"
    RAN_AWAY = "ran_away"
    OTHER = "other"


PLACEMENT_STATUS_LABELS = {PlacementStatus.ACTIVE: _l("Current"), PlacementStatus.ENDED: _l("Ended")}
PLACEMENT_MOVES = StateMachine("Placement", moves({
    PlacementStatus.ACTIVE: {PlacementStatus.ENDED},
    PlacementStatus.ENDED: set(),
}), needs_reason=frozenset({PlacementStatus.ENDED}), labels=PLACEMENT_STATUS_LABELS)


class Placement(Base):
    """A child living with a licensed household, from a start date until it ends. At most one active per child."""

    __tablename__ = "placement"
    __table_args__ = (
        Index("ix_placement_household_status", "household_id", "status"),
        # At most one active placement per child, even when two coordinators place the same child at once.
        Index("uq_placement_active_child", "child_id", unique=True, sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    status: Mapped[PlacementStatus] = mapped_column(enum_column(PlacementStatus, "placement_status"),
                                                    default=PlacementStatus.ACTIVE)
    starts_on: Mapped[date] = mapped_column(Date)
    start_reason: Mapped[str] = mapped_column(Text, default="")
    ends_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[PlacementEndReason | None] = mapped_column(
        enum_column(PlacementEndReason, "placement_end_reason"))
    end_note: Mapped[str] = mapped_column(Text, default="")
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    child: Mapped[Child] = relationship(back_populates="placements", lazy="raise")
    household: Mapped[Household] = relationship(lazy="raise")


class StayKind(enum.StrEnum):
    RESPITE_HOME = "respite_home"
    HOSPITAL = "hospital"
    CAMP = "camp"
    OTHER = "other"


class RespiteStay(Base):
    """A few days away from the placed home (respite with another licensed home, hospital, camp) while the placement
    stays with the primary family. A respite household sees the child only from `starts_on` to `ends_on`."""

    __tablename__ = "respite_stay"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    kind: Mapped[StayKind] = mapped_column(enum_column(StayKind, "stay_kind"))
    # The respite home, when the stay is with another licensed household; null for a hospital or a camp.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    place_name: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    placement: Mapped[Placement] = relationship(lazy="raise")


class AppointmentKind(enum.StrEnum):
    MEDICAL = "medical"
    DENTAL = "dental"
    THERAPY = "therapy"
    COURT_HEARING = "court_hearing"
    FAMILY_VISIT = "family_visit"
    SCHOOL_MEETING = "school_meeting"
    CASEWORKER_VISIT = "caseworker_visit"
    OTHER = "other"


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


APPOINTMENT_STATUS_LABELS = {AppointmentStatus.SCHEDULED: _l("Scheduled"),
                             AppointmentStatus.CANCELLED: _l("Cancelled")}
APPOINTMENT_MOVES = StateMachine("Appointment", moves({
    AppointmentStatus.SCHEDULED: {AppointmentStatus.CANCELLED},
    AppointmentStatus.CANCELLED: set(),
}), needs_reason=frozenset({AppointmentStatus.CANCELLED}), labels=APPOINTMENT_STATUS_LABELS)


class Transporter(enum.StrEnum):
    FAMILY = "family"
    COORDINATOR = "coordinator"
    AGENCY = "agency"  # another worker or a contracted driver
    OTHER = "other"


class TransportAnswer(enum.StrEnum):
    NONE = "none"  # the family has not answered
    CONFIRMED = "confirmed"
    CHANGE_REQUESTED = "change_requested"


class Appointment(Versioned, Base):
    """One appointment of a child. `sequence` grows on every change the family is told about (iCalendar SEQUENCE)."""

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_child_starts", "child_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    kind: Mapped[AppointmentKind] = mapped_column(enum_column(AppointmentKind, "appointment_kind"))
    status: Mapped[AppointmentStatus] = mapped_column(enum_column(AppointmentStatus, "appointment_status"),
                                                      default=AppointmentStatus.SCHEDULED)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    place: Mapped[str] = mapped_column(String(300), default="")
    virtual_link: Mapped[str] = mapped_column(String(500), default="")
    transport_by: Mapped[Transporter] = mapped_column(enum_column(Transporter, "transporter"),
                                                      default=Transporter.FAMILY)
    transport_note: Mapped[str] = mapped_column(String(300), default="")
    transport_answer: Mapped[TransportAnswer] = mapped_column(enum_column(TransportAnswer, "transport_answer"),
                                                              default=TransportAnswer.NONE)
    transport_answer_note: Mapped[str] = mapped_column(Text, default="")
    family_notes: Mapped[str] = mapped_column(Text, default="")
    internal_notes: Mapped[str] = mapped_column(Text, default="")  # never shown to a family
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    child: Mapped[Child] = relationship(lazy="raise")
