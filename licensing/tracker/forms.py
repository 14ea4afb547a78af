"""Forms of the licensing tracker."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from licensing.application.forms import saved_reason_field
from licensing.fields import EmptyAllowedUnless, Upcoming, age_field, check_age_range, long_text, text
from licensing.tracker.labels import (
    CHECK_STATUS,
    ITEM_STATUS,
    LICENSE_TYPE,
    REPORT_SECTION_TITLES,
    REQUIREMENT_SCOPE,
    REQUIREMENT_STAGE,
    REQUIREMENT_TYPE,
    SAFETY_ITEM_LABELS,
    SAFETY_RESULT,
    VISIT_KIND,
)
from licensing.tracker.models import ItemStatus
from licensing.tracker.services.home_study import REPORT_SECTIONS
from licensing.tracker.services.safety import SAFETY_ITEMS
from portal.clock import agency_today
from portal.forms import IntegerField, PortalForm
from portal.i18n import CHECK_PAYMENT
from portal.routing import MAX_ID

PAYMENT_METHODS = {"cash": _l("Cash"), "check": CHECK_PAYMENT, "money_order": _l("Money order"),
                   "card_in_person": _l("Card, paid in person")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(getattr(key, "value", key), label) for key, label in labels.items()]


def version_field() -> IntegerField:
    """The version the form was opened on (optimistic locking), parsed and checked by WTForms."""
    return IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ItemUpdateForm(PortalForm):
    # Shown next to the reason box when the saved reason chosen was taken out of use meanwhile.
    missing = _l("The saved reason you chose is no longer offered: write the reason the family will see, or choose "
                 "another one.")
    version = version_field()
    status = SelectField(_l("New status"), choices=_choices({k: v for k, v in ITEM_STATUS.items()
                                                             if k is not ItemStatus.EXPIRED}),
                         validators=[InputRequired()])
    reason = long_text(_l("Reason (needed to return or waive; the family sees it)"), 2000)
    saved_reason = saved_reason_field()
    hours = IntegerField(_l("Hours completed"), validators=[Optional(), NumberRange(
        min=0, max=500, message=_l("Enter between %(min)s and %(max)s hours."))])
    payment_method = SelectField(_l("Paid by"), choices=[SelectChoice("", "—"), *_choices(PAYMENT_METHODS)],
                                 validators=[Optional()])
    receipt_number = text(_l("Receipt number"), 60, required=False)


class CheckUpdateForm(PortalForm):
    version = version_field()
    status = SelectField(_l("Status"), choices=_choices(CHECK_STATUS), validators=[InputRequired()])


class ProposeVisitForm(PortalForm):
    kind = SelectField(_l("Visit"), choices=_choices(VISIT_KIND), validators=[InputRequired()])
    slot_1 = DateTimeLocalField(_l("First time you offer"), format="%Y-%m-%dT%H:%M",
                                validators=[InputRequired(message=_l("Offer at least one time.")), Upcoming()])
    slot_2 = DateTimeLocalField(_l("Second time (optional)"), format="%Y-%m-%dT%H:%M",
                                validators=[EmptyAllowedUnless(), Upcoming()])
    slot_3 = DateTimeLocalField(_l("Third time (optional)"), format="%Y-%m-%dT%H:%M",
                                validators=[EmptyAllowedUnless(), Upcoming()])


class SlotChoiceForm(PortalForm):
    """The family chooses one of the times offered for a visit."""

    slot = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])  # an id the database can hold


class CompleteVisitForm(PortalForm):
    notes = long_text(_l("Notes (staff only)"), 4000)


def safety_form_class(self_check: bool) -> type[PortalForm]:
    """One question per line of the home safety checklist."""
    fields = {}
    for code in SAFETY_ITEMS:
        fields[f"{code}_result"] = RadioField(SAFETY_ITEM_LABELS[code], choices=_choices(SAFETY_RESULT),
                                              validators=[InputRequired(message=_l("Choose an answer."))])
        fields[f"{code}_note"] = StringField(_l("Note"), validators=[Length(max=500)])
    return type("SelfCheckForm" if self_check else "SafetyInspectionForm", (PortalForm,), fields)


def home_study_form_class() -> type[PortalForm]:
    fields = {key: TextAreaField(REPORT_SECTION_TITLES[key], validators=[Length(max=20000)],
                                 render_kw={"rows": 6}) for key in REPORT_SECTIONS}
    fields["version"] = IntegerField(widget=HiddenInput(), validators=[Optional()])  # empty before the first save
    return type("HomeStudyReportForm", (PortalForm,), fields)


class LicenseForm(PortalForm):
    number = text(_l("License number"), 40, message=_l("Enter the license number."))
    type = SelectField(_l("License type"), choices=_choices(LICENSE_TYPE), validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity (children at once)"), validators=[
        InputRequired(message=_l("Enter a number.")),
        NumberRange(min=1, max=12, message=_l("Enter a number between %(min)s and %(max)s."))])
    age_min = age_field(_l("Youngest age"))
    age_max = age_field(_l("Oldest age"))
    effective_on = DateField(_l("Effective from"), validators=[InputRequired(message=_l("Enter a date."))])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired(message=_l("Enter a date."))])

    validate_age_max = check_age_range

    def validate_effective_on(self, field):
        if field.data and abs((field.data - agency_today()).days) > 366:
            raise ValidationError(_l("The license takes effect within a year of today."))

    def validate_expires_on(self, field):
        if self.effective_on.data and field.data and field.data <= self.effective_on.data:
            raise ValidationError(_l("The license must expire after it takes effect."))
        if field.data and field.data <= agency_today():
            raise ValidationError(_l("The expiry date must be in the future."))
        if self.effective_on.data and field.data and (field.data - self.effective_on.data).days > 5 * 366:
            raise ValidationError(_l("A license runs for five years at most."))


class RequirementTemplateForm(PortalForm):
    code = StringField(_l("Code (letters, digits and _)"), validators=[
        InputRequired(message=_l("This field is required.")), Length(max=60),
        Regexp(r"^[a-z0-9_]+$", message=_l("Use lower-case letters, digits and _ only."))])
    type = SelectField(_l("Type"), choices=_choices(REQUIREMENT_TYPE), validators=[InputRequired()])
    scope = SelectField(_l("Who must meet it"), choices=_choices(REQUIREMENT_SCOPE), validators=[InputRequired()])
    stage = SelectField(_l("Stage"), choices=_choices(REQUIREMENT_STAGE), validators=[InputRequired()])
    title_en = text(_l("Title in English"), 200)
    title_es = text(_l("Title in Spanish"), 200)
    explanation_en = long_text(_l("What the family reads, in English"), 4000)
    explanation_es = long_text(_l("What the family reads, in Spanish"), 4000)
    hours_required = IntegerField(_l("Hours required (training)"), validators=[Optional(), NumberRange(min=0,
                                                                                                     max=500)])
    due_days = IntegerField(_l("Due this many days after submission (or after licensing, for renewal items)"),
                            validators=[Optional(), NumberRange(min=0, max=3650)])
    renews_every_months = IntegerField(_l("Expires and renews every N months (empty: met once)"),
                                       validators=[Optional(), NumberRange(min=1, max=120)])
    for_renewal = BooleanField(_l("Renewal item (created when the license is issued)"))
    active = BooleanField(_l("In use"))
