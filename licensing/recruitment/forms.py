"""Forms of recruitment: the public interest form, the RSVP button, and information sessions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, HiddenField, RadioField, SelectField, StringField, ValidationError
from wtforms.validators import URL, InputRequired, Length, NumberRange

from licensing.fields import EmptyAllowedUnless, Upcoming, choices_of, long_text, phone_field, text, zip_field
from licensing.recruitment.labels import (
    CONTACT_KIND_LABELS,
    CONTACT_OUTCOME_LABELS,
    FORMAT_LABELS,
    INTEREST_LABELS,
    SOURCE_LABELS,
)
from licensing.recruitment.models import SessionFormat
from portal.clock import agency_now, agency_today
from portal.forms import LANGUAGE_CHOICES, IntegerField, PortalForm, email_field
from portal.i18n import current_language


class InquiryForm(PortalForm):
    first_name = text(_l("First name"), 100, message=_l("Enter your first name."),
                      render_kw={"autocomplete": "given-name"})
    last_name = text(_l("Last name"), 100, message=_l("Enter your last name."),
                     render_kw={"autocomplete": "family-name"})
    email = email_field()
    phone = phone_field()
    # The page's language until someone chooses (a Spanish page is read by someone who reads Spanish).
    preferred_locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default=current_language,
                                   validators=[InputRequired()])
    county = text(_l("County"), 100, required=False)
    zip_code = zip_field()
    interest = RadioField(_l("What are you interested in?"), choices=choices_of(INTEREST_LABELS),
                          validators=[InputRequired(message=_l("Choose what you are interested in."))])
    source = SelectField(_l("How did you hear about us?"), choices=choices_of(SOURCE_LABELS),
                         validators=[InputRequired()])
    questions = long_text(_l("Your questions (optional)"), 2000)
    session_id = HiddenField()


class InfoSessionForm(PortalForm):
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Enter the date and time.")), Upcoming()])
    duration_minutes = IntegerField(_l("Length in minutes"), default=120, validators=[
        InputRequired(message=_l("Enter a number of minutes.")),
        NumberRange(min=15, max=600, message=_l("Enter between %(min)s and %(max)s minutes."))])
    format = RadioField(_l("Where"), choices=choices_of(FORMAT_LABELS), validators=[InputRequired()])
    address = text(_l("Address (in person)"), 300, required=False,
                   required_if=("format", (SessionFormat.IN_PERSON.value,)),
                   message=_l("Enter the address for an in-person session."))
    meeting_link = StringField(_l("Meeting link (online)"), validators=[
        EmptyAllowedUnless("format", (SessionFormat.VIRTUAL.value,),
                           _l("Enter the meeting link for an online session.")),
        Length(max=500), URL(message=_l("Enter a full link starting with https://."))])
    language = SelectField(_l("Language of the session"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])
    capacity = IntegerField(_l("Places"), default=20, validators=[
        InputRequired(message=_l("Enter the number of places.")),
        NumberRange(min=1, max=500, message=_l("Enter between %(min)s and %(max)s places."))])



class RsvpForm(PortalForm):
    """Only the button: the session and the person are in the URL."""


class ResendInvitationForm(PortalForm):
    """"Send the invitation again": the link the page showed (a second click finds it retired), and the session whose
    attendance page it was pressed on, to go back there."""

    state = HiddenField()
    session = HiddenField()


def _not_in_the_future(form, field) -> None:
    # A minute's grace: "now" filled in by the page a moment ago is still now.
    if field.data is not None and field.data > agency_now().replace(tzinfo=None, second=0, microsecond=0):
        raise ValidationError(_l("A contact can't be in the future: enter when it happened."))


def _not_in_the_past(form, field) -> None:
    if field.data is not None and field.data < agency_today():
        raise ValidationError(_l("Choose today or a later day for the follow-up."))


class LeadContactForm(PortalForm):
    """A homefinder's call, text, email or visit with a family: how it went and when to follow up."""

    kind = RadioField(_l("How"), choices=choices_of(CONTACT_KIND_LABELS),
                      validators=[InputRequired(message=_l("Choose how you contacted them."))])
    outcome = SelectField(_l("Outcome"), choices=choices_of(CONTACT_OUTCOME_LABELS),
                          validators=[InputRequired(message=_l("Choose how it went."))])
    notes = long_text(_l("Notes (staff only)"), 2000)
    contacted_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M",
                                      default=lambda: agency_now().replace(tzinfo=None, second=0, microsecond=0),
                                      validators=[InputRequired(message=_l("Enter when it happened.")),
                                                  _not_in_the_future])
    next_follow_up_on = DateField(_l("Next follow-up (optional)"),
                                  validators=[EmptyAllowedUnless(), _not_in_the_past])
