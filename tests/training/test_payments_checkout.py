# ruff: noqa: F811  (the fixtures imported from payments_support are named as test arguments)
"""Paying a training seat or a licensing fee with Stripe Checkout (the real stripe library against a loopback
server), and the "pay at the office" answer without keys."""

from __future__ import annotations

from sqlalchemy import select

from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.models import AuditEvent, OutboxMessage, Role
from tests.conftest import csrf_token, post_form, sign_in, text_of
from tests.training.payments_support import (  # noqa: F401  (fixtures)
    only_payment,
    paid_household,
    payment_row,
    send_event,
    stripe_off,
    stripe_on,
    stripe_server,
)
from training.catalog.models import Enrollment, EnrollmentStatus
from training.payments.models import PaymentStatus


def pay(client, url: str):
    return post_form(client, url)


def test_paying_a_seat_opens_one_checkout_session_and_redirects(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    response = pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.status_code == 303
    payment = only_payment(db, family.household_id)
    assert payment.status is PaymentStatus.PENDING and payment.amount_cents == 4500
    assert response.headers["Location"] == payment.checkout_url
    method, path, form = stripe_on.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert form["client_reference_id"] == str(payment.id)
    assert form["metadata"]["payment_id"] == str(payment.id)
    assert form["line_items"]["0"]["price_data"] == {"currency": "usd", "unit_amount": "4500",
                                                     "product_data": {"name": "CPR and First Aid"}}
    assert form["_idempotency_key"].startswith(f"portal-checkout-{payment.id}-")
    assert form["success_url"] == f"http://localhost/training/payments/{payment.id}/done"

    # A second click reuses the open session: no second payment, no second session.
    again = pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert again.headers["Location"] == payment.checkout_url
    assert only_payment(db, family.household_id).id == payment.id


def test_the_success_page_is_no_proof(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    payment = only_payment(db, family.household_id)
    page = client.get(f"/training/payments/{payment.id}/done")
    assert page.status_code == 200
    assert "as soon as Stripe tells us" in text_of(page)
    assert only_payment(db, family.household_id).status is PaymentStatus.PENDING


def test_an_expired_session_is_replaced_by_a_new_payment(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    first = only_payment(db, family.household_id)
    stripe_on.expire_session(first.stripe_session_id)
    response = pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.status_code == 303
    assert payment_row(db, first.id).status is PaymentStatus.EXPIRED
    newest = stripe_on.requests[-1][2]
    assert newest["client_reference_id"] != str(first.id)


def test_a_session_paid_meanwhile_is_recorded_from_stripes_answer(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    payment = only_payment(db, family.household_id)
    stripe_on.complete_session(payment.stripe_session_id)
    response = pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.headers["Location"].endswith(f"/training/payments/{payment.id}/done")
    assert payment_row(db, payment.id).status is PaymentStatus.PAID


def test_a_stripe_failure_stores_nothing(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    stripe_on.fail_next = 5
    response = pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.status_code == 409
    assert "not available right now" in text_of(response)
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment_started",
                                                      AuditEvent.household_id == family.household_id)) is None


def test_a_fee_item_paid_online_is_approved_on_the_checklist(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user, locale="es")
    sign_in(client, family.user)
    page = client.get("/licensing/checklist")
    assert ("Pagar" in text_of(page) and "25,00" in text_of(page)) or "$25.00" in text_of(page)
    response = pay(client, f"/training/payments/fee-items/{family.item_id}/pay")
    assert response.status_code == 303
    payment = only_payment(db, family.household_id)
    assert payment.amount_cents == 2500
    session = stripe_on.complete_session(payment.stripe_session_id)
    answer = send_event(app.test_client(), "checkout.session.completed", session)
    assert answer.status_code == 200 and answer.json["outcome"] == "paid", (answer.json, session, payment.id,
                                                                             payment.stripe_session_id)
    db.session.expire_all()
    item = db.session.get(ChecklistItem, family.item_id)
    assert item.status is ItemStatus.APPROVED
    assert (item.payment_method, item.receipt_number) == ("online", session["payment_intent"])
    receipt = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == family.user.email)
                                 .where(OutboxMessage.template == "payment_receipt")).one()
    assert (receipt.locale == "es" and "25,00" in receipt.body_text) or "$25.00" in receipt.body_text


def test_without_keys_the_family_is_told_to_pay_at_the_office(app, db, client, make_user, stripe_off):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    page = client.get("/licensing/checklist")
    assert "Please pay at the office" in text_of(page)
    assert f"/training/payments/fee-items/{family.item_id}/pay" not in page.get_data(as_text=True)
    response = pay(client, f"/training/payments/fee-items/{family.item_id}/pay")
    assert response.status_code == 409
    assert "pay at the office" in text_of(response)
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment_started",
                                                      AuditEvent.household_id == family.household_id)) is None


