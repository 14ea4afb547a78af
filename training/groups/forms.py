"""Forms of the support groups: a group (staff), a household's answer to a meeting, cancelling a meeting, attendance."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, ValidationError

from licensing.fields import choices_of, long_text, text
from portal.forms import LANGUAGE_CHOICES, IntegerField, PortalForm
from training.groups.labels import RECURRENCE_LABELS, WEEK_OF_MONTH_LABELS, WEEKDAY_LABELS
from training.groups.models import Recurrence

HOURS_RE = re.compile(r"^\d{1,2}(?:[.,]\d)?$")
# Ages as families write them: "4, 7", "4 y 7", "4 and 7", "3, 5, and 7", "4 7".
AGES_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|y)\s|[,;&]|\s(?:y|and)\s|\s)\s*", re.IGNORECASE)
AGE = re.compile(r"[0-9]{1,2}")


def ages_in(text: str) -> list[int] | None:
    """The ages written, or None when anything but ages and separators was."""
    parts = [part for part in AGES_SEPARATOR.split(text.strip()) if part]
    return [int(part) for part in parts] if parts and all(AGE.fullmatch(part) for part in parts) else None
MAX_CHILD_AGE = 17


def hours_to_tenths(value: str) -> int:
    whole, _, tenth = value.replace(",", ".").partition(".")
    return int(whole) * 10 + int(tenth or 0)


class GroupForm(PortalForm):
    name_en = text(_l("Name in English"), 200, message=_l("Enter the name in English."))
    name_es = text(_l("Name in Spanish"), 200, message=_l("Enter the name in Spanish."))
    description_en = long_text(_l("Description in English"), 2000)
    description_es = long_text(_l("Description in Spanish"), 2000)
    language = SelectField(_l("Language of the group"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])
    facilitator = text(_l("Facilitator"), 200, required=False)
    place = text(_l("Place (in person)"), 300, required=False)
    virtual_link = StringField(_l("Meeting link (online)"), validators=[
        Optional(), Length(max=500), URL(message=_l("Enter a full link starting with https://."))])
    recurrence = SelectField(_l("How often"), choices=choices_of(RECURRENCE_LABELS), validators=[InputRequired()])
    weekday = SelectField(_l("Day of the week"), coerce=int, validators=[InputRequired()],
                          choices=[SelectChoice(n, label) for n, label in enumerate(WEEKDAY_LABELS)])
    week_of_month = SelectField(_l("Which one in the month (once a month)"), coerce=int, validators=[InputRequired()],
                                choices=[SelectChoice(n + 1, label)
                                         for n, label in enumerate(WEEK_OF_MONTH_LABELS)])
    starts_on = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter a date."))])
    time_of_day = TimeField(_l("Time"), validators=[InputRequired(message=_l("Enter the time."))])
    duration_minutes = IntegerField(_l("Length in minutes"), default=90, validators=[
        InputRequired(message=_l("Enter a number of minutes.")),
        NumberRange(min=15, max=600, message=_l("Enter between %(min)s and %(max)s minutes."))])
    childcare_capacity = IntegerField(_l("Childcare places per meeting (0: no childcare)"), default=0, validators=[
        InputRequired(message=_l("Enter a number of children.")),
        NumberRange(min=0, max=200, message=_l("Enter between %(min)s and %(max)s children."))])
    counts_as_hours = BooleanField(_l("Attendance counts as in-service training hours"))
    hours = StringField(_l("Hours credited per meeting"), default="0", filters=[lambda v: v.strip() if v else v],
                        description=_l("For example 1.5"))
    active = BooleanField(_l("Open to families"), default=True)

    def validate_hours(self, field):
        value = field.data or "0"
        if not HOURS_RE.match(value) or hours_to_tenths(value) > 240:
            raise ValidationError(_l("Enter hours like 1.5 (at most 24)."))
        if self.counts_as_hours.data and hours_to_tenths(value) == 0:
            raise ValidationError(_l("Enter how many hours a meeting counts for."))

    def validate_recurrence(self, field):
        if field.data not in {item.value for item in Recurrence}:
            raise ValidationError(_l("Choose how often the group meets."))

    def validate_virtual_link(self, field):
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full link starting with https://."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not an inline validator: an empty optional field stops its own chain before one would run.
        if not (self.place.data or "").strip() and not (self.virtual_link.data or "").strip():
            self.place.errors = [*self.place.errors, _l("Enter a place or a meeting link.")]
            return False
        return valid

    def values(self) -> dict:
        return {
            "name_en": self.name_en.data.strip(), "name_es": self.name_es.data.strip(),
            "description_en": (self.description_en.data or "").strip(),
            "description_es": (self.description_es.data or "").strip(), "language": self.language.data,
            "facilitator": (self.facilitator.data or "").strip(), "place": (self.place.data or "").strip(),
            "virtual_link": (self.virtual_link.data or "").strip(), "recurrence": Recurrence(self.recurrence.data),
            "weekday": self.weekday.data, "week_of_month": self.week_of_month.data, "starts_on": self.starts_on.data,
            "time_of_day": self.time_of_day.data.replace(second=0, microsecond=0),
            "duration_minutes": self.duration_minutes.data, "childcare_capacity": self.childcare_capacity.data,
            "counts_as_hours": bool(self.counts_as_hours.data),
            "credit_tenths": hours_to_tenths(self.hours.data or "0"),
            "active": bool(self.active.data),
        }


class GroupRsvpForm(PortalForm):
    people = IntegerField(_l("How many people are coming"), default=1, validators=[
        InputRequired(message=_l("Enter how many people are coming.")),
        NumberRange(min=1, max=20, message=_l("Enter between %(min)s and %(max)s people."))])
    children = IntegerField(_l("Children for childcare"), default=0, validators=[
        Optional(), NumberRange(min=0, max=10, message=_l("Enter between %(min)s and %(max)s children."))])
    ages = StringField(_l("Their ages"), description=_l("For example: 4, 7"), validators=[Length(max=100)])

    def validate_ages(self, field):
        children = self.children.data or 0
        ages = (field.data or "").strip()
        if not children:
            return
        numbers = ages_in(ages)
        if numbers is None:
            raise ValidationError(_l("Enter each child's age, separated by commas."))
        if len(numbers) != children:
            raise ValidationError(_l("Enter one age for each child."))
        if any(age > MAX_CHILD_AGE for age in numbers):
            raise ValidationError(_l("Childcare is for children under 18."))

    def ages_text(self) -> str:
        if not self.children.data:
            return ""
        return ", ".join(str(age) for age in ages_in(self.ages.data or "") or [])


class CancelMeetingForm(PortalForm):
    reason = text(_l("Why it is cancelled (sent to the families)"), 500, message=_l("Enter a reason."))
