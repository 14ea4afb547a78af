"""Stripe's webhook: the only word on whether a payment was made. Each event is verified with the signing secret
(`stripe.Webhook.construct_event` over the raw body), stored under its unique id in the same transaction as its
effect, and read defensively: whatever the body, the answer is 200 (done, or nothing to do) or 400 (not Stripe's),
never a 500.

Events arrive at least once and in any order: the same event twice changes nothing (its id is already stored), an
expiry after a completed checkout changes nothing (only a pending payment expires), and a completed checkout of a
session we had expired locally still records the payment (money received is recorded whatever we thought).
"""

from __future__ import annotations

import json
import logging

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from training.payments import services
from training.payments.models import Payment, PaymentStatus, StripeEvent

log = logging.getLogger("training.payments")

CHECKOUT_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded",
                   "checkout.session.async_payment_failed", "checkout.session.expired"}
REFUND_EVENTS = {"charge.refunded", "refund.created", "refund.updated"}


class BadEvent(Exception):
    """Not a verified Stripe event: the webhook answers 400."""


def verify(payload: bytes, signature: str | None) -> dict:
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret or not signature:
        raise BadEvent("no secret or no signature")
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadEvent("not JSON") from error
    if not isinstance(body, dict):  # the library assumes an object: anything else is not an event
        raise BadEvent("not an object")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError,
            stripe.SignatureVerificationError) as error:
        raise BadEvent(str(error)) from error
    try:
        data = event.to_dict()
    except Exception as error:  # a signed body that is not an event object
        raise BadEvent("not an event") from error
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise BadEvent("not an event")
    return data


def _object(event: dict) -> dict:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    return obj if isinstance(obj, dict) else {}


def _payment_of_session(session: dict) -> Payment | None:
    """Our payment named by the session: its id (client_reference_id) AND the session id we stored must agree, and
    so must the amount and the currency, so an event can only ever settle the payment it was made for."""
    reference = session.get("client_reference_id")
    if not isinstance(reference, str) or not reference.isascii() or not reference.isdigit() or len(reference) > 9:
        return None
    payment = db.session.scalar(select(Payment).where(Payment.id == int(reference)).with_for_update())
    if payment is None or payment.stripe_session_id != session.get("id"):
        return None
    if session.get("amount_total") not in (None, payment.amount_cents):
        return None
    if session.get("currency") not in (None, payment.currency):
        return None
    return payment


def _payment_of_intent(intent: object) -> Payment | None:
    if not isinstance(intent, str) or not intent:
        return None
    return db.session.scalar(select(Payment).where(Payment.payment_intent_id == intent[:255]).with_for_update())


def _apply(event: dict) -> tuple[Payment | None, str]:
    kind = event["type"]
    obj = _object(event)
    if kind in CHECKOUT_EVENTS:
        payment = _payment_of_session(obj)
        if payment is None:
            return None, "unknown_payment"
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            if obj.get("payment_status") != "paid":
                return payment, "awaiting_payment"  # a bank debit still on its way: async_payment_* will follow
            return payment, services.record_paid(payment, obj, event["id"])
        target = PaymentStatus.FAILED if kind == "checkout.session.async_payment_failed" else PaymentStatus.EXPIRED
        return payment, services.record_unpaid(payment, target, event["id"])
    if kind in REFUND_EVENTS:
        payment = _payment_of_intent(obj.get("payment_intent"))
        if payment is None:
            return None, "unknown_payment"
        if kind == "charge.refunded":
            refunded = obj.get("amount_refunded")
            return payment, services.record_refund(payment, refunded if isinstance(refunded, int) else None, None,
                                                   event["id"])
        return payment, services.record_refund(payment, None, obj, event["id"])
    return None, "ignored"


def handle(payload: bytes, signature: str | None) -> str:
    """Verify, then apply the event once. Raises BadEvent for anything that is not a verified Stripe event."""
    event = verify(payload, signature)
    event_id = event["id"][:255]
    if db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)) is not None:
        return "duplicate"
    try:
        with db.session.begin_nested():  # two deliveries at once: the second meets the unique constraint here
            row = StripeEvent(event_id=event_id, type=event["type"][:100])
            db.session.add(row)
    except IntegrityError:
        return "duplicate"
    payment, outcome = _apply(event)
    row.payment_id = payment.id if payment is not None else None
    row.outcome = outcome[:40]
    db.session.flush()
    log.info("stripe event %s %s: %s", event_id, event["type"], outcome)
    return outcome
