"""Forms of recruitment: the public interest form, information sessions, staff actions, other people's parts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from licensing.models import Interest, LeadSource, SessionFormat
from portal.forms import LANGUAGE_CHOICES, PortalForm, email_field

INTEREST_LABELS = {
    Interest.FOSTER: _l("Foster care"),
    Interest.FOSTER_ADOPT: _l("Foster care, open to adoption"),
    Interest.RESPITE: _l("Respite care (short stays to support other foster families)"),
    Interest.KINSHIP: _l("Caring for a relative or a child I already know (kinship)"),
}
SOURCE_LABELS = {
    LeadSource.EVENT: _l("At a community event"),
    LeadSource.FOSTER_PARENT_REFERRAL: _l("From a foster parent"),
    LeadSource.FAITH_COMMUNITY: _l("Through my faith community"),
    LeadSource.SOCIAL_MEDIA: _l("Social media"),
    LeadSource.SEARCH: _l("Searching online"),
    LeadSource.OTHER: _l("Other"),
}
FORMAT_LABELS = {SessionFormat.IN_PERSON: _l("In person"), SessionFormat.VIRTUAL: _l("Online")}
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


class EmptyAllowedUnless:
    """An empty answer is fine, unless another answer makes it needed (e.g. pets: yes → which pets?).

    Unlike Optional(), it can require the field, and it clears the "not a valid date" noise of an empty date.
    """

    def __init__(self, other_field: str | None = None, values=(True, "yes"), message=None) -> None:
        self.other_field, self.values, self.message = other_field, values, message

    def __call__(self, form, field):
        raw = field.raw_data or []
        if any(isinstance(value, str) and value.strip() for value in raw) or any(
                not isinstance(value, str) for value in raw):
            return
        field.errors[:] = []
        if self.other_field and getattr(form, self.other_field).data in self.values:
            raise StopValidation(self.message or _l("This field is required."))
        raise StopValidation()


def _presence(required: bool, required_if, message):
    if required:
        return [DataRequired(message=message or _l("This field is required."))]
    if required_if:
        other, values = required_if
        return [EmptyAllowedUnless(other, values, message)]
    return [EmptyAllowedUnless()]


def text(label, max_length: int, required: bool = True, message=None, required_if=None, **kwargs) -> StringField:
    validators = _presence(required, required_if, message)
    validators.append(Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length)))
    return StringField(label, validators=validators, **kwargs)


def long_text(label, max_length: int = 4000, required: bool = False, message=None, required_if=None,
              **kwargs) -> TextAreaField:
    validators = _presence(required, required_if, message)
    validators.append(Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length)))
    return TextAreaField(label, validators=validators, **kwargs)


def email_answer(label, required_if=None) -> StringField:
    """An email that may be left empty (unless required_if holds), checked when given."""
    return StringField(label, validators=[
        *_presence(False, required_if, None), Length(max=254),
        Email(message=_l("Enter an email address like name@example.com."))])


def phone_field(label=None, required: bool = False) -> StringField:
    validators = [DataRequired(message=_l("Enter a phone number."))] if required else [Optional()]
    validators += [
        Length(max=40, message=_l("Use at most %(max)d characters.", max=40)),
        Regexp(r"^[0-9+().\- ]{7,40}$", message=_l("Enter a phone number with digits, like 555-123-4567.")),
    ]
    return StringField(label or _l("Phone number"), validators=validators, render_kw={"autocomplete": "tel",
                                                                                         "inputmode": "tel"})


def zip_field(required: bool = True) -> StringField:
    validators = [DataRequired(message=_l("Enter your ZIP code."))] if required else [Optional()]
    validators.append(Regexp(r"^\d{5}(-\d{4})?$", message=_l("Enter a 5-digit ZIP code, like 90210.")))
    return StringField(_l("ZIP code"), validators=validators, render_kw={"inputmode": "numeric",
                                                                         "autocomplete": "postal-code"})


class InquiryForm(PortalForm):
    first_name = text(_l("First name"), 100, message=_l("Enter your first name."),
                      render_kw={"autocomplete": "given-name"})
    last_name = text(_l("Last name"), 100, message=_l("Enter your last name."),
                     render_kw={"autocomplete": "family-name"})
    email = email_field()
    phone = phone_field()
    preferred_locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])
    county = text(_l("County"), 100, required=False)
    zip_code = zip_field()
    interest = RadioField(_l("What are you interested in?"), choices=_choices(INTEREST_LABELS),
                          validators=[InputRequired(message=_l("Choose what you are interested in."))])
    source = SelectField(_l("How did you hear about us?"), choices=_choices(SOURCE_LABELS),
                         validators=[InputRequired()])
    questions = long_text(_l("Your questions (optional)"), 2000)
    session_id = HiddenField()


class InfoSessionForm(PortalForm):
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Enter the date and time."))])
    duration_minutes = IntegerField(_l("Length in minutes"), default=120, validators=[
        InputRequired(message=_l("Enter a number of minutes.")),
        NumberRange(min=15, max=600, message=_l("Enter between %(min)s and %(max)s minutes."))])
    format = RadioField(_l("Where"), choices=_choices(FORMAT_LABELS), validators=[InputRequired()])
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


class ReasonForm(PortalForm):
    reason = long_text(_l("Reason the family will see"), 2000, required=True)


class NoteForm(PortalForm):
    body = long_text(_l("Note (staff only)"), 4000, required=True)


class AssignForm(PortalForm):
    homefinder_id = SelectField(_l("Assigned homefinder"), coerce=int, validators=[InputRequired()])


class ReopenSectionForm(PortalForm):
    section = SelectField(_l("Section"), validators=[InputRequired()])
    note = long_text(_l("What the family should change"), 2000, required=True)


class SignatureForm(PortalForm):
    member_id = HiddenField(validators=[InputRequired()])
    typed_name = text(_l("Type your full legal name"), 200, message=_l("Type your full legal name to sign."))


class ReferenceResponseForm(PortalForm):
    known_for = text(_l("How long have you known the applicant?"), 200)
    relationship = text(_l("How do you know them?"), 200)
    recommend = RadioField(_l("Would you recommend them as a foster parent?"), choices=[
        SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No")), SelectChoice("unsure", _l("I'm not sure"))],
        validators=[InputRequired(message=_l("Choose an answer."))])
    with_children = long_text(_l("What have you seen of them with children?"), 4000, required=True)
    concerns = long_text(_l("Any concerns the agency should know about? (optional)"), 4000)


class AdultPartForm(PortalForm):
    other_states = text(_l("Other US states you lived in during the past five years (optional)"), 300,
                        required=False, description=_l("For example: TX, AZ. Each state needs its own registry "
                                                       "check."))
    consent = BooleanField(_l("I consent to the background checks the agency must run for every adult in a foster "
                              "home (fingerprints and registry checks)."),
                           validators=[DataRequired(message=_l("Your consent is needed to continue."))])
    typed_name = text(_l("Type your full legal name"), 200, message=_l("Type your full legal name to sign."))


def age_field(label) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired(message=_l("Enter an age.")),
        NumberRange(min=0, max=21, message=_l("Enter an age between %(min)s and %(max)s."))])


def check_age_range(form, field) -> None:
    """For an `age_max` field: the oldest age can't be below the youngest (`age_min`)."""
    if form.age_min.data is not None and field.data is not None and field.data < form.age_min.data:
        raise ValidationError(_l("The oldest age can't be lower than the youngest age."))
