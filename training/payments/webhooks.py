"""Stripe's webhook: the only word on whether a payment was made. Each event is verified with the signing secret
(`stripe.Webhook.construct_event` over the raw body), stored under its unique id in the same transaction as its
effect, and read defensively: whatever the body, the answer is 200 (done, or nothing to do), 400 (not Stripe's), or
503 without storing the event (Stripe retries it): Stripe could not be reached for a refund, or a refund event came
before the event of its payment.

Events arrive at least once and in any order: the same event twice changes nothing (its id is already stored), an
expiry after a completed checkout changes nothing (only a pending payment expires), and a completed checkout of a
session we had expired locally still records the payment (money received is recorded whatever we thought), and a
refund of a payment not yet known as paid waits (503) until its completed event has been stored.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.database import now_utc
from portal.extensions import db
from training.payments import services
from training.payments.models import Payment, PaymentStatus, StripeEvent

log = logging.getLogger("training.payments")

CHECKOUT_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded",
                   "checkout.session.async_payment_failed", "checkout.session.expired"}
REFUND_EVENTS = {"charge.refunded", "refund.created", "refund.updated"}
# Stripe retries an event for up to three days: a refund still naming no payment of ours after that is stored as
# unknown (someone else's payment on the same account), so a resend by hand doesn't wait forever.
RETRY_REFUNDS_FOR = timedelta(days=3)


class BadEvent(Exception):
    """Not a verified Stripe event: the webhook answers 400."""


class NotYet(Exception):
    """A refund of a payment not yet known as paid (its completed event is still on its way): the webhook answers
    503 and stores nothing, so Stripe sends it again later."""


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
    payment = _payment_named(session.get("client_reference_id"))
    if payment is None or not services.session_matches(payment, session):
        return None
    return payment


def _payment_named(reference: object) -> Payment | None:
    if not isinstance(reference, str) or not reference.isascii() or not reference.isdigit() or len(reference) > 9:
        return None
    return db.session.scalar(select(Payment).where(Payment.id == int(reference)).with_for_update())


def _payment_of_intent(intent: object) -> Payment | None:
    if not isinstance(intent, str) or not intent:
        return None
    return db.session.scalar(select(Payment).where(Payment.payment_intent_id == intent[:255]).with_for_update())


def _payment_of_refund(event: dict, obj: dict) -> Payment | None:
    """The payment a refund or charge event is about: by its PaymentIntent, else by the payment id the portal puts
    in the metadata (of the session, its PaymentIntent and our refunds). A payment of ours not yet paid (or an
    intent we don't know yet) raises NotYet: its completed event may still be on its way."""
    intent = obj.get("payment_intent")
    intent = intent[:255] if isinstance(intent, str) else ""
    payment = _payment_of_intent(intent)
    if payment is not None:
        return payment
    metadata = obj.get("metadata")
    named = _payment_named(metadata.get("payment_id")) if isinstance(metadata, dict) else None
    if named is not None and named.payment_intent_id:
        return named if not intent or named.payment_intent_id == intent else None  # paid with another intent
    created = event.get("created")
    recent = not isinstance(created, int) or now_utc().timestamp() - created < RETRY_REFUNDS_FOR.total_seconds()
    if (named is not None or intent) and recent:
        raise NotYet
    return None


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
        payment = _payment_of_refund(event, obj)
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
