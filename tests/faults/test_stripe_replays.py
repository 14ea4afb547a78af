# ruff: noqa: F811  (the fixtures imported from payments_support are named as test arguments)
"""Stripe's webhook events delivered five times each and in any order (issue 14, "Faults"), as Stripe does: every event
at least once, retried while the answer is not a 2xx, in no promised order. Whatever the order, each event's effect is
applied once and the payment ends where the in-order story ends: paid once (one receipt, one "paid" in the audit), and
refunded once when a refund came (one refund email).

The events go to the real webhook through the real `stripe` library's signature check, with Stripe's API on the
loopback server (tests/training/stripe_server.py)."""

from __future__ import annotations

import itertools
import random
import secrets
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from portal.database import now_utc
from portal.models import AuditEvent, Household, OutboxMessage, Role, User
from tests.conftest import CSRF_RE, config_for_tests, post_form, sign_in
from tests.faults.conftest import signed_in_client
from tests.training.payments_support import (  # noqa: F401  (fixtures)
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    event,
    only_payment,
    paid_household,
    payment_row,
    sign,
    stripe_on,
    stripe_server,
)
from training.payments.models import Payment, PaymentStatus, StripeEvent

DELIVERIES = 5


@pytest.fixture
def started(app, db, client, make_user, stripe_on):
    """A family that clicked Pay for its seat: a pending payment with an open Checkout Session."""
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    post_form(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    return family, only_payment(db, family.household_id)


def deliver_like_stripe(app, events: list[tuple[str, str]], order: list[int]) -> list[int]:
    """Each (event id, payload) five times in `order` (indexes into `events`, each appearing five times); an answer
    other than 2xx puts the delivery back at the end of the queue, as Stripe retries it later. Returns the status
    codes in the order they were answered."""
    webhook = app.test_client()
    queue = list(order)
    answers: list[int] = []
    while queue:
        assert len(answers) < 20 * len(order), "an event was never accepted"
        index = queue.pop(0)
        _event_id, payload = events[index]
        response = webhook.post(WEBHOOK_URL, data=payload, headers={"Stripe-Signature": sign(payload),
                                                                     "Content-Type": "application/json"})
        answers.append(response.status_code)
        assert response.status_code in (200, 503), response.get_data(as_text=True)[:500]
        if response.status_code != 200:
            queue.append(index)
    return answers


def orders(count: int) -> list[list[int]]:
    """Every event's five deliveries in a row, in each order of the events, and a few shuffles of all of them."""
    in_a_row = [[index for index in permutation for _ in range(DELIVERIES)]
                for permutation in itertools.permutations(range(count))]
    shuffled = []
    for seed in range(2):
        deliveries = [index for index in range(count) for _ in range(DELIVERIES)]
        random.Random(seed).shuffle(deliveries)
        shuffled.append(deliveries)
    return in_a_row + shuffled


def audit_moves(db, payment_id: int, status: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.target_type == "Payment", AuditEvent.target_id == payment_id, AuditEvent.to_status == status))


def mails(db, email: str, template: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.template == template))


@pytest.mark.parametrize("order", orders(3), ids=lambda order: "-".join(map(str, order)))
def test_expired_completed_and_async_succeeded_in_any_order_pay_once(app, db, stripe_on, started, order):
    """An expiry before or after the completed checkout, and the same payment told again by
    async_payment_succeeded: paid once, whatever came first."""
    family, payment = started
    session = dict(stripe_on.complete_session(payment.stripe_session_id))
    events = [("evt_expired", event("checkout.session.expired", dict(session, status="expired", payment_status="unpaid",
                                                                        payment_intent=None), "evt_expired")),
              ("evt_completed", event("checkout.session.completed", session, "evt_completed")),
              ("evt_async", event("checkout.session.async_payment_succeeded", session, "evt_async"))]
    deliver_like_stripe(app, events, order)

    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.PAID and row.payment_intent_id == session["payment_intent"]
    assert audit_moves(db, payment.id, "paid") == 1
    assert mails(db, family.user.email, "payment_receipt") == 1
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 3  # each stored once


@pytest.mark.parametrize("order", orders(2), ids=lambda order: "-".join(map(str, order)))
def test_a_refund_told_before_its_payment_waits_and_both_apply_once(app, db, stripe_on, started, order):
    """A refund made in Stripe's dashboard whose event outruns the payment's: answered 503 (Stripe retries) until
    the payment is known, then recorded; paid once, refunded once."""
    family, payment = started
    session = dict(stripe_on.complete_session(payment.stripe_session_id))
    charge = {"id": "ch_faults", "object": "charge", "payment_intent": session["payment_intent"], "amount": 4500,
              "amount_refunded": 4500, "refunded": True}
    events = [("evt_completed", event("checkout.session.completed", session, "evt_completed")),
              ("evt_refunded", event("charge.refunded", charge, "evt_refunded"))]
    answers = deliver_like_stripe(app, events, order)

    if order[0] == 1:
        assert answers[0] == 503  # the refund came first: not stored, Stripe sends it again
    row = payment_row(db, payment.id)
    assert row.status is PaymentStatus.REFUNDED and row.refunded_cents == 4500
    assert audit_moves(db, payment.id, "paid") == 1 and audit_moves(db, payment.id, "refunded") == 1
    assert mails(db, family.user.email, "payment_receipt") == 1
    assert mails(db, family.user.email, "payment_refunded") == 1
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2


