# ruff: noqa: F811  (the fixtures imported from payments_support are named as test arguments)
"""Staff: the payments list (paged, filtered, a fixed number of statements), fees waived or paid at the office with
a reason, fee amounts an admin sets."""

from __future__ import annotations

from sqlalchemy import select

from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.models import AuditEvent, Household, OutboxMessage, Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.payments_support import (  # noqa: F401  (fixtures)
    only_payment,
    paid_household,
    send_event,
    stripe_off,
    stripe_on,
    stripe_server,
)
from training.payments.models import FeeAmount, Payment, PaymentPurpose, PaymentStatus


def test_a_fee_paid_by_check_is_recorded_and_approves_the_item(app, db, client, make_user, stripe_off):
    family = paid_household(app, make_user, locale="es")
    sign_in(client, make_user(Role.HOMEFINDER))
    url = f"/training/staff/payments/fee-items/{family.item_id}/settle"
    assert client.get(url).status_code == 200
    missing = post_form(client, url, {"outcome": "paid_offline", "method": "check", "receipt": "",
                                      "reason": "Paid at the front desk"})
    assert missing.status_code == 422
    assert "Give the receipt number." in text_of(missing)
    assert "Paid at the front desk" in text_of(missing)  # what was typed comes back
    done = post_form(client, url, {"outcome": "paid_offline", "method": "check", "receipt": "CHK-1042",
                                   "reason": "Paid at the front desk"})
    assert done.status_code == 303
    payment = only_payment(db, family.household_id)
    assert payment.status is PaymentStatus.PAID_OFFLINE and payment.offline_method == "check"
    assert payment.purpose is PaymentPurpose.FEE_ITEM and payment.amount_cents == 2500
    item = db.session.get(ChecklistItem, family.item_id)
    assert item.status is ItemStatus.APPROVED
    assert (item.payment_method, item.receipt_number) == ("check", "CHK-1042")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "Payment",
                                                        AuditEvent.target_id == payment.id,
                                                        AuditEvent.to_status == "paid_offline")).one()
    assert event.reason == "Paid at the front desk"
    receipt = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == family.user.email)).one()
    assert receipt.locale == "es" and "CHK-1042" in receipt.body_text
    # Settled: a second record is refused, and the family sees no pay button.
    again = post_form(client, url, {"outcome": "waived", "reason": "Twice"})
    assert again.status_code == 422 and "already paid" in text_of(again)


def test_a_seat_waived_with_a_reason(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, make_user(Role.ADMIN))
    url = f"/training/staff/payments/enrollments/{family.enrollment_id}/settle"
    no_reason = post_form(client, url, {"outcome": "waived", "reason": ""})
    assert no_reason.status_code == 422 and "Give a reason." in text_of(no_reason)
    assert post_form(client, url, {"outcome": "waived", "reason": "Scholarship"}).status_code == 303
    payment = only_payment(db, family.household_id)
    assert payment.status is PaymentStatus.WAIVED and payment.reason == "Scholarship"
    family_client = app.test_client()
    sign_in(family_client, family.user)
    response = post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    assert response.status_code == 409 and "already paid" in text_of(response)


def test_a_fee_waived_moves_the_item_to_waived(app, db, client, make_user, stripe_off):
    family = paid_household(app, make_user)
    sign_in(client, make_user(Role.HOMEFINDER))
    url = f"/training/staff/payments/fee-items/{family.item_id}/settle"
    assert post_form(client, url, {"outcome": "waived", "reason": "Hardship"}).status_code == 303
    item = db.session.get(ChecklistItem, family.item_id)
    assert item.status is ItemStatus.WAIVED and item.reason == "Hardship"


