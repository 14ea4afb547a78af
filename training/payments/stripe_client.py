"""The few Stripe API calls the portal makes, through the official library (stripe 16, `StripeClient`).

Every call that creates something carries an idempotency key made from our own payment (its id and when it started,
or the PaymentIntent it refunds: ids alone repeat after a database is restored), so a retry (ours, the library's)
never opens a second Checkout Session or refunds twice. Answers come back as plain dicts.
A Stripe failure becomes `StripeUnavailable`, a refusal whose words the family or staff can read.
"""

from __future__ import annotations

import logging

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.transitions import Refused

log = logging.getLogger("training.payments")


class StripeUnavailable(Refused):
    """Stripe could not be reached, or refused the request."""


def configured() -> bool:
    """Online payment is offered only with a secret key and a webhook secret: without the webhook nothing could ever
    confirm a payment, so offering one would pretend."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE") or ""
    extra = {"base_addresses": {"api": base.rstrip("/")}} if base else {}
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], max_network_retries=1, **extra)


def _call(what: str, function, params: dict, options: dict | None = None) -> dict:
    try:
        result = function(params=params, options=options or {})
    except stripe.StripeError as error:
        log.warning("stripe %s failed: %s", what, error)
        raise StripeUnavailable(_l("Online payment is not available right now. Try again in a few minutes, or pay "
                                   "at the office.")) from error
    return result.to_dict()


def create_checkout_session(*, payment_id: int, idempotency_key: str, amount_cents: int, currency: str, name: str,
                            metadata: dict, success_url: str, cancel_url: str, customer_email: str,
                            locale: str) -> dict:
    """A hosted Checkout Session for one line: our payment id as `client_reference_id` and in the metadata of the
    session and of its PaymentIntent (so charge and refund events name it too)."""
    params = {
        "mode": "payment",
        "client_reference_id": str(payment_id),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "line_items": [{"quantity": 1, "price_data": {"currency": currency, "unit_amount": amount_cents,
                                                      "product_data": {"name": name[:250]}}}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale if locale in ("en", "es") else "auto",
    }
    if customer_email:
        params["customer_email"] = customer_email
    return _call("checkout", _client().v1.checkout.sessions.create, params,
                 {"idempotency_key": idempotency_key})


def retrieve_checkout_session(session_id: str) -> dict:
    client = _client()
    try:
        result = client.v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as error:
        log.warning("stripe retrieve failed: %s", error)
        raise StripeUnavailable(_l("Online payment is not available right now. Try again in a few minutes, or pay "
                                   "at the office.")) from error
    return result.to_dict()


def expire_checkout_session(session_id: str) -> dict:
    """Close an open Checkout Session so nobody can pay on it any more. Stripe refuses a session that is not open
    (already paid, or expired): that is `StripeUnavailable` too; the caller retrieves the session to see which."""
    client = _client()
    return _call("expire", lambda params, options: client.v1.checkout.sessions.expire(session_id, params, options),
                 {})


def create_refund(*, payment_id: int, payment_intent_id: str, amount_cents: int, metadata: dict) -> dict:
    return _call("refund", _client().v1.refunds.create,
                 {"payment_intent": payment_intent_id, "amount": amount_cents, "metadata": metadata},
                 {"idempotency_key": f"portal-refund-{payment_id}-{payment_intent_id}"})
