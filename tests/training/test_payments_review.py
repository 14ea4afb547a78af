# ruff: noqa: F811  (the fixtures imported from payments_support are named as test arguments)
"""Review fixes of the payments (issue 11): a session left open when staff settle at the office, refund events
arriving before their payment, a checkout started for something already paid, Stripe's answer read without checks,
and the licensing checklist drawn without training."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.models import OutboxMessage, Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.payments_support import (  # noqa: F401  (fixtures)
    only_payment,
    paid_household,
    payment_row,
    send_event,
    stripe_on,
    stripe_server,
)
from training.payments.models import Payment, PaymentStatus, StripeEvent


def _started(app, db, make_user):
    family = paid_household(app, make_user)
    family_client = app.test_client()
    sign_in(family_client, family.user)
    post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    return family, family_client, only_payment(db, family.household_id)


def _settle_url(family) -> str:
    return f"/training/staff/payments/enrollments/{family.enrollment_id}/settle"


# 1. Settling at the office closes the family's open Checkout page; money paid there anyway is refunded, visibly.

def test_settling_at_the_office_expires_the_open_checkout_session(app, db, client, make_user, stripe_on):
    family, _family_client, payment = _started(app, db, make_user)
    sign_in(client, make_user(Role.HOMEFINDER))
    assert post_form(client, _settle_url(family), {"outcome": "waived", "reason": "Scholarship"}).status_code == 303
    assert payment_row(db, payment.id).status is PaymentStatus.WAIVED
    assert stripe_on.sessions[payment.stripe_session_id]["status"] == "expired"
    assert any(method == "POST" and path == f"/v1/checkout/sessions/{payment.stripe_session_id}/expire"
               for method, path, _form in stripe_on.requests)


def test_settling_is_refused_while_stripe_cannot_close_the_checkout(app, db, client, make_user, stripe_on):
    family, _family_client, payment = _started(app, db, make_user)
    sign_in(client, make_user(Role.HOMEFINDER))
    stripe_on.fail_next = 10
    refused = post_form(client, _settle_url(family), {"outcome": "waived", "reason": "Scholarship"})
    stripe_on.fail_next = 0
    assert refused.status_code == 422
    assert "Stripe could not be reached" in text_of(refused) and "Scholarship" in text_of(refused)
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING
    assert stripe_on.sessions[payment.stripe_session_id]["status"] == "open"


def test_settling_is_refused_when_the_family_just_paid_online(app, db, client, make_user, stripe_on):
    family, _family_client, payment = _started(app, db, make_user)
    stripe_on.complete_session(payment.stripe_session_id)
    sign_in(client, make_user(Role.HOMEFINDER))
    refused = post_form(client, _settle_url(family), {"outcome": "waived", "reason": "Scholarship"})
    assert refused.status_code == 422 and "paid online" in text_of(refused)
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING


def test_paid_online_after_settled_is_kept_visible_and_refunded(app, db, client, make_user, stripe_on):
    family, _family_client, payment = _started(app, db, make_user)
    session = dict(stripe_on.sessions[payment.stripe_session_id])  # the tab the family left open
    sign_in(client, make_user(Role.HOMEFINDER))
    post_form(client, _settle_url(family), {"outcome": "waived", "reason": "Scholarship"})
    # Stripe charged it anyway (the session was paid a moment before it was expired).
    stripe_on.sessions[payment.stripe_session_id].update(status="complete", payment_status="paid",
                                                         payment_intent="pi_after_waived")
    paid = dict(session, status="complete", payment_status="paid", payment_intent="pi_after_waived")
    webhook = app.test_client()
    answer = send_event(webhook, "checkout.session.completed", paid)
    assert answer.status_code == 200 and answer.json["outcome"] == "paid_after_settled_refunded"
    assert send_event(webhook, "checkout.session.async_payment_succeeded", paid).json["outcome"] == "already_paid"
    db.session.expire_all()
    assert payment_row(db, payment.id).status is PaymentStatus.WAIVED  # the office's word stands
    online = db.session.scalars(select(Payment).where(Payment.household_id == family.household_id,
                                                      Payment.id != payment.id)).one()
    assert online.payment_intent_id == "pi_after_waived" and online.status is PaymentStatus.REFUND_PENDING
    refund = stripe_on.refunds[online.refund_id]
    assert refund["payment_intent"] == "pi_after_waived" and refund["amount"] == 4500
    listed = client.get("/training/staff/payments?status=refund_pending")
    assert "Refund requested" in text_of(listed) and "CPR and First Aid" in text_of(listed)
    # Stripe's refund event finds it.
    done = send_event(webhook, "refund.updated", dict(refund, status="succeeded"))
    assert done.json["outcome"] == "refunded"
    assert payment_row(db, online.id).status is PaymentStatus.REFUNDED


# 2. A refund event arriving before its payment's completed event is retried, not lost.

def test_a_refund_before_its_payment_is_retried_then_applied_once(app, db, make_user, stripe_on):
    family, _family_client, payment = _started(app, db, make_user)
    session = stripe_on.complete_session(payment.stripe_session_id)
    webhook = app.test_client()
    charge = {"id": "ch_early", "object": "charge", "payment_intent": session["payment_intent"], "amount": 4500,
              "amount_refunded": 4500, "refunded": True, "metadata": {"payment_id": str(payment.id)}}
    early = send_event(webhook, "charge.refunded", charge, event_id="evt_refund_early")
    assert early.status_code >= 500
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    assert send_event(webhook, "checkout.session.completed", session).json["outcome"] == "paid"
    again = send_event(webhook, "charge.refunded", charge, event_id="evt_refund_early")
    assert again.status_code == 200 and again.json["outcome"] == "refunded"
    assert send_event(webhook, "charge.refunded", charge, event_id="evt_refund_early").json["outcome"] == "duplicate"
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.REFUNDED and row.refunded_cents == 4500
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "payment_refunded", OutboxMessage.recipient == family.user.email)) == 1


def test_a_refund_found_by_its_metadata_when_the_intent_is_unknown(app, db, make_user, stripe_on):
    _family, _family_client, payment = _started(app, db, make_user)
    webhook = app.test_client()
    # Without a payment intent at all, only our metadata names the payment: not paid yet, so retried.
    refund = {"id": "re_meta", "object": "refund", "payment_intent": None, "amount": 4500, "status": "succeeded",
              "metadata": {"payment_id": str(payment.id)}}
    assert send_event(webhook, "refund.updated", refund).status_code >= 500
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


# 3. A checkout is never started for something already paid; Stripe's answer is checked like the webhook's.

def test_no_checkout_for_something_already_paid_even_with_a_newer_open_session(app, db, make_user, stripe_on):
    family, family_client, first = _started(app, db, make_user)
    old_session = dict(stripe_on.sessions[first.stripe_session_id])
    stripe_on.expire_session(first.stripe_session_id)
    post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")  # a newer session
    paid = dict(old_session, status="complete", payment_status="paid", payment_intent="pi_first")
    assert send_event(app.test_client(), "checkout.session.completed", paid).json["outcome"] == "paid"
    again = post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert again.status_code == 409 and "already paid" in text_of(again)


def test_stripes_answer_for_another_amount_pays_nothing(app, db, make_user, stripe_on):
    family, family_client, payment = _started(app, db, make_user)
    stripe_on.complete_session(payment.stripe_session_id)
    stripe_on.sessions[payment.stripe_session_id]["amount_total"] = 100
    post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert payment_row(db, payment.id).status is PaymentStatus.PENDING


# 4. The licensing checklist does not depend on training's helpers.

def test_the_family_checklist_renders_without_trainings_helpers(app, db, client, make_user, stripe_on,
                                                                 monkeypatch):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    assert "Pay $25.00 online" in text_of(client.get("/licensing/checklist"))
    processors = app.template_context_processors[None]
    monkeypatch.setitem(app.template_context_processors, None,
                        [p for p in processors if not p.__module__.startswith("training")])
    page = client.get("/licensing/checklist")
    assert page.status_code == 200
    assert "Pay $25.00 online" not in text_of(page)