def test_five_deliveries_at_the_same_moment_pay_once(outage, stripe_server):
    """Stripe retries an event whose answer was slow while the first delivery is still being served: five copies at
    once, each in its own request and transaction (the `db` fixture's one connection can't show this, so on a
    database that really commits): one pays, the others find the event stored."""
    app = stripe_app(outage.direct_url, stripe_server)
    try:
        family, payment = pending_payment(app)
        payload = event("checkout.session.completed", dict(stripe_server.complete_session(payment.stripe_session_id)),
                        f"evt_at_once_{payment.id}")

        start = threading.Barrier(DELIVERIES)
        outcomes: list[object] = []

        def deliver() -> None:
            try:
                start.wait(timeout=30)
                response = app.test_client().post(WEBHOOK_URL, data=payload, headers={
                    "Stripe-Signature": sign(payload), "Content-Type": "application/json"})
                outcomes.append((response.status_code, (response.json or {}).get("outcome")))
            except BaseException as error:
                outcomes.append(error)

        threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(outcomes) == [(200, "duplicate")] * (DELIVERIES - 1) + [(200, "paid")]
        with Session(app.extensions["database"].engine) as session:
            assert session.get(Payment, payment.id).status is PaymentStatus.PAID
            assert session.scalar(select(func.count()).select_from(StripeEvent).where(
                StripeEvent.event_id == f"evt_at_once_{payment.id}")) == 1
            assert session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.target_type == "Payment", AuditEvent.target_id == payment.id,
                AuditEvent.to_status == "paid")) == 1
            assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.recipient == family.user.email, OutboxMessage.template == "payment_receipt")) == 1
    finally:
        app.extensions["database"].engine.dispose()


def test_a_webhook_while_the_database_is_down_is_a_503_and_its_retry_pays_once(outage, stripe_server):
    """Stripe retries what was not answered 2xx: the event that met the database gone is applied by a later
    delivery, once."""
    app = stripe_app(outage.app_url, stripe_server, PROPAGATE_EXCEPTIONS=False)
    try:
        family, payment = pending_payment(app)
        payload = event("checkout.session.completed", dict(stripe_server.complete_session(payment.stripe_session_id)),
                        f"evt_outage_{payment.id}")
        webhook = app.test_client()

        def deliver():
            return webhook.post(WEBHOOK_URL, data=payload, headers={"Stripe-Signature": sign(payload),
                                                                     "Content-Type": "application/json"})

        outage.down()
        try:
            gone = deliver()
        finally:
            outage.up()
        assert gone.status_code == 503 and gone.headers["Retry-After"] == "30"
        answers = [deliver() for _ in range(DELIVERIES)]
        assert [(answer.status_code, answer.json["outcome"]) for answer in answers] == \
            [(200, "paid")] + [(200, "duplicate")] * (DELIVERIES - 1)
        with Session(app.extensions["database"].engine) as session:
            assert session.get(Payment, payment.id).status is PaymentStatus.PAID
            assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.recipient == family.user.email, OutboxMessage.template == "payment_receipt")) == 1
    finally:
        app.extensions["database"].engine.dispose()


def stripe_app(url: str, stripe_server, **config):
    return create_app(config_for_tests(url, STRIPE_SECRET_KEY="sk_test_portal", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                                       STRIPE_API_BASE=stripe_server.url, **config))


def pending_payment(app):
    """On a database that really commits: a family that clicked Pay for its seat (a pending payment, an open
    Checkout Session on the loopback Stripe)."""
    family = paid_household(app, committed_user(app))
    client = signed_in_client(app, family_user(app, family.user.id))
    token = CSRF_RE.search(client.get("/training/mine").get_data(as_text=True)).group(1)
    paying = client.post(f"/training/payments/enrollments/{family.enrollment_id}/pay", data={"csrf_token": token})
    assert paying.status_code in (302, 303), paying.get_data(as_text=True)[:500]
    with Session(app.extensions["database"].engine) as session:
        payment = session.scalars(select(Payment).where(Payment.household_id == family.household_id)).one()
    return family, payment


def committed_user(app):
    """`make_user` for a database that really commits: a family account with its household."""

    def make(role, *, locale: str = "en") -> User:
        with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
            user = User(email=f"at-once-{secrets.token_hex(4)}@example.com", full_name="Ana Torres", role=Role(role),
                        preferred_locale=locale, email_confirmed_at=now_utc(), household=Household(name="Torres"))
            session.add(user)
            session.commit()
            return user

    return make


def family_user(app, user_id: int) -> User:
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        return session.get(User, user_id)
