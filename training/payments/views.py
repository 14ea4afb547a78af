"""Routes of training.payments: a family pays a seat or a fee with Stripe Checkout and sees its payments; Stripe's
webhook says what was paid; staff list payments, record what was paid at the office or waived, and set fee amounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from licensing.roles import FAMILY, LICENSING_STAFF
from licensing.tracker.models import RequirementTemplate, RequirementType
from portal.access import public, roles_required
from portal.extensions import csrf, db
from portal.forms import keeps_input, render_form
from portal.i18n import current_language
from portal.models import Role
from portal.paging import paginate, search_text
from portal.transitions import Refused
from training import bp
from training.payments import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from training.payments import emails as _emails  # noqa: F401  (email subjects, event words)
from training.payments import lists, services, stripe_client, webhooks
from training.payments.forms import FeeAmountForm, SettleOfflineForm
from training.payments.labels import offline_method_label, payment_status_label, purpose_label
from training.payments.models import PAYMENT_STATUS_LABELS, FeeAmount, PaymentPurpose
from training.payments.permissions import (
    get_enrollment_for_family,
    get_enrollment_for_staff,
    get_fee_item_for_family,
    get_fee_item_for_staff,
    get_payment_for_family,
)


@bp.app_context_processor
def _payment_words():
    """Pay buttons are drawn inside other parts' pages (the catalog's enrollments, the licensing checklist): their
    helpers and words are the app's, each page loading the household's payments once."""
    return {"enrollment_pay_state": lists.enrollment_pay_state, "fee_item_pay_state": lists.fee_item_pay_state,
            "payment_status_label": payment_status_label, "offline_method_label": offline_method_label,
            "payment_purpose_label": purpose_label}


def _checklist_item_pay(item) -> Markup:
    """The pay button of a fee item on the family's licensing checklist (the hook the checklist calls when trainings
    are part of the app: licensing itself knows nothing of payments)."""
    if not current_user.is_authenticated or not current_user.household_id:
        return Markup("")
    # render_template's output is the autoescaped page fragment: safe as it is.
    return Markup(render_template("training/_pay_fee_item.html", item=item))  # noqa: S704


@bp.app_context_processor
def _checklist_hook() -> dict:
    return {"checklist_item_pay": _checklist_item_pay}


def _go_pay(payment, url):
    if url is None:  # Stripe says it is paid, or a bank payment is on its way
        return redirect(url_for("training.payment_done", payment_id=payment.id), code=303)
    return redirect(url, code=303)


@bp.post("/payments/enrollments/<int:enrollment_id>/pay")
@roles_required(*FAMILY, hidden=True)
def pay_enrollment(enrollment_id: int):
    enrollment, _session, course, member = get_enrollment_for_family(current_user, enrollment_id)
    if not services.can_pay_enrollment(enrollment, course):
        raise Refused(_("There is nothing to pay for this enrollment."))
    payment, url = services.start_checkout(current_user, services.enrollment_target(enrollment, course, member))
    return _go_pay(payment, url)


@bp.post("/payments/fee-items/<int:item_id>/pay")
@roles_required(*FAMILY, hidden=True)
def pay_fee_item(item_id: int):
    item, template, household_id, member = get_fee_item_for_family(current_user, item_id)
    amount = services.fee_amount_of(template.id)
    if not services.can_pay_fee_item(item, amount):
        raise Refused(_("There is nothing to pay online for this item."))
    payment, url = services.start_checkout(current_user, services.fee_item_target(item, template, household_id,
                                                                                  member, amount))
    return _go_pay(payment, url)


@bp.get("/payments/<int:payment_id>/done")
@roles_required(*FAMILY, hidden=True)
def payment_done(payment_id: int):
    """Where Stripe sends the family back. Coming back is no proof of payment: the page shows what Stripe has
    confirmed so far."""
    payment = get_payment_for_family(current_user, payment_id)
    return render_template("training/payments/done.html", payment=payment)


@bp.get("/payments")
@roles_required(*FAMILY)
def my_payments():
    household_id = current_user.household_id
    payments = lists.family_payments(household_id) if household_id else []
    owed = lists.still_owed(household_id, current_language()) if household_id else []
    return render_template("training/payments/my_payments.html", payments=payments, owed=owed)


@bp.post("/payments/stripe/webhook")
@public
@csrf.exempt
def stripe_webhook():
    """Stripe's events (the only route without a CSRF token: the signature proves the sender instead)."""
    try:
        outcome = webhooks.handle(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except webhooks.BadEvent:
        return {"error": "invalid event"}, 400
    except stripe_client.StripeUnavailable:
        return {"error": "try again later"}, 503
    except webhooks.NotYet:  # a refund before its payment: not stored, Stripe sends it again
        return {"error": "payment not known yet"}, 503
    return {"received": True, "outcome": outcome}, 200


# --- Staff ---------------------------------------------------------------------------------------------------------


@bp.get("/staff/payments")
@roles_required(*LICENSING_STAFF)
def staff_payments():
    status, purpose, q = request.args.get("status", ""), request.args.get("purpose", ""), search_text()
    page = paginate(lists.staff_payments_query(status, purpose, q), scalars=False)
    return render_template("training/payments/staff_payments.html", page=page, status=status, purpose=purpose, q=q,
                           statuses=PAYMENT_STATUS_LABELS, purposes=PaymentPurpose)


@bp.get("/staff/payments/owed-seats")
@roles_required(*LICENSING_STAFF)
def staff_owed_seats():
    q = search_text()
    page = paginate(lists.owed_seats_query(q), scalars=False)
    return render_template("training/payments/staff_owed_seats.html", page=page, q=q)


def _settle(target, what: str, back: str, item=None):
    form = SettleOfflineForm()
    if form.validate_on_submit():
        try:
            services.settle_offline(current_user, target, waive=form.outcome.data == "waived",
                                    method=form.method.data or "", receipt=form.receipt.data or "",
                                    reason=form.reason.data or "", item=item)
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("training.staff_payments"), code=303)
    return render_form("training/payments/settle.html", form, target=target, what=what, back=back)


