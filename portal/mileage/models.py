"""Trips transporting a placed child, and the monthly claims that have them reimbursed at the agency's rate."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import LazyString, gettext, pgettext
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.children.models import Appointment, Child
from portal.database import Base, UTCDateTime, now_utc
from portal.models import Household, Versioned, enum_column
from portal.transitions import StateMachine, moves

CLAIM_CONTEXT = "mileage claim"


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"  # to the family, with a reason: it fixes its trips and sends the claim again


# A context of their own: "reclamo" is masculine in Spanish, while the same English words of an application
# ("solicitud") are feminine.
CLAIM_STATUS_WORDS = {
    ClaimStatus.SUBMITTED: "Submitted",
    ClaimStatus.APPROVED: "Approved",
    ClaimStatus.RETURNED: "Returned for changes",
}


def _claim_word(message: str) -> str:
    """The words in the claims' context; until the catalog has that entry, the plain (shared) words."""
    word = pgettext(CLAIM_CONTEXT, message)
    return gettext(message) if word == message else word


CLAIM_STATUS_LABELS = {status: LazyString(_claim_word, message) for status, message in CLAIM_STATUS_WORDS.items()}


def _extracted() -> tuple[str, ...]:
    """Never called: `pybabel extract` finds the catalog's entries with their context here."""
    return (pgettext("mileage claim", "Submitted"), pgettext("mileage claim", "Approved"),
            pgettext("mileage claim", "Returned for changes"))


CLAIM_MOVES = StateMachine("MileageClaim", moves({
    ClaimStatus.SUBMITTED: {ClaimStatus.APPROVED, ClaimStatus.RETURNED},
    ClaimStatus.RETURNED: {ClaimStatus.SUBMITTED},
    ClaimStatus.APPROVED: set(),
}), needs_reason=frozenset({ClaimStatus.RETURNED}), labels=CLAIM_STATUS_LABELS)


class MileageClaim(Versioned, Base):
    """A household's reimbursement claim for one month's trips, at the rate in force when it was first submitted."""

    __tablename__ = "mileage_claim"
    __table_args__ = (Index("ix_mileage_claim_month_status", "month", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the claimed month
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "mileage_claim_status"),
                                                default=ClaimStatus.SUBMITTED)
    rate_cents: Mapped[int] = mapped_column()  # cents per mile, a snapshot of the agency's rate
    total_tenths: Mapped[int] = mapped_column(default=0)  # miles times 10, the sum of the claim's trips
    amount_cents: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    household: Mapped[Household] = relationship(lazy="raise")
    trips: Mapped[list[Trip]] = relationship(back_populates="claim", lazy="raise", order_by="Trip.trip_on")


class Trip(Base):
    """One trip transporting a placed child, logged by the family (or the child's coordinator for it)."""

    __tablename__ = "mileage_trip"
    __table_args__ = (Index("ix_mileage_trip_household_claim", "household_id", "claim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    trip_on: Mapped[date] = mapped_column(Date)
    from_place: Mapped[str] = mapped_column(String(200))
    to_place: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(300))
    tenths: Mapped[int] = mapped_column()  # miles times 10 (one decimal, exact)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("mileage_claim.id"), index=True)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    child: Mapped[Child] = relationship(lazy="raise")
    appointment: Mapped[Appointment | None] = relationship(lazy="raise")
    claim: Mapped[MileageClaim | None] = relationship(back_populates="trips", lazy="raise")
