"""Forms of training.hours: attendance, outside hours, their review, the agency's rule, checking a certificate."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DecimalField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput, TextInput

from licensing.application.sections import MultiCheckboxField
from licensing.fields import long_text, text
from portal.clock import agency_today
from portal.forms import IntegerField, PortalForm
from training.hours.labels import CATEGORY, FORMAT


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


class HoursField(DecimalField):
    """Hours as people type them: 2, 1.5 or 1,5 (Spanish), at most one decimal. Anything else (a 400-digit number,
    NaN, an exponent) is simply not a number of hours: the field's own message, never an arithmetic error."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        typed = str(valuelist[0]).strip().replace(",", ".")
        self.data = None
        if not typed:
            return
        if not re.fullmatch(r"\d{1,3}(\.\d)?", typed):
            raise ValueError(_l("Use at most one decimal, for example 1.5."))
        self.data = Decimal(typed)


class AttendanceForm(PortalForm):
    """The roster's checkboxes arrive as `present` (member ids); the view keeps only the roster's own."""

    present = MultiCheckboxField(_l("Present"), coerce=int, choices=[], validate_choice=True)


class OutsideHoursForm(PortalForm):
    member = SelectField(_l("Who took it"), coerce=int, choices=[], validators=[InputRequired()])
    title = text(_l("Training, class or book title"), 200)
    provider = text(_l("Who gave it (agency, website, author)"), 200, required=False)
    format = SelectField(_l("Kind"), choices=_choices(FORMAT), validators=[InputRequired()])
    category = SelectField(_l("Counts as"), choices=_choices(CATEGORY), validators=[InputRequired()])
    # A text box with the decimal keypad: a number input's spinner steps whole hours, and phones hide the point.
    hours = HoursField(_l("Hours"), places=1, widget=TextInput(), render_kw={"inputmode": "decimal"}, validators=[
        InputRequired(message=_l("Enter the hours, for example 2 or 1.5.")),
        NumberRange(min=Decimal("0.5"), max=Decimal("40"),
                    message=_l("Enter between %(min)s and %(max)s hours.", min="0.5", max="40"))])
    completed_on = DateField(_l("Date completed"), validators=[InputRequired(message=_l("Enter a date."))])
    expires_on = DateField(_l("Certification valid until (CPR and First Aid; optional)"), validators=[Optional()])

    def validate_completed_on(self, field) -> None:
        if field.data and field.data > agency_today():
            raise ValidationError(_l("The date can't be in the future."))
        if field.data and field.data.year < 1990:
            raise ValidationError(_l("Enter a date after 1990."))

    def validate_expires_on(self, field) -> None:
        if field.data and self.completed_on.data and field.data <= self.completed_on.data:
            raise ValidationError(_l("The certification must be valid after the day it was completed."))
        if field.data and field.data.year > 2100:
            raise ValidationError(_l("Enter a date before 2100."))


class DecisionForm(PortalForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("reject", _l("Not accept"))],
                           validators=[InputRequired()])
    reason = long_text(_l("Reason (needed to not accept; the family sees it)"), 2000)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == "reject" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Write why, in words for the family.")]
            return False
        return valid


class TrainingRuleForm(PortalForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    preservice_hours = IntegerField(_l("Pre-service hours needed before licensing"), validators=[
        InputRequired(message=_l("Enter a number of hours.")),
        NumberRange(min=0, max=200, message=_l("Enter between %(min)s and %(max)s hours."))])
    inservice_hours = IntegerField(_l("In-service hours needed each license year, per parent"), validators=[
        InputRequired(message=_l("Enter a number of hours.")),
        NumberRange(min=0, max=100, message=_l("Enter between %(min)s and %(max)s hours."))])
    inservice_categories = MultiCheckboxField(_l("Courses that count as in-service hours"), choices=[
        SelectChoice(k.value, v) for k, v in CATEGORY.items()], validate_choice=True)
    support_groups_count = BooleanField(_l("Support-group meetings count as in-service hours"))
    cpr_valid_months = IntegerField(_l("CPR and First Aid certification valid for (months)"), validators=[
        InputRequired(message=_l("Enter a number of months.")),
        NumberRange(min=1, max=120, message=_l("Enter between %(min)s and %(max)s months."))])
    online_cpr_counts = BooleanField(_l("An online CPR course counts"))


class CertificateCheckForm(PortalForm):
    class Meta(PortalForm.Meta):
        csrf = False  # a search by GET: it changes nothing

    code = StringField(_l("Verification code"), validators=[Optional(), Length(max=20)],
                       filters=[lambda v: (v or "").strip().upper() or None])
