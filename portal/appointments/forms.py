"""Forms of appointments: the coordinator's appointment and its cancellation, the family's answer about transport."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.appointments.labels import KIND_LABELS, TRANSPORTER_LABELS
from portal.children.models import TransportAnswer
from portal.clock import agency_today
from portal.forms import IntegerField, PortalForm, strip_text


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def _within_five_years(form, field) -> None:
    # A year like 0001 or 9999 would overflow turning the agency's wall clock into UTC: said beside the field.
    if field.data is not None and abs((field.data - agency_today()).days) > 5 * 366:
        raise ValidationError(_l("Choose a date within five years of today."))


def _web_link(form, field) -> None:
    value = field.data or ""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in value):
        raise ValidationError(_l("Enter a full link starting with https://."))


class AppointmentForm(PortalForm):
    kind = SelectField(_l("Kind of appointment"), choices=_choices(KIND_LABELS), validators=[InputRequired()])
    title = StringField(_l("Title (optional)"), filters=[strip_text], validators=[Optional(), Length(max=200)],
                        description=_l("For example: Six-month review hearing."))
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date.")), _within_five_years])
    time = TimeField(_l("Time"), format="%H:%M", validators=[InputRequired(message=_l("Enter the time."))],
                     description=_l("The agency's local time."))
    duration_minutes = IntegerField(_l("Length in minutes"), default=60, validators=[
        InputRequired(message=_l("Enter a number of minutes.")),
        NumberRange(min=5, max=1440, message=_l("Enter between %(min)s and %(max)s minutes."))])
    place = StringField(_l("Place (address)"), filters=[strip_text], validators=[Length(max=300)])
    virtual_link = StringField(_l("Video call link"), filters=[strip_text],
                               validators=[Optional(), Length(max=500), _web_link])
    transport_by = SelectField(_l("Who takes the child"), choices=_choices(TRANSPORTER_LABELS),
                               validators=[InputRequired()])
    transport_note = StringField(_l("Transport note"), filters=[strip_text], validators=[Optional(), Length(max=300)])
    family_notes = TextAreaField(_l("Notes for the family"), filters=[strip_text],
                                 validators=[Optional(), Length(max=4000)],
                                 description=_l("The family sees these notes, in emails and in their calendar."))
    internal_notes = TextAreaField(_l("Internal notes"), filters=[strip_text],
                                   validators=[Optional(), Length(max=4000)],
                                   description=_l("Staff only. The family never sees these notes."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])  # the version the edit page was opened on

    def validate_place(self, field) -> None:
        if not field.data and not (self.virtual_link.data or "").strip():
            raise ValidationError(_l("Enter a place or a video call link."))



class CancelForm(PortalForm):
    reason = TextAreaField(_l("Why is it cancelled?"), filters=[strip_text],
                           validators=[DataRequired(message=_l("Give a reason the family will see.")),
                                       Length(max=1000)],
                           description=_l("The family reads this reason in the email."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class TransportAnswerForm(PortalForm):
    answer = RadioField(_l("Transport"), choices=[
        SelectChoice(TransportAnswer.CONFIRMED.value, _l("I confirm the transport")),
        SelectChoice(TransportAnswer.CHANGE_REQUESTED.value, _l("I need a change")),
    ], validators=[InputRequired(message=_l("Choose an answer."))])
    note = TextAreaField(_l("Note for the coordinator"), filters=[strip_text], validators=[Length(max=1000)])

    def validate_note(self, field) -> None:
        if self.answer.data == TransportAnswer.CHANGE_REQUESTED.value and not field.data:
            raise ValidationError(_l("Say what change you need."))


