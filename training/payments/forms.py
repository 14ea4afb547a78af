"""Forms of payments: what staff record at the office, and the amounts of the agency's fees."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from licensing.fields import long_text
from portal.forms import PortalForm
from training.payments.labels import OFFLINE_METHOD_LABELS


class SettleOfflineForm(PortalForm):
    """A fee or a seat settled at the office: waived, or paid in cash, by check or otherwise, always with a reason."""

    outcome = RadioField(_l("What happened"), choices=[SelectChoice("paid_offline", _l("Paid at the office")),
                                                       SelectChoice("waived", _l("Waived: nothing to pay"))],
                         validators=[InputRequired(message=_l("Choose paid at the office or waived."))])
    method = SelectField(_l("Paid by"), choices=[SelectChoice("", "—"), *[SelectChoice(key.value, label) for key, label
                                                                         in OFFLINE_METHOD_LABELS.items()]],
                         validate_choice=False)  # checked below: left out when waived
    # No "may be empty" validator here: it would stop the chain before validate_receipt asks for it.
    receipt = StringField(_l("Receipt number"), validators=[Length(max=60, message=_l(
        "Use at most %(max)d characters.", max=60))])
    reason = long_text(_l("Reason (kept in the payment's history)"), 1000, required=True,
                       message=_l("Give a reason."))

    def validate_method(self, field) -> None:
        if field.data and field.data not in {key.value for key in OFFLINE_METHOD_LABELS}:
            raise ValidationError(_l("Not a valid choice."))
        if self.outcome.data == "paid_offline" and not field.data:
            raise ValidationError(_l("Choose how it was paid."))

    def validate_receipt(self, field) -> None:
        if self.outcome.data == "paid_offline" and not (field.data or "").strip():
            raise ValidationError(_l("Give the receipt number."))


class FeeAmountForm(PortalForm):
    """The amount of one fee requirement, in dollars and cents as typed; stored in cents."""

    amount = DecimalField(_l("Amount in US dollars (empty: paid at the office only)"), places=2,
                          validators=[Optional(), NumberRange(min=0, max=10000,
                                                              message=_l("Enter an amount from 0 to 10,000."))])

    def validate_amount(self, field) -> None:
        if field.data is not None and (not field.data.is_finite() or field.data != field.data.quantize(
                type(field.data)("0.01"))):
            raise ValidationError(_l("Enter an amount in dollars and cents, like 49.25."))

    @property
    def cents(self) -> int | None:
        return int(self.amount.data * 100) if self.amount.data else None