def test_a_waitlisted_seat_has_nothing_to_pay(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    enrollment = db.session.get(Enrollment, family.enrollment_id)
    enrollment.status = EnrollmentStatus.WAITLISTED
    db.session.commit()
    sign_in(client, family.user)
    assert pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay").status_code == 409


def test_another_household_gets_404_for_everything_named_by_id(app, db, client, make_user, stripe_on):
    owner = paid_household(app, make_user)
    owner_client = app.test_client()
    sign_in(owner_client, owner.user)
    pay(owner_client, f"/training/payments/enrollments/{owner.enrollment_id}/pay")
    payment = only_payment(db, owner.household_id)
    other = paid_household(app, make_user)
    sign_in(client, other.user)
    token = csrf_token(client)
    assert client.get(f"/training/payments/{payment.id}/done").status_code == 404
    assert client.post(f"/training/payments/enrollments/{owner.enrollment_id}/pay",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/training/payments/fee-items/{owner.item_id}/pay",
                       data={"csrf_token": token}).status_code == 404
    assert payment.description_en not in client.get("/training/payments").get_data(as_text=True) or \
        only_payment(db, other.household_id) is None


def test_my_payments_lists_amounts_in_the_locale(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user, locale="es", role=Role.APPLICANT)
    sign_in(client, family.user)
    pay(client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    page = client.get("/training/payments")
    assert page.status_code == 200
    text = text_of(page)
    assert "RCP y primeros auxilios" in text
    assert "45,00" in text or "$45.00" in text


def _render_seats(app, user, count: int) -> str:
    """What part E's pages do: include the pay button for each of a family's enrollments."""
    from flask import render_template_string
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(user)
        rows = db_rows(count, user.household_id)
        return render_template_string(
            "{% for enrollment, session, course in rows %}{% include 'training/_pay_enrollment.html' %}{% endfor %}",
            rows=rows)


def db_rows(count: int, household_id: int):
    from portal.extensions import db as portal_db
    from training.catalog.models import Course, CourseSession

    return portal_db.session.execute(
        select(Enrollment, CourseSession, Course).join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id).where(Enrollment.household_id == household_id)
        .limit(count)).all()


def test_the_enrollment_pay_button_for_part_e(app, db, make_user, count_queries, stripe_on):
    family = paid_household(app, make_user)
    html = _render_seats(app, family.user, 1)
    assert f"/training/payments/enrollments/{family.enrollment_id}/pay" in html
    assert "Pay $45.00 online" in html
    with count_queries() as one:
        _render_seats(app, family.user, 1)
    # More seats of the same household (more courses): the payments are still loaded once.
    for _ in range(4):
        more = paid_household(app, make_user)
        enrollment = db.session.get(Enrollment, more.enrollment_id)
        enrollment.household_id = family.household_id
    db.session.commit()
    with count_queries() as five:
        html = _render_seats(app, family.user, 5)
    assert html.count("online</button>") == 5 or html.count("Pay $45.00 online") == 5
    assert five.count == one.count


def test_the_enrollment_pay_button_without_keys(app, db, make_user, stripe_off):
    family = paid_household(app, make_user)
    html = _render_seats(app, family.user, 1)
    assert "/pay" not in html
    assert "Please pay at the office" in html
