"""Words for payments' stored values, for templates (registered on the app by training/payments/views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.i18n import CHECK_PAYMENT, label_of
from training.payments.models import PAYMENT_STATUS_LABELS, OfflineMethod, PaymentPurpose

OFFLINE_METHOD_LABELS = {
    OfflineMethod.CASH: _l("Cash"),
    OfflineMethod.CHECK: CHECK_PAYMENT,
    OfflineMethod.OTHER: _l("Other"),
}
PURPOSE_LABELS = {
    PaymentPurpose.ENROLLMENT: _l("Training seat"),
    PaymentPurpose.FEE_ITEM: _l("Licensing fee"),
}


def payment_status_label(value) -> str:
    return label_of(PAYMENT_STATUS_LABELS, value)


def offline_method_label(value) -> str:
    return label_of(OFFLINE_METHOD_LABELS, value)


def purpose_label(value) -> str:
    return label_of(PURPOSE_LABELS, value)
