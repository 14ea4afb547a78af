"""Subjects of payments' emails (templates in templates/emails/) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "payment_receipt": _l("Your payment receipt"),
    "payment_refunded": _l("Your payment was refunded"),
})

register_labels({
    "payment_started": _l("Online payment started"),
    "paid_after_settled": _l("Paid online after it was settled at the office: the online payment is refunded"),
    "fee_amount_saved": _l("Fee amount saved"),
})


register_record_labels({
    "Payment": _l("Payment"),
    "FeeAmount": _l("Fee amount"),
})
