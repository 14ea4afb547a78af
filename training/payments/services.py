"""Every write of payments: starting a Stripe Checkout, recording what Stripe's verified events say, refunds, and
what staff record at the office (waived, paid in cash or by check). A status changes only through PAYMENT_MOVES and
`portal.transitions.transition`; nothing commits (the request, or the webhook's request, commits once)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from licensing.application.models import HouseholdMember
from licensing.tracker.models import ITEM_MOVES, ChecklistItem, ItemStatus, RequirementTemplate
from licensing.tracker.services.checklists import change_item_status
from portal import audit
from portal.database import now_utc
from portal.emails import portal_url, queue_email
from portal.extensions import db
from portal.models import Role, User
from portal.transitions import Refused, TransitionRefused, transition
from training.catalog.models import Course, Enrollment, EnrollmentStatus
from training.payments import stripe_client
from training.payments.models import (
    OFFLINE,
    PAYMENT_MOVES,
    SETTLED,
    FeeAmount,
    OfflineMethod,
    Payment,
    PaymentPurpose,
    PaymentStatus,
)
from training.signals import enrollment_cancelled

log = logging.getLogger("training.payments")

FAMILY_ROLES = (Role.APPLICANT, Role.FAMILY)


@dataclass(frozen=True)
class Target:
    """What a payment is for: a seat (enrollment) or a fee item, with its household, amount and words."""

    purpose: PaymentPurpose
    record_id: int
    household_id: int
    amount_cents: int
    description_en: str
    description_es: str

    @property
    def column(self):
        return Payment.enrollment_id if self.purpose is PaymentPurpose.ENROLLMENT else Payment.checklist_item_id


def enrollment_target(enrollment: Enrollment, course: Course, member: HouseholdMember | None) -> Target:
    person = f" — {member.first_name} {member.last_name}" if member is not None else ""
    return Target(PaymentPurpose.ENROLLMENT, enrollment.id, enrollment.household_id, course.fee_cents,
                  f"{course.title('en')}{person}"[:300], f"{course.title('es')}{person}"[:300])


def fee_item_target(item: ChecklistItem, template: RequirementTemplate, household_id: int,
                    member: HouseholdMember | None, amount_cents: int | None) -> Target:
    person = f" — {member.first_name} {member.last_name}" if member is not None else ""
    return Target(PaymentPurpose.FEE_ITEM, item.id, household_id, amount_cents or 0,
                  f"{template.title('en')}{person}"[:300], f"{template.title('es')}{person}"[:300])


def fee_amount_of(template_id: int) -> int | None:
    return db.session.scalar(select(FeeAmount.amount_cents).where(FeeAmount.template_id == template_id))


def payments_of(target: Target) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(target.column == target.record_id)
                                   .order_by(Payment.id.desc())))


def can_pay_enrollment(enrollment: Enrollment, course: Course) -> bool:
    return course.fee_cents > 0 and enrollment.status is EnrollmentStatus.ENROLLED


def can_pay_fee_item(item: ChecklistItem, amount_cents: int | None) -> bool:
    return bool(amount_cents) and item.status not in (ItemStatus.APPROVED, ItemStatus.WAIVED)


# --- Checkout ---------------------------------------------------------------------------------------------------


def start_checkout(user: User, target: Target) -> tuple[Payment, str | None]:
    """The payment the family pays now, and the Checkout page to send them to (None: nothing to pay there now,
    e.g. Stripe says the open session was paid meanwhile). An open session is reused, so a second click or a second
    tab never opens a second one; an expired one is marked expired and a new payment starts."""
    if not stripe_client.configured():
        raise Refused(_l("Online payment is not set up. Please pay at the office."))
    if target.amount_cents <= 0:
        raise Refused(_l("There is nothing to pay for this."))
    payments = payments_of(target)
    if any(payment.status in SETTLED for payment in payments):  # before any open session of a newer payment
        raise Refused(_l("This is already paid."))
    for payment in payments:
        if payment.status is PaymentStatus.PENDING and payment.stripe_session_id:
            remote = stripe_client.retrieve_checkout_session(payment.stripe_session_id)
            if not session_matches(payment, remote):  # the same checks as the webhook's: never settle another's
                log.warning("stripe answered session %s for payment %s with another payment, amount or currency",
                            remote.get("id"), payment.id)
                return payment, None
            if remote.get("status") == "open" and payment.checkout_url:
                return payment, payment.checkout_url
            if remote.get("status") == "complete":
                if remote.get("payment_status") == "paid":
                    record_paid(payment, remote)
                return payment, None  # paid, or a bank payment still being processed: the webhook will say
            transition(PAYMENT_MOVES, payment, PaymentStatus.EXPIRED, actor=None,
                       household_id=payment.household_id, reason="checkout session expired")
    payment = Payment(household_id=target.household_id, purpose=target.purpose, amount_cents=target.amount_cents,
                      currency="usd", description_en=target.description_en, description_es=target.description_es,
                      started_by_id=user.id, status=PaymentStatus.PENDING)
    setattr(payment, target.column.key, target.record_id)
    db.session.add(payment)
    db.session.flush()
    audit.record("payment_started", actor=user, target=payment, household_id=payment.household_id,
                 to_status=PaymentStatus.PENDING.value, amount_cents=payment.amount_cents)
    metadata = {"payment_id": str(payment.id), "purpose": payment.purpose.value,
                "household_id": str(payment.household_id)}
    session = stripe_client.create_checkout_session(
        payment_id=payment.id, idempotency_key=f"portal-checkout-{payment.id}-{payment.created_at:%Y%m%d%H%M%S%f}",
        amount_cents=payment.amount_cents, currency=payment.currency,
        name=payment.description(user.preferred_locale).split(" — ")[0], metadata=metadata,
        success_url=portal_url("training.payment_done", payment_id=payment.id),
        cancel_url=portal_url("training.my_payments"), customer_email=user.email, locale=user.preferred_locale)
    if not isinstance(session.get("id"), str) or not isinstance(session.get("url"), str):
        raise stripe_client.StripeUnavailable(_l("Online payment is not available right now. Try again in a few "
                                                 "minutes, or pay at the office."))
    payment.stripe_session_id, payment.checkout_url = session["id"], session["url"]
    expires_at = session.get("expires_at")
    if isinstance(expires_at, int):
        payment.session_expires_at = datetime.fromtimestamp(expires_at, UTC)
    db.session.flush()
    return payment, payment.checkout_url


# --- What Stripe says --------------------------------------------------------------------------------------------


def session_matches(payment: Payment, session: dict) -> bool:
    """A Checkout Session (an event's, or Stripe's API answer) is this payment's: our id (client_reference_id) and
    the session id we stored agree, and so do the amount and the currency."""
    return (bool(payment.stripe_session_id) and session.get("id") == payment.stripe_session_id
            and session.get("client_reference_id") == str(payment.id)
            and session.get("amount_total") in (None, payment.amount_cents)
            and session.get("currency") in (None, payment.currency))


def record_paid(payment: Payment, session: dict, event_id: str = "") -> str:
    """A Checkout Session of this payment was paid (a verified event, or Stripe's API answering us)."""
    if payment.status is PaymentStatus.PAID or payment.status in (PaymentStatus.REFUND_PENDING,
                                                                  PaymentStatus.REFUNDED):
        return "already_paid"
    intent = session.get("payment_intent")
    intent = intent if isinstance(intent, str) else ""
    if payment.status in OFFLINE:
        return _paid_after_settled(payment, intent, event_id)
    payment.payment_intent_id = intent[:255]
    payment.paid_at = now_utc()
    transition(PAYMENT_MOVES, payment, PaymentStatus.PAID, actor=None, household_id=payment.household_id,
               payment_intent=intent or None, stripe_event=event_id or None)
    if _settled_by_another(payment):  # an old session paid after a new one was: the family paid twice
        request_refund(payment, None, "paid twice for the same thing")
        return "paid_twice_refunded"
    _after_paid(payment)
    return "paid"


def _paid_after_settled(settled: Payment, intent: str, event_id: str) -> str:
    """Settled at the office (or waived) meanwhile, and paid online too (a tab left open): the office's word stands,
    and the money paid online becomes a payment of its own, recorded with its PaymentIntent (in the staff list, found
    by refund events) and refunded at once, like a payment made twice."""
    if not intent:  # nothing to refund with: the log says so, for staff
        audit.record("paid_after_settled", actor=None, target=settled, household_id=settled.household_id,
                     stripe_event=event_id or None)
        return "paid_after_settled"
    if db.session.scalar(select(Payment.id).where(Payment.payment_intent_id == intent[:255])) is not None:
        return "already_paid"  # the same money, told again (another event of the same session)
    online = Payment(household_id=settled.household_id, purpose=settled.purpose, amount_cents=settled.amount_cents,
                     currency=settled.currency, description_en=settled.description_en,
                     description_es=settled.description_es, started_by_id=settled.started_by_id,
                     enrollment_id=settled.enrollment_id, checklist_item_id=settled.checklist_item_id,
                     status=PaymentStatus.PENDING, payment_intent_id=intent[:255], paid_at=now_utc())
    db.session.add(online)
    db.session.flush()
    audit.record("paid_after_settled", actor=None, target=settled, household_id=settled.household_id,
                 payment_intent=intent, stripe_event=event_id or None, online_payment=online.id)
    transition(PAYMENT_MOVES, online, PaymentStatus.PAID, actor=None, household_id=online.household_id,
               payment_intent=intent, stripe_event=event_id or None)
    request_refund(online, None, "paid online after it was settled at the office")
    return "paid_after_settled_refunded"


def _settled_by_another(payment: Payment) -> bool:
    column = Payment.enrollment_id if payment.enrollment_id is not None else Payment.checklist_item_id
    record_id = payment.enrollment_id if payment.enrollment_id is not None else payment.checklist_item_id
    return db.session.scalar(select(Payment.id).where(column == record_id, Payment.id != payment.id,
                                                      Payment.status.in_(SETTLED)).limit(1)) is not None


def _after_paid(payment: Payment) -> None:
    if payment.purpose is PaymentPurpose.FEE_ITEM and payment.checklist_item_id is not None:
        item = db.session.get(ChecklistItem, payment.checklist_item_id)
        if item is not None and item.status not in (ItemStatus.APPROVED, ItemStatus.WAIVED):
            try:
                _approve_fee_item(None, item, payment.household_id, "online", payment.payment_intent_id or
                                  f"payment-{payment.id}")
            except Refused as refused:  # the money is received whatever the checklist says; staff see the log
                log.warning("fee item %s not approved after payment %s: %s", item.id, payment.id, refused)
    if payment.purpose is PaymentPurpose.ENROLLMENT and payment.enrollment_id is not None:
        enrollment = db.session.get(Enrollment, payment.enrollment_id)
        if enrollment is not None and enrollment.status is EnrollmentStatus.CANCELLED:
            request_refund(payment, None, "seat cancelled before the payment arrived")  # paid for a freed seat
            return
    _email_household(payment, "payment_receipt")


def _approve_fee_item(actor: User | None, item: ChecklistItem, household_id: int, method: str, receipt: str) -> None:
    """Approve a fee item with how it was paid, through the checklist's own transition (submitted first when the
    item can't be approved from where it is)."""
    if not ITEM_MOVES.allows(item.status, ItemStatus.APPROVED):
        change_item_status(actor, item, ItemStatus.SUBMITTED, household_id=household_id, payment_method=method,
                           receipt_number=receipt)
    change_item_status(actor, item, ItemStatus.APPROVED, household_id=household_id, payment_method=method,
                       receipt_number=receipt)


def record_unpaid(payment: Payment, target: PaymentStatus, event_id: str) -> str:
    """The session expired, or a delayed payment failed. Only a pending payment moves: an expiry or a failure
    arriving after the payment (events out of order) changes nothing."""
    if payment.status is not PaymentStatus.PENDING:
        return "ignored"
    transition(PAYMENT_MOVES, payment, target, actor=None, household_id=payment.household_id,
               stripe_event=event_id or None)
    return target.value


def record_refund(payment: Payment, refunded_cents: int | None, refund: dict | None, event_id: str) -> str:
    """Stripe says money went back: a refund of ours succeeded or failed, or a refund made in Stripe's dashboard
    (`charge.refunded` gives the total refunded so far)."""
    if refunded_cents is not None:
        payment.refunded_cents = max(payment.refunded_cents, min(refunded_cents, payment.amount_cents))
    if refund is not None:
        status = refund.get("status")
        ours = bool(payment.refund_id) and refund.get("id") == payment.refund_id
        if status == "succeeded" and isinstance(refund.get("amount"), int) and (ours or not payment.refund_id):
            payment.refunded_cents = max(payment.refunded_cents, min(refund["amount"], payment.amount_cents))
        if status in ("failed", "canceled") and ours and payment.status is PaymentStatus.REFUND_PENDING:
            transition(PAYMENT_MOVES, payment, PaymentStatus.PAID, actor=None, household_id=payment.household_id,
                       reason="refund failed", stripe_event=event_id or None)
            return "refund_failed"
        if status == "succeeded" and ours:
            payment.refunded_cents = payment.amount_cents
    if payment.refunded_cents >= payment.amount_cents and payment.status in (PaymentStatus.PAID,
                                                                             PaymentStatus.REFUND_PENDING):
        transition(PAYMENT_MOVES, payment, PaymentStatus.REFUNDED, actor=None, household_id=payment.household_id,
                   stripe_event=event_id or None)
        _email_household(payment, "payment_refunded")
        return "refunded"
    return "recorded" if payment.refunded_cents else "ignored"


# --- Refunds ------------------------------------------------------------------------------------------------------


def request_refund(payment: Payment, actor: User | None, reason: str) -> None:
    """Ask Stripe to give the whole amount back; the payment is "refund requested" until Stripe's event says it
    went through. A Stripe failure refuses the whole request (the cancellation too): nothing half done."""
    if payment.status is not PaymentStatus.PAID or not payment.payment_intent_id:
        return
    if not stripe_client.configured():
        raise Refused(_l("The refund could not be requested: online payment is not set up. Ask the office."))
    refund = stripe_client.create_refund(payment_id=payment.id, payment_intent_id=payment.payment_intent_id,
                                         amount_cents=payment.amount_cents - payment.refunded_cents,
                                         metadata={"payment_id": str(payment.id)})
    payment.refund_id = str(refund.get("id") or "")[:255]
    transition(PAYMENT_MOVES, payment, PaymentStatus.REFUND_PENDING, actor=actor, household_id=payment.household_id,
               reason=reason, refund=payment.refund_id or None)
    if refund.get("status") == "succeeded":  # Stripe may answer at once; its event will find this already done
        record_refund(payment, None, refund, "")


@enrollment_cancelled.connect
def refund_cancelled_seat(enrollment: Enrollment, actor: User | None = None, **_kwargs) -> None:
    """A cancelled seat that was paid online is refunded (paid at the office: the office gives the money back)."""
    for payment in db.session.scalars(select(Payment).where(Payment.enrollment_id == enrollment.id,
                                                            Payment.status == PaymentStatus.PAID)):
        request_refund(payment, actor, "enrollment cancelled")


# --- At the office -----------------------------------------------------------------------------------------------


def settle_offline(staff: User, target: Target, *, waive: bool, method: str, receipt: str, reason: str,
                   item: ChecklistItem | None = None) -> Payment:
    """Staff record a fee or a seat as waived, or paid at the office (cash, check, other) with the receipt, and a
    reason. A fee item moves on the checklist too, through its own transition (approved with the receipt, or
    waived with the reason)."""
    reason = reason.strip()
    receipt = receipt.strip()
    if not reason:
        raise TransitionRefused(_l("Give a reason."))
    if not waive and (method not in {m.value for m in OfflineMethod} or not receipt):
        raise TransitionRefused(_l("Choose how it was paid and give the receipt number."))
    existing = payments_of(target)
    if any(p.status in SETTLED for p in existing):
        raise TransitionRefused(_l("This is already paid."))
    for open_one in existing:
        if open_one.status is PaymentStatus.PENDING and open_one.stripe_session_id:
            _close_checkout(open_one)
    payment = next((p for p in existing if p.status in (PaymentStatus.PENDING, PaymentStatus.EXPIRED,
                                                         PaymentStatus.FAILED)), None)
    if payment is None:
        payment = Payment(household_id=target.household_id, purpose=target.purpose,
                          amount_cents=target.amount_cents, currency="usd", description_en=target.description_en,
                          description_es=target.description_es, started_by_id=staff.id,
                          status=PaymentStatus.PENDING)
        setattr(payment, target.column.key, target.record_id)
        db.session.add(payment)
        db.session.flush()
    new_status = PaymentStatus.WAIVED if waive else PaymentStatus.PAID_OFFLINE
    payment.reason = reason[:1000]
    if not waive:
        payment.offline_method, payment.offline_receipt = method, receipt[:60]
        payment.paid_at = now_utc()
    transition(PAYMENT_MOVES, payment, new_status, actor=staff, household_id=payment.household_id, reason=reason,
               method=method if not waive else None, receipt=receipt[:60] if not waive else None)
    if item is not None and item.status not in (ItemStatus.APPROVED, ItemStatus.WAIVED):
        if waive:
            change_item_status(staff, item, ItemStatus.WAIVED, household_id=target.household_id, reason=reason)
        else:
            _approve_fee_item(staff, item, target.household_id, method, receipt[:60])
    if not waive:
        _email_household(payment, "payment_receipt")
    db.session.flush()
    return payment


def _close_checkout(payment: Payment) -> None:
    """The family's Checkout page of this payment is closed at Stripe before staff settle it, so it can't be paid
    afterwards. Stripe unreachable, or the page paid meanwhile: the settlement is refused (nothing recorded), staff
    try again. Without Stripe keys nothing can be asked (nor any payment confirmed): the settlement goes ahead."""
    if not stripe_client.configured():
        return
    try:
        remote = stripe_client.retrieve_checkout_session(payment.stripe_session_id or "")
        if remote.get("status") == "open":
            remote = stripe_client.expire_checkout_session(payment.stripe_session_id or "")
    except stripe_client.StripeUnavailable as error:
        raise TransitionRefused(_l("Stripe could not be reached to close the family's online payment page, so "
                                   "nothing was recorded. Try again in a few minutes.")) from error
    if remote.get("status") == "complete":
        raise TransitionRefused(_l("The family has just paid online (or a bank payment is on its way), so nothing "
                                   "was recorded. Check the payments list again in a few minutes."))
    if remote.get("status") != "expired":
        raise TransitionRefused(_l("Stripe could not be reached to close the family's online payment page, so "
                                   "nothing was recorded. Try again in a few minutes."))


def save_fee_amount(admin: User, template: RequirementTemplate, amount_cents: int | None) -> None:
    """What the agency charges for a fee requirement; none (or zero): families pay at the office."""
    row = db.session.scalar(select(FeeAmount).where(FeeAmount.template_id == template.id))
    if not amount_cents:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(FeeAmount(template_id=template.id, amount_cents=amount_cents))
    else:
        row.amount_cents = amount_cents
    audit.record("fee_amount_saved", actor=admin, target=template, requirement=template.code,
                 amount_cents=amount_cents or 0)
    db.session.flush()


# --- Mail ---------------------------------------------------------------------------------------------------------


def _email_household(payment: Payment, template: str) -> None:
    """The household's people (one query), each in their own language."""
    people = db.session.scalars(select(User).where(
        User.household_id == payment.household_id, User.is_active.is_(True), User.role.in_(FAMILY_ROLES))).all()
    for person in people:
        locale = person.preferred_locale or "en"
        queue_email(person.email, locale, template, user=person, payment=payment,
                    description=payment.description(locale), link=portal_url("training.my_payments"))
