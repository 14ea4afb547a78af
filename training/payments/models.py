"""Payments: what a household owes for a paid training seat or a licensing fee, how it was paid (Stripe Checkout, or
at the office as staff recorded), refunds; the Stripe events already processed; and the agency's fee amounts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime, now_utc
from portal.models import enum_column
from portal.transitions import StateMachine, moves


class PaymentPurpose(enum.StrEnum):
    ENROLLMENT = "enrollment"  # a seat in a paid training session
    FEE_ITEM = "fee_item"  # a fee on the licensing checklist (fingerprinting)


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # a Checkout Session was opened; Stripe has not said it was paid
    PAID = "paid"  # Stripe said so in a verified webhook
    EXPIRED = "expired"  # the Checkout Session expired unpaid
    FAILED = "failed"  # a delayed payment (bank debit) failed
    REFUND_PENDING = "refund_pending"  # we asked Stripe for a refund; it has not confirmed it
    REFUNDED = "refunded"
    WAIVED = "waived"  # staff, with a reason
    PAID_OFFLINE = "paid_offline"  # staff: cash, check or other, with a reason and a receipt


class OfflineMethod(enum.StrEnum):
    CASH = "cash"
    CHECK = "check"
    OTHER = "other"


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: _l("Waiting for confirmation"),
    PaymentStatus.PAID: _l("Paid online"),
    PaymentStatus.EXPIRED: _l("Not paid (the payment page expired)"),
    PaymentStatus.FAILED: _l("Payment failed"),
    PaymentStatus.REFUND_PENDING: _l("Refund requested"),
    PaymentStatus.REFUNDED: _l("Refunded"),
    PaymentStatus.WAIVED: _l("Waived"),
    PaymentStatus.PAID_OFFLINE: _l("Paid at the office"),
}
OFFLINE = frozenset({PaymentStatus.WAIVED, PaymentStatus.PAID_OFFLINE})
# The seat or fee is settled: no other payment for it may start.
SETTLED = frozenset({PaymentStatus.PAID, PaymentStatus.REFUND_PENDING, PaymentStatus.WAIVED,
                     PaymentStatus.PAID_OFFLINE})
# A completed checkout is money received whatever we thought meanwhile: an expired or failed payment still becomes
# paid when Stripe says it was (events arrive out of order; a session we expired locally may have been paid).
PAYMENT_MOVES = StateMachine("Payment", moves({
    PaymentStatus.PENDING: {PaymentStatus.PAID, PaymentStatus.EXPIRED, PaymentStatus.FAILED, PaymentStatus.WAIVED,
                            PaymentStatus.PAID_OFFLINE},
    PaymentStatus.EXPIRED: {PaymentStatus.PAID, PaymentStatus.WAIVED, PaymentStatus.PAID_OFFLINE},
    PaymentStatus.FAILED: {PaymentStatus.PAID, PaymentStatus.WAIVED, PaymentStatus.PAID_OFFLINE},
    PaymentStatus.PAID: {PaymentStatus.REFUND_PENDING, PaymentStatus.REFUNDED},
    PaymentStatus.REFUND_PENDING: {PaymentStatus.REFUNDED, PaymentStatus.PAID},  # back to paid: the refund failed
    PaymentStatus.REFUNDED: set(),
    PaymentStatus.WAIVED: set(),
    PaymentStatus.PAID_OFFLINE: set(),
}), needs_reason=frozenset({PaymentStatus.WAIVED, PaymentStatus.PAID_OFFLINE}), labels=PAYMENT_STATUS_LABELS)


class Payment(Base):
    """One payment of a household for one enrollment or one fee item, in integer cents. Its status changes only
    through PAYMENT_MOVES (training/payments/services.py), each change an event of the one log."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within_amount"),
        CheckConstraint("(enrollment_id IS NULL) <> (checklist_item_id IS NULL)", name="one_purpose"),
        Index("ix_payment_household_created", "household_id", "created_at"),
        Index("ix_payment_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    purpose: Mapped[PaymentPurpose] = mapped_column(enum_column(PaymentPurpose, "payment_purpose"))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment.id"), index=True)
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    # What it was for, in both languages, as it was when the payment started (a course may be renamed later).
    description_en: Mapped[str] = mapped_column(String(300))
    description_es: Mapped[str] = mapped_column(String(300))
    amount_cents: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus, "payment_status"),
                                                  default=PaymentStatus.PENDING)
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str] = mapped_column(String(2000), default="")
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_intent_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    refund_id: Mapped[str] = mapped_column(String(255), default="")
    refunded_cents: Mapped[int] = mapped_column(default=0)
    offline_method: Mapped[str] = mapped_column(String(20), default="")
    offline_receipt: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(String(1000), default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)

    def description(self, language: str) -> str:
        return self.description_es if language == "es" and self.description_es else self.description_en


class StripeEvent(Base):
    """A Stripe event already processed. Stored in the same transaction as its effect, under a unique event id:
    Stripe delivers an event at least once and retries for days, and the second delivery must change nothing."""

    __tablename__ = "stripe_event"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class FeeAmount(Base):
    """What the agency charges for a fee requirement of the licensing checklist (agency data an admin edits)."""

    __tablename__ = "fee_amount"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("requirement_template.id", ondelete="CASCADE"), unique=True)
    amount_cents: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)