@bp.route("/staff/payments/enrollments/<int:enrollment_id>/settle", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def settle_enrollment(enrollment_id: int):
    enrollment, _session, course, member = get_enrollment_for_staff(current_user, enrollment_id)
    target = services.enrollment_target(enrollment, course, member)
    return _settle(target, target.description_es if current_language() == "es" else target.description_en,
                   url_for("training.staff_payments"))


@bp.route("/staff/payments/fee-items/<int:item_id>/settle", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def settle_fee_item(item_id: int):
    item, template, household_id, member = get_fee_item_for_staff(current_user, item_id)
    target = services.fee_item_target(item, template, household_id, member, services.fee_amount_of(template.id))
    return _settle(target, target.description_es if current_language() == "es" else target.description_en,
                   url_for("training.staff_payments"), item=item)


@bp.route("/admin/fees", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@keeps_input
def admin_fee_amounts():
    """The amount of each fee requirement of the licensing checklist (none: the family pays at the office)."""
    templates = db.session.scalars(select(RequirementTemplate).where(RequirementTemplate.type == RequirementType.FEE)
                                   .order_by(RequirementTemplate.position, RequirementTemplate.id)).all()
    amounts = dict(db.session.execute(select(FeeAmount.template_id, FeeAmount.amount_cents)).all())
    chosen = request.form.get("template_id", "") if request.method == "POST" else ""
    template = next((t for t in templates if str(t.id) == chosen), None)
    form = FeeAmountForm()
    if request.method == "POST" and template is None:
        abort(404)
    if template is not None and form.validate_on_submit():
        services.save_fee_amount(current_user, template, form.cents)
        flash(_("Saved."), "success")
        return redirect(url_for("training.admin_fee_amounts"), code=303)
    return render_form("training/payments/admin_fees.html", form, templates=templates, amounts=amounts,
                       chosen=template)

