# ruff: noqa: F811  (the fixtures imported from payments_support are named as test arguments)
"""Stripe's webhook: verified signatures, each event once, events out of order, refunds, hostile bodies."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from portal.extensions import db as portal_db
from portal.models import AuditEvent, OutboxMessage
from tests.conftest import post_form, sign_in
from tests.training.payments_support import (  # noqa: F401  (fixtures)
    WEBHOOK_URL,
    event,
    only_payment,
    paid_household,
    payment_row,
    send_event,
    sign,
    stripe_on,
    stripe_server,
)
from training.catalog.models import Enrollment, EnrollmentStatus
from training.payments.models import Payment, PaymentStatus, StripeEvent
from training.signals import enrollment_cancelled


@pytest.fixture
def started(app, db, client, make_user, stripe_on):
    """A family that clicked Pay for its seat: a pending payment with an open Checkout Session."""
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    post_form(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    return family, only_payment(db, family.household_id)


def cancel(app, enrollment_id: int) -> None:
    """What the catalog's cancellation does (part E): the seat is freed, and the signal is sent."""
    with app.test_request_context():
        enrollment = portal_db.session.get(Enrollment, enrollment_id)
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment_cancelled.send(enrollment, actor=None)
        portal_db.session.commit()


def paid_events(db, payment_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.target_type == "Payment", AuditEvent.target_id == payment_id, AuditEvent.to_status == "paid"))


def receipts(db, email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.template == "payment_receipt"))


def test_a_bad_signature_is_400_and_changes_nothing(app, db, stripe_on, started):
    _family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    assert send_event(webhook, "checkout.session.completed", session, secret="whsec_wrong").status_code == 400
    payload = event("checkout.session.completed", session)
    assert webhook.post(WEBHOOK_URL, data=payload).status_code == 400  # no signature at all
    old = sign(payload, timestamp=int(time.time()) - 3600)  # outside the 300-second tolerance
    assert webhook.post(WEBHOOK_URL, data=payload, headers={"Stripe-Signature": old}).status_code == 400
    tampered = payload.replace('"paid"', '"paid" ', 1)
    assert webhook.post(WEBHOOK_URL, data=tampered, headers={"Stripe-Signature": sign(payload)}).status_code == 400
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_completed_pays_once_even_when_replayed(app, db, stripe_on, started):
    family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    first = send_event(webhook, "checkout.session.completed", session, event_id="evt_once")
    assert first.status_code == 200 and first.json["outcome"] == "paid"
    again = send_event(webhook, "checkout.session.completed", session, event_id="evt_once")
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    # The same fact in another event (Stripe sends async_payment_succeeded too): no second credit either.
    other = send_event(webhook, "checkout.session.async_payment_succeeded", session)
    assert other.json["outcome"] == "already_paid"
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.PAID and row.payment_intent_id == session["payment_intent"]
    assert paid_events(db, payment.id) == 1
    assert receipts(db, family.user.email) == 1


def test_completed_but_unpaid_waits_for_the_async_event(app, db, stripe_on, started):
    _family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id, paid=False)
    webhook = app.test_client()
    assert send_event(webhook, "checkout.session.completed", session).json["outcome"] == "awaiting_payment"
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING
    assert send_event(webhook, "checkout.session.async_payment_failed", session).json["outcome"] == "failed"
    assert payment_row(db, payment.id).status is PaymentStatus.FAILED


def test_expired_after_completed_does_not_unpay(app, db, stripe_on, started):
    _family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    send_event(webhook, "checkout.session.completed", session)
    late = send_event(webhook, "checkout.session.expired", dict(session, status="expired"))
    assert late.status_code == 200 and late.json["outcome"] == "ignored"
    assert payment_row(db, payment.id).status is PaymentStatus.PAID