def test_paid_online_after_it_was_waived_is_flagged_not_lost(app, db, client, make_user, stripe_on):
    family = paid_household(app, make_user)
    family_client = app.test_client()
    sign_in(family_client, family.user)
    post_form(family_client, f"/training/payments/enrollments/{family.enrollment_id}/pay")
    payment = only_payment(db, family.household_id)
    sign_in(client, make_user(Role.HOMEFINDER))
    post_form(client, f"/training/staff/payments/enrollments/{family.enrollment_id}/settle",
              {"outcome": "waived", "reason": "Scholarship"})
    # Settling closed the family's page; had Stripe charged it a moment before, the money is refunded, not lost.
    session = stripe_on.complete_session(payment.stripe_session_id)
    answer = send_event(app.test_client(), "checkout.session.completed", session)
    assert answer.json["outcome"] == "paid_after_settled_refunded"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paid_after_settled",
                                                      AuditEvent.target_id == payment.id)) is not None
    online = db.session.scalars(select(Payment).where(Payment.household_id == family.household_id,
                                                      Payment.id != payment.id)).one()
    assert online.status is PaymentStatus.REFUND_PENDING and online.payment_intent_id == session["payment_intent"]


def test_coordinators_and_families_are_kept_out(app, db, client, make_user, stripe_off):
    family = paid_household(app, make_user)
    for role in (Role.COORDINATOR, Role.FAMILY):
        other = app.test_client()
        sign_in(other, make_user(role))
        assert other.get(f"/training/staff/payments/fee-items/{family.item_id}/settle").status_code == 404
        assert other.get(f"/training/staff/payments/enrollments/{family.enrollment_id}/settle").status_code == 404
        assert other.get("/training/staff/payments").status_code == 403
    sign_in(client, make_user(Role.HOMEFINDER))
    # A checklist item that is not a fee is not found here.
    not_a_fee = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.id != family.item_id).limit(1))
    if not_a_fee is not None:
        assert client.get(f"/training/staff/payments/fee-items/{not_a_fee}/settle").status_code == 404


def test_the_staff_list_pages_filters_and_counts_statements(app, db, client, make_user, count_queries, stripe_off):
    family = paid_household(app, make_user)
    # A name without digits: the search below for "Course 59" also reads the household's name, and "Household 5935"
    # (the test users' running number, whatever it is in this run) matched "59" for every payment of the household.
    db.session.get(Household, family.household_id).name = "The Test Family"
    # Payments need a purpose: give them the household's seat (the list doesn't care which).
    rows = [Payment(household_id=family.household_id, purpose=PaymentPurpose.ENROLLMENT,
                    enrollment_id=family.enrollment_id, description_en=f"Course {n}", description_es=f"Curso {n}",
                    amount_cents=1000 + n, status=PaymentStatus.PAID if n % 2 else PaymentStatus.EXPIRED)
               for n in range(3)]
    db.session.add_all(rows)
    db.session.commit()
    sign_in(client, make_user(Role.HOMEFINDER))
    with count_queries() as small:
        page = client.get("/training/staff/payments")
    assert page.status_code == 200 and "Course 2" in text_of(page)
    db.session.add_all([Payment(household_id=family.household_id, purpose=PaymentPurpose.ENROLLMENT,
                                enrollment_id=family.enrollment_id, description_en=f"Course {n}",
                                description_es=f"Curso {n}", amount_cents=500, status=PaymentStatus.EXPIRED)
                        for n in range(3, 60)])
    db.session.commit()
    with count_queries() as large:
        page = client.get("/training/staff/payments")
    assert large.count == small.count
    assert "Showing 1\N{EN DASH}50 of 60" in text_of(page)
    paid = client.get("/training/staff/payments?status=paid&purpose=enrollment")
    assert "Showing 1\N{EN DASH}1 of 1" in text_of(paid)
    searched = client.get("/training/staff/payments?q=Course+59")
    assert "Course 59" in text_of(searched) and "Showing 1\N{EN DASH}1 of 1" in text_of(searched)
    assert client.get("/training/staff/payments?status=<script>&page=-1").status_code == 200


def test_the_family_checklist_loads_payments_once(app, db, client, make_user, count_queries, stripe_on):
    family = paid_household(app, make_user)
    sign_in(client, family.user)
    with count_queries() as before:
        client.get("/licensing/checklist")
    db.session.add_all([Payment(household_id=family.household_id, purpose=PaymentPurpose.FEE_ITEM,
                                checklist_item_id=family.item_id, description_en="Fee", description_es="Pago",
                                amount_cents=2500, status=PaymentStatus.EXPIRED) for _ in range(5)])
    db.session.commit()
    with count_queries() as after:
        client.get("/licensing/checklist")
    assert after.count == before.count


