"""The caregiver's report to the court: one per (court hearing, household the child is placed with), asked before the
hearing, written by the family, confirmed received by the coordinator."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.children.models import Appointment, Child
from portal.database import Base, UTCDateTime, now_utc
from portal.models import Versioned, enum_column
from portal.transitions import StateMachine, moves


class ReportStatus(enum.StrEnum):
    REQUESTED = "requested"  # asked of the family; it may be writing a draft
    SUBMITTED = "submitted"  # sent to the coordinator; no longer editable
    RECEIVED = "received"  # the coordinator confirmed receipt
    WITHDRAWN = "withdrawn"  # no longer needed: the hearing was cancelled, or the child left this home


REPORT_STATUS_LABELS = {
    ReportStatus.REQUESTED: _l("Requested"),
    ReportStatus.SUBMITTED: _l("Sent to the coordinator"),
    ReportStatus.RECEIVED: _l("Received"),
    ReportStatus.WITHDRAWN: _l("No longer needed"),
}
REPORT_MOVES = StateMachine("CaregiverReport", moves({
    ReportStatus.REQUESTED: {ReportStatus.SUBMITTED, ReportStatus.WITHDRAWN},
    ReportStatus.SUBMITTED: {ReportStatus.RECEIVED},
    ReportStatus.RECEIVED: set(),
    ReportStatus.WITHDRAWN: set(),
}), needs_reason=frozenset({ReportStatus.WITHDRAWN}), labels=REPORT_STATUS_LABELS)

# The family's words, in the order the form asks them.
REPORT_FIELDS = ("home", "school", "health", "visits", "other")


class CaregiverReport(Versioned, Base):
    """The report a placed family writes before one court hearing of the child."""

    __tablename__ = "caregiver_report"
    __table_args__ = (
        UniqueConstraint("appointment_id", "household_id", name="uq_caregiver_report_appointment_household"),
        Index("ix_caregiver_report_household_status", "household_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, "caregiver_report_status"),
                                                 default=ReportStatus.REQUESTED)
    # The hearing's time when the family was last told of it: a different time on the appointment means it moved.
    hearing_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    home: Mapped[str] = mapped_column(Text, default="")
    school: Mapped[str] = mapped_column(Text, default="")
    health: Mapped[str] = mapped_column(Text, default="")
    visits: Mapped[str] = mapped_column(Text, default="")
    other: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    appointment: Mapped[Appointment] = relationship(lazy="raise")
    child: Mapped[Child] = relationship(lazy="raise")

    @property
    def editable(self) -> bool:
        return self.status is ReportStatus.REQUESTED