def test_a_session_expired_locally_still_records_its_payment(app, db, client, stripe_on, started):
    _family, payment = started
    session = dict(stripe_on.sessions[payment.stripe_session_id])
    webhook = app.test_client()
    assert send_event(webhook, "checkout.session.expired", dict(session, status="expired")).json["outcome"] == \
        "expired"
    assert payment_row(db, payment.id).status is PaymentStatus.EXPIRED
    paid = dict(session, status="complete", payment_status="paid", payment_intent="pi_late")
    assert send_event(webhook, "checkout.session.completed", paid).json["outcome"] == "paid"
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.PAID and row.payment_intent_id == "pi_late"


def test_an_event_for_another_session_or_amount_settles_nothing(app, db, stripe_on, started):
    _family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    for wrong in (dict(session, id="cs_test_other"), dict(session, amount_total=1),
                  dict(session, currency="eur"), dict(session, client_reference_id="99999")):
        assert send_event(webhook, "checkout.session.completed", wrong).json["outcome"] == "unknown_payment"
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING


def test_cancelling_a_paid_seat_refunds_it(app, db, stripe_on, started):
    family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    send_event(webhook, "checkout.session.completed", session)
    cancel(app, family.enrollment_id)
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.REFUND_PENDING and row.refund_id.startswith("re_")
    method, path, form = stripe_on.requests[-1]
    assert (method, path) == ("POST", "/v1/refunds")
    assert form["payment_intent"] == session["payment_intent"] and form["amount"] == "4500"
    assert form["_idempotency_key"] == f"portal-refund-{payment.id}-{session['payment_intent']}"
    refund = stripe_on.refunds[row.refund_id]
    refunded = send_event(webhook, "refund.updated", dict(refund, status="succeeded"))
    assert refunded.json["outcome"] == "refunded"
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.REFUNDED and row.refunded_cents == 4500
    # charge.refunded arrives afterwards: nothing more.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"], "amount": 4500,
              "amount_refunded": 4500, "refunded": True}
    assert send_event(webhook, "charge.refunded", charge).status_code == 200
    assert payment_row(db, payment.id).status is PaymentStatus.REFUNDED
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "payment_refunded", OutboxMessage.recipient == family.user.email)) == 1


def test_a_failed_refund_puts_the_payment_back_to_paid(app, db, stripe_on, started):
    family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    send_event(webhook, "checkout.session.completed", session)
    cancel(app, family.enrollment_id)
    row = payment_row(db, payment.id)
    failed = send_event(webhook, "refund.updated", dict(stripe_on.refunds[row.refund_id], status="failed"))
    assert failed.json["outcome"] == "refund_failed"
    assert payment_row(db, payment.id).status is PaymentStatus.PAID


def test_a_refund_made_in_stripes_dashboard_is_recorded(app, db, stripe_on, started):
    _family, payment = started
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    send_event(webhook, "checkout.session.completed", session)
    charge = {"id": "ch_2", "object": "charge", "payment_intent": session["payment_intent"], "amount": 4500,
              "amount_refunded": 1000}
    assert send_event(webhook, "charge.refunded", charge).json["outcome"] == "recorded"
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.PAID and row.refunded_cents == 1000  # partly refunded: still paid
    assert send_event(webhook, "charge.refunded", dict(charge, amount_refunded=4500)).json["outcome"] == "refunded"
    assert payment_row(db, payment.id).status is PaymentStatus.REFUNDED


