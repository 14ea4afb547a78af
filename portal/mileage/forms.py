"""Forms of transport and mileage: a trip, the claim's buttons, staff's decision."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.forms import PortalForm, strip_text

MILES_PATTERN = re.compile(r"[0-9]{1,4}(?:[.,][0-9])?")
MAX_TENTHS = 10_000  # a thousand miles in one trip is a typo
OLDEST_TRIP_DAYS = 400


class MilesField(StringField):
    """Miles with at most one decimal ("12.5" or "12,5"), kept as whole tenths: never a float."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.tenths = None
        text = (self.data or "").strip()
        if text and MILES_PATTERN.fullmatch(text):
            whole, _sep, tenth = text.replace(",", ".").partition(".")
            self.tenths = int(whole) * 10 + int(tenth or 0)

    def pre_validate(self, form):
        if not (self.data or "").strip():
            raise ValidationError(_l("Enter the miles driven."))
        if getattr(self, "tenths", None) is None:
            raise ValidationError(_l("Enter the miles as a number with at most one decimal, like 12.5."))
        if not 1 <= self.tenths <= MAX_TENTHS:
            # "1000", not "1,000": a comma here is the decimal mark some families type ("12,5").
            raise ValidationError(_l("Enter between 0.1 and 1000 miles."))


class TripForm(PortalForm):
    child_id = SelectField(_l("Child"), coerce=int, validators=[InputRequired(message=_l("Choose the child."))])
    trip_on = DateField(_l("Date of the trip"), validators=[InputRequired(message=_l("Enter a date."))])
    # A trip's places read "Origen"/"Destino" in Spanish: the plain "From"/"To" are "Desde"/"Hasta" (dates).
    from_place = StringField(lazy_pgettext("trip place", "From"), filters=[strip_text],
                             validators=[DataRequired(message=_l("Say where the trip started.")), Length(max=200)])
    to_place = StringField(lazy_pgettext("trip place", "To"), filters=[strip_text],
                           validators=[DataRequired(message=_l("Say where the trip went.")), Length(max=200)])
    purpose = StringField(_l("Purpose"), filters=[strip_text], description=_l("For example: school, a family visit."),
                          validators=[DataRequired(message=_l("Say what the trip was for.")), Length(max=300)])
    miles = MilesField(_l("Miles"), description=_l("One decimal at most, like 12.5."))
    appointment_id = SelectField(_l("Appointment it served (optional)"), coerce=int, default=0)

    def __init__(self, *args, children=(), appointments=(), today: date, **kwargs):
        """`children`: (id, name, placed since); `appointments`: (id, child id, words) of those children only."""
        super().__init__(*args, **kwargs)
        self._placed_since = {child_id: since for child_id, _name, since in children}
        self._appointment_child = {appointment_id: child_id for appointment_id, child_id, _words in appointments}
        self._today = today
        self.child_id.choices = [SelectChoice(child_id, name) for child_id, name, _since in children]
        self.appointment_id.choices = [SelectChoice(0, "—"),
                                       *(SelectChoice(a_id, words) for a_id, _c, words in appointments)]

    def validate_trip_on(self, field):
        if field.data is None:
            return
        if field.data > self._today:
            raise ValidationError(_l("A trip can't be in the future."))
        since = self._placed_since.get(self.child_id.data)
        if field.data < self._today - timedelta(days=OLDEST_TRIP_DAYS) or (since is not None and field.data < since):
            raise ValidationError(_l("The trip must be on a day the child lived with the family."))

    def validate_appointment_id(self, field):
        if field.data and self._appointment_child.get(field.data) != self.child_id.data:
            raise ValidationError(_l("Choose an appointment of this child."))

    def values(self) -> dict:
        return {"trip_on": self.trip_on.data, "from_place": self.from_place.data, "to_place": self.to_place.data,
                "purpose": self.purpose.data, "tenths": self.miles.tenths,
                "appointment_id": self.appointment_id.data or None}


class ClaimForm(PortalForm):
    month = HiddenField(validators=[DataRequired()])


class DecisionForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("return", _l("Return to the family"))],
                          validators=[InputRequired(message=_l("Choose approve or return."))])
    reason = TextAreaField(_l("Reason for returning (the family sees it)"), filters=[strip_text],
                           validators=[Length(max=2000)], render_kw={"rows": 3})

    def validate_reason(self, field):
        if self.decision.data == "return" and not field.data:
            raise ValidationError(_l("Say what the family should fix."))
