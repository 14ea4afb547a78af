"""Forms of recruitment: the public interest form, the RSVP button, and information sessions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from licensing.fields import EmptyAllowedUnless, Upcoming, choices_of, long_text, phone_field, text, zip_field
from licensing.pipeline.stages import OPEN_STAGES, STAGE_LABELS
from licensing.recruitment.labels import (
    CONTACT_KIND_LABELS,
    CONTACT_OUTCOME_LABELS,
    EVENT_KIND_LABELS,
    FORMAT_LABELS,
    INTEREST_LABELS,
    SOURCE_LABELS,
)
from licensing.recruitment.models import RecruitmentEvent, SessionFormat
from licensing.recruitment.services import event_for_code
from portal.clock import agency_now, agency_today
from portal.forms import LANGUAGE_CHOICES, IntegerField, PortalForm, email_field
from portal.i18n import LANGUAGE_LABELS, current_language
from portal.models import User


def normalize_code(value):
    """A source code as stored: upper case, no spaces around it (people type "fair-2026 " on a phone)."""
    return value.strip().upper() if isinstance(value, str) else value


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
    # The code of a `?source=CODE` link (a flyer's QR code, a campaign's ad), kept through the form. A code nobody
    # knows is left aside (the family can't see or fix it); the typed one below is checked.
    source_code = HiddenField()
    event_code = StringField(_l("Did you get a code at an event? (optional)"), filters=[normalize_code],
                             validators=[Length(max=40, message=_l("Use at most %(max)d characters.", max=40))],
                             render_kw={"autocapitalize": "characters", "autocomplete": "off"})

    def validate_event_code(self, field) -> None:
        if field.data and event_for_code(field.data) is None:
            # gettext, not _l: a lazy string counts as markup in a template, and this one holds what was typed.
            raise ValidationError(_("We don't know the code %(code)s. Check it against the flyer or card, or leave "
                                    "this box empty.", code=field.data))

    def event(self) -> RecruitmentEvent | None:
        """The event the inquiry names: the typed code, else the link's (when it is one we know)."""
        return event_for_code(self.event_code.data) if self.event_code.data else event_for_code(self.source_code.data)


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


SOURCE_CODE_PATTERN = r"^[A-Z0-9-]{3,40}$"


class RecruitmentEventForm(PortalForm):
    """A fair, a talk, a campaign: its source code goes on flyers and in links (`?source=CODE`)."""

    name = text(_l("Name"), 200, message=_l("Enter the event's name."))
    kind = SelectField(_l("Kind of event"), choices=choices_of(EVENT_KIND_LABELS), validators=[InputRequired()])
    source_code = StringField(_l("Source code"), filters=[normalize_code], validators=[
        InputRequired(message=_l("Enter a source code.")),
        Regexp(SOURCE_CODE_PATTERN, message=_l("Use 3 to 40 letters, digits and dashes, like FAIR-2026-SPRING."))],
        description=_l("Printed on flyers and put in links: letters, digits and dashes, like FAIR-2026-SPRING."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    starts_on = DateField(_l("Date (or first day)"), validators=[InputRequired(message=_l("Enter a date."))])
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])
    county = text(_l("County"), 100, required=False)
    notes = long_text(_l("Notes (optional)"), 4000)

    def __init__(self, *args, event: RecruitmentEvent | None = None, **kwargs) -> None:
        super().__init__(*args, obj=event, **kwargs)
        self._event_id = event.id if event is not None else None

    def validate_source_code(self, field) -> None:
        other = event_for_code(field.data)
        if other is not None and other.id != self._event_id:
            raise ValidationError(source_code_taken(field.data, other.name))

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day can't be before the first day."))

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "kind": self.kind.data, "source_code": self.source_code.data,
                "starts_on": self.starts_on.data, "ends_on": self.ends_on.data, "language": self.language.data,
                "county": (self.county.data or "").strip(), "notes": (self.notes.data or "").strip()}


def source_code_taken(code: str, event_name: str | None = None) -> str:
    """Said beside the code (gettext, not _l: a lazy string counts as markup in a template, and a name is typed)."""
    if event_name:
        return _("The code %(code)s is taken by \u201c%(event)s\u201d. Choose another one.", code=code,
                  event=event_name)
    return _("The code %(code)s is taken by another event. Choose another one.", code=code)


def one_line(value):
    """A subject is one line: line breaks typed or pasted into it become spaces (never a second mail header)."""
    return " ".join(value.split()) if isinstance(value, str) else value


ANY = ""
MINE = "mine"


class AnnouncementForm(PortalForm):
    """Who hears it (stage, language, homefinder) and what it says, in English and, when written, in Spanish."""

    stage = SelectField(_l("Families"), default=ANY, choices=[
        SelectChoice(ANY, _l("Every family in the pipeline or licensed (not closed)")),
        *[SelectChoice(stage.value, STAGE_LABELS[stage]) for stage in OPEN_STAGES]])
    language = SelectField(_l("Language"), default=ANY, choices=[
        SelectChoice(ANY, _l("Any language")), *[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()]])
    homefinder = SelectField(_l("Homefinder"), default=ANY, choices=[
        SelectChoice(ANY, _l("Any homefinder")), SelectChoice(MINE, _l("Families assigned to me"))])
    # DataRequired, not InputRequired: it looks at the subject after one_line, so one of only spaces is refused
    # beside the field instead of going out empty.
    subject_en = StringField(_l("Subject in English"), filters=[one_line], validators=[
        DataRequired(message=_l("Enter the subject in English.")),
        Length(max=200, message=_l("Use at most %(max)d characters.", max=200))])
    body_en = long_text(_l("Message in English"), 10000, required=True, message=_l("Enter the message in English."))
    subject_es = StringField(_l("Subject in Spanish (optional)"), filters=[one_line], validators=[
        Length(max=200, message=_l("Use at most %(max)d characters.", max=200))])
    body_es = long_text(_l("Message in Spanish (optional)"), 10000,
                        description=_l("Families who read Spanish get the Spanish version when you write one; "
                                       "everyone else gets the English one."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Both Spanish boxes or neither (an empty box's own validators stop early, so this is checked here).
        has_subject, has_body = bool(self.subject_es.data), bool((self.body_es.data or "").strip())
        if has_body and not has_subject:
            self.subject_es.errors = [*self.subject_es.errors,
                                      _l("Enter the subject in Spanish too, or leave both Spanish boxes empty.")]
        if has_subject and not has_body:
            self.body_es.errors = [*self.body_es.errors,
                                   _l("Enter the message in Spanish too, or leave both Spanish boxes empty.")]
        return valid and has_subject == has_body

    def audience(self, staff: User) -> dict:
        """The audience as stored with the announcement (the homefinder is the author when it is "mine")."""
        return {"stage": self.stage.data or "", "language": self.language.data or "",
                "homefinder_id": staff.id if self.homefinder.data == MINE else None}

    def texts(self) -> dict:
        return {"subject_en": self.subject_en.data, "body_en": self.body_en.data.strip(),
                "subject_es": self.subject_es.data or "", "body_es": (self.body_es.data or "").strip()}