HOSTILE_BODIES = [
    "", "null", "[]", "{}", '"text"', "{not json", "\x00\xff", '{"id": 5, "type": []}',
    '{"id": "evt_x", "type": "checkout.session.completed"}',
    '{"id": "evt_y", "type": "checkout.session.completed", "data": null}',
    '{"id": "evt_z", "type": "checkout.session.completed", "data": {"object": "x"}}',
    '{"id": "evt_w", "type": "checkout.session.completed", "data": {"object": {"client_reference_id": "١٢"}}}',
    '{"id": "evt_v", "type": "checkout.session.completed", "data": {"object": {"client_reference_id": '
    '"99999999999999999999"}}}',
    '{"id": "evt_u", "type": "charge.refunded", "data": {"object": {"payment_intent": ["x"], '
    '"amount_refunded": "lots"}}}',
    '{"id": "evt_t", "type": "refund.updated", "data": {"object": {"payment_intent": {"a": 1}, "status": 7}}}',
    json.dumps({"id": "e" * 5000, "type": "t" * 5000, "data": {"object": {}}}),
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_bodies_never_500(app, db, stripe_on, body):
    webhook = app.test_client()
    unsigned = webhook.post(WEBHOOK_URL, data=body.encode("utf-8", "surrogatepass"))
    assert unsigned.status_code == 400
    signed = webhook.post(WEBHOOK_URL, data=body.encode("utf-8", "surrogatepass"),
                          headers={"Stripe-Signature": sign(body)})
    assert signed.status_code in (200, 400)
    garbage = webhook.post(WEBHOOK_URL, data=body, headers={"Stripe-Signature": "t=abc,v1=\u00e9\u0000"})
    assert garbage.status_code == 400


def test_without_a_webhook_secret_every_event_is_refused(app, db, stripe_on, started, monkeypatch):
    _family, payment = started
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    session = stripe_on.complete_session(payment.stripe_session_id)
    assert send_event(app.test_client(), "checkout.session.completed", session).status_code == 400
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING


def test_an_old_session_paid_after_a_new_one_is_refunded(app, db, client, stripe_on, started):
    family, first = started
    old_session = dict(stripe_on.sessions[first.stripe_session_id])
    stripe_on.expire_session(first.stripe_session_id)
    post_form(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")  # a new payment
    webhook = app.test_client()
    db.session.expire_all()
    second = db.session.scalars(select(Payment).where(Payment.household_id == family.household_id,
                                                      Payment.id != first.id)).one()
    send_event(webhook, "checkout.session.completed", stripe_on.complete_session(second.stripe_session_id))
    late = dict(old_session, status="complete", payment_status="paid", payment_intent="pi_old")
    stripe_on.sessions[first.stripe_session_id]["payment_intent"] = "pi_old"  # Stripe knows its PaymentIntent
    assert send_event(webhook, "checkout.session.completed", late).json["outcome"] == "paid_twice_refunded"
    assert payment_row(db, first.id).status is PaymentStatus.REFUND_PENDING
    assert payment_row(db, second.id).status is PaymentStatus.PAID
    assert receipts(db, family.user.email) == 1


def test_the_webhook_is_the_only_route_without_csrf(app, db, client, make_user):
    from portal.extensions import csrf

    assert csrf._exempt_views == {"training.payments.views.stripe_webhook"}
    assert not csrf._exempt_blueprints
    # Its neighbours still need the token: a family's pay without one is refused.
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    response = client.post(f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.status_code in (400, 403, 409, 422) and "Location" not in response.headers


def test_a_payment_arriving_for_a_seat_cancelled_meanwhile_is_refunded(app, db, stripe_on, started):
    family, payment = started
    cancel(app, family.enrollment_id)  # nothing paid yet: nothing to refund
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING
    session = stripe_on.complete_session(payment.stripe_session_id)
    answer = send_event(app.test_client(), "checkout.session.completed", session)
    assert answer.status_code == 200
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.REFUND_PENDING and row.refund_id
    assert receipts(db, family.user.email) == 0


def test_stripe_down_while_refunding_answers_503_so_stripe_retries(app, db, stripe_on, started):
    family, payment = started
    cancel(app, family.enrollment_id)
    session = stripe_on.complete_session(payment.stripe_session_id)
    stripe_on.fail_next = 5
    answer = send_event(app.test_client(), "checkout.session.completed", session, event_id="evt_retry")
    assert answer.status_code == 503
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING  # nothing kept, the event not stored
    stripe_on.fail_next = 0
    again = send_event(app.test_client(), "checkout.session.completed", session, event_id="evt_retry")
    assert again.status_code == 200
    assert payment_row(db, payment.id).status is PaymentStatus.REFUND_PENDING
