"""Forms of the catalog: a course, a session with its meetings, enrolling, cancelling (the catalog's filters are read
in views.py, each ignored unless it is one of the choices)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, ValidationError

from licensing.application.sections import MultiCheckboxField
from portal.clock import agency_today
from portal.forms import IntegerField, PortalForm, TranslatedMessages, strip_text
from training.catalog.labels import AUDIENCE, CATEGORY, LANGUAGES
from training.catalog.models import Audience, CourseCategory

DOLLARS = re.compile(r"[0-9]{1,5}(\.[0-9]{1,2})?")
HOURS = re.compile(r"[0-9]{1,3}(\.[0-9])?")


class _Amount(StringField):
    """Typed as "45" or "45.50" (dollars), kept as whole cents; no float ever touches money."""

    def post_validate(self, form, validation_stopped):
        if self.errors or validation_stopped:
            return
        text = (self.data or "").strip().lstrip("$")
        if not DOLLARS.fullmatch(text):
            self.errors.append(_l("Enter an amount in dollars, like 45 or 45.50."))
            return
        self.cents = int(Decimal(text) * 100)


class _Hours(StringField):
    """Typed as "3" or "2.5" hours, kept in tenths of an hour."""

    def post_validate(self, form, validation_stopped):
        if self.errors or validation_stopped:
            return
        text = (self.data or "").strip()
        if not HOURS.fullmatch(text):
            self.errors.append(_l("Enter hours with at most one decimal, like 3 or 2.5."))
            return
        self.tenths = int(Decimal(text) * 10)


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _near_date(_form, field) -> None:
    """Dates of a catalog are within a year back and three ahead (a mistyped year would file a class in 2206)."""
    if field.data is not None and not (agency_today() - timedelta(days=366) <= field.data
                                       <= agency_today() + timedelta(days=3 * 366)):
        raise ValidationError(_l("Enter a date within the next three years."))


class CourseForm(PortalForm):
    title_en = StringField(_l("Title in English"), filters=[strip_text],
                           validators=[InputRequired(message=_l("Enter the title in English.")), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), filters=[strip_text],
                           validators=[InputRequired(message=_l("Enter the title in Spanish.")), Length(max=200)])
    description_en = TextAreaField(_l("Description in English"), filters=[strip_text],
                                   validators=[Optional(), Length(max=5000)])
    description_es = TextAreaField(_l("Description in Spanish"), filters=[strip_text],
                                   validators=[Optional(), Length(max=5000)])
    category = SelectField(_l("Category"), choices=_choices(CATEGORY),
                           validators=[InputRequired(message=_l("Choose a category."))])
    audience = SelectField(_l("Who it is for"), choices=_choices(AUDIENCE))
    credit_hours = _Hours(_l("Credit hours"), default="3", description=_l("Hours credited for the whole course."))
    fee = _Amount(_l("Fee in dollars"), default="0", description=_l("0 for a free course."))
    meeting_count = IntegerField(_l("Number of meetings"), default=1, validators=[
        InputRequired(message=_l("Enter the number of meetings.")), NumberRange(min=1, max=20)])
    valid_months = IntegerField(_l("Certification valid for (months)"), validators=[Optional(), NumberRange(1, 120)],
                                description=_l("CPR and First Aid only; leave empty otherwise."))
    active = BooleanField(_l("Shown in the catalog"), default=True)

    def values(self) -> dict:
        return {"title_en": self.title_en.data, "title_es": self.title_es.data,
                "description_en": self.description_en.data or "", "description_es": self.description_es.data or "",
                "category": CourseCategory(self.category.data), "audience": Audience(self.audience.data),
                "credit_tenths": self.credit_hours.tenths,
                "fee_cents": self.fee.cents, "meeting_count": self.meeting_count.data,
                "valid_months": self.valid_months.data, "active": self.active.data}


class MeetingForm(Form):
    Meta = TranslatedMessages
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date.")), _near_date])
    start = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Enter a time."))])
    duration_minutes = IntegerField(_l("Length in minutes"), default=180, validators=[
        InputRequired(message=_l("Enter the length in minutes.")), NumberRange(min=15, max=720)])
    place = StringField(_l("Place"), filters=[strip_text], validators=[Length(max=300)])
    virtual_link = StringField(_l("Virtual meeting link"), filters=[strip_text], validators=[
        Optional(), Length(max=500), URL(require_tld=False, message=_l("Enter a link that starts with https://."))])

    def validate_place(self, field) -> None:
        if not field.data and not self.virtual_link.data:
            raise ValidationError(_l("Enter a place or a virtual meeting link."))

    def validate_virtual_link(self, field) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a link that starts with https://."))


class SessionForm(PortalForm):
    language = SelectField(_l("Language"), choices=_choices(LANGUAGES))
    instructor = StringField(_l("Instructor"), filters=[strip_text], validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Seats"), default=20, validators=[
        InputRequired(message=_l("Enter the number of seats.")), NumberRange(min=1, max=500)])
    childcare_capacity = IntegerField(_l("Childcare places (children)"), default=0,
                                      description=_l("0 when childcare is not offered."),
                                      validators=[InputRequired(message=_l("Enter 0 or more.")),
                                                  NumberRange(min=0, max=200)])
    enroll_by = DateField(_l("Enrollment deadline"), validators=[InputRequired(message=_l("Enter a date.")),
                                                                 _near_date])
    cancel_by = DateField(_l("Cancellation deadline"), validators=[InputRequired(message=_l("Enter a date.")),
                                                                   _near_date])
    meetings = FieldList(FormField(MeetingForm), min_entries=1)

    def validate_enroll_by(self, field) -> None:
        first = self._first_day()
        if field.data and first and field.data > first:
            raise ValidationError(_l("The enrollment deadline must be on or before the first meeting."))

    def validate_cancel_by(self, field) -> None:
        first = self._first_day()
        if field.data and first and field.data > first:
            raise ValidationError(_l("The cancellation deadline must be on or before the first meeting."))

    def _first_day(self) -> date | None:
        days = [entry.form.day.data for entry in self.meetings if isinstance(entry.form.day.data, date)]
        return min(days) if days else None


def session_form(meeting_count: int, **kwargs) -> SessionForm:
    form = SessionForm(**kwargs)
    form.meetings.min_entries = form.meetings.max_entries = meeting_count
    while len(form.meetings) < meeting_count:
        form.meetings.append_entry()
    return form


class EnrollForm(PortalForm):
    people = MultiCheckboxField(_l("Who will attend"), coerce=int,
                                validators=[InputRequired(message=_l("Choose who will attend."))])
    makeup = SelectField(_l("Meetings"), choices=[SelectChoice("", _l("Every meeting of this session"))], default="")
    childcare_children = IntegerField(_l("Children who need childcare"), default=0,
                                      validators=[Optional(), NumberRange(min=0, max=10)])
    childcare_ages = StringField(_l("Their ages"), filters=[strip_text], validators=[Length(max=100)],
                                 description=_l("For example: 3, 7"))

    def validate_childcare_ages(self, field) -> None:
        if self.childcare_children.data and not field.data:
            raise ValidationError(_l("Tell us the children's ages."))


class CancelSessionForm(PortalForm):
    reason = TextAreaField(_l("Why is it cancelled? (the families will read this)"), filters=[strip_text],
                           validators=[InputRequired(message=_l("Give a reason the family will see.")),
                                       Length(max=1000)])


class StaffCancelEnrollmentForm(PortalForm):
    reason = StringField(_l("Reason"), filters=[strip_text], validators=[Optional(), Length(max=500)])