def test_an_admin_sets_a_fee_amount(app, db, client, make_user, stripe_off):
    family = paid_household(app, make_user, fee_amount=None)
    sign_in(client, make_user(Role.ADMIN))
    assert client.get("/training/admin/fees").status_code == 200
    wrong = post_form(client, "/training/admin/fees", {"template_id": str(family.template_id), "amount": "12.345"})
    assert wrong.status_code == 422 and "dollars and cents" in text_of(wrong)
    assert post_form(client, "/training/admin/fees", {"template_id": "999999", "amount": "1"}).status_code == 404
    assert post_form(client, "/training/admin/fees", {"template_id": str(family.template_id),
                                                      "amount": "49.25"}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(FeeAmount.amount_cents).where(FeeAmount.template_id == family.template_id)) \
        == 4925
    assert post_form(client, "/training/admin/fees", {"template_id": str(family.template_id),
                                                      "amount": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(FeeAmount).where(FeeAmount.template_id == family.template_id)) is None


def test_the_demo_sets_the_fingerprinting_fee_once(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalars(select(FeeAmount.amount_cents)).all() == [4925]


def test_owed_seats_list_what_nothing_settles(app, db, client, make_user, count_queries, stripe_off):
    owing = paid_household(app, make_user)
    settled = paid_household(app, make_user)
    free = paid_household(app, make_user, fee_cents=0)
    sign_in(client, make_user(Role.HOMEFINDER))
    post_form(client, f"/training/staff/payments/enrollments/{settled.enrollment_id}/settle",
              {"outcome": "waived", "reason": "Scholarship"})
    with count_queries() as small:
        page = client.get("/training/staff/payments/owed-seats")
    links = page.get_data(as_text=True)
    assert f"/enrollments/{owing.enrollment_id}/settle" in links
    assert f"/enrollments/{settled.enrollment_id}/settle" not in links
    assert f"/enrollments/{free.enrollment_id}/settle" not in links
    for _ in range(3):
        paid_household(app, make_user)
    with count_queries() as large:
        client.get("/training/staff/payments/owed-seats")
    assert large.count == small.count


def test_a_completed_paid_course_still_owes_its_fee(app, db, client, make_user, stripe_off):
    """Attending does not pay: once attendance completes a paid course, the seat's fee stays on the staff's list of
    seats not paid yet and on the family's payments page (a walkthrough saw it vanish from both)."""
    owing = paid_household(app, make_user)
    with app.app_context():
        from portal.extensions import db as portal_db
        from training.catalog.models import Enrollment, EnrollmentStatus

        portal_db.session.get(Enrollment, owing.enrollment_id).status = EnrollmentStatus.COMPLETED
        portal_db.session.commit()
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    assert f"/enrollments/{owing.enrollment_id}/settle" in staff.get(
        "/training/staff/payments/owed-seats").get_data(as_text=True)
    sign_in(client, owing.user)
    page = text_of(client.get("/training/payments"))
    assert "Still to pay" in page and "CPR and First Aid" in page
    assert "Please pay at the office" in page


def test_the_familys_payments_page_lists_what_is_still_owed(app, db, client, make_user, count_queries, stripe_off):
    """"My payments" shows the seat and the checklist fee still to pay (amount, and how to pay), not only payments
    already made; settled things leave the list; a fixed number of statements."""
    owing = paid_household(app, make_user, locale="es")
    sign_in(client, owing.user)
    with count_queries() as small:
        page = text_of(client.get("/training/payments"))
    assert "RCP y primeros auxilios" in page and "$45.00" in page and "$25.00" in page
    assert "oficina" in page
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    post_form(staff, f"/training/staff/payments/enrollments/{owing.enrollment_id}/settle",
              {"outcome": "waived", "reason": "Scholarship"})
    page = text_of(client.get("/training/payments"))
    assert "RCP y primeros auxilios" not in page.split("Pagos")[0]
    with count_queries() as again:
        client.get("/training/payments")
    assert again.count <= small.count
