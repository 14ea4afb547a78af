"""The application's sections: their order, titles and forms, and how each form's answers are kept.

Flat sections keep their answers as JSON on ApplicationSection.data. The people of the household and the references
are rows of their own (HouseholdMember, Reference), because other parts of the portal act on them (links, checks).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from licensing.application.models import ADULT_AGE
from licensing.fields import (
    YES_NO,
    EmptyAllowedUnless,
    age_field,
    check_age_range,
    check_states,
    email_answer,
    long_text,
    phone_field,
    text,
    zip_field,
)
from portal.clock import agency_today
from portal.forms import LANGUAGE_CHOICES, IntegerField, PortalForm, TranslatedMessages
from portal.i18n import current_language

MAX_HOUSEHOLD_ROWS = 12
REFERENCE_ROWS = 5
MIN_REFERENCES = 3
MIN_NON_RELATIVE_REFERENCES = 2

SECTION_KEYS = ["applicants", "household", "residence", "employment", "health", "references", "preferences",
                "disclosures", "attestations"]
SECTION_TITLES = {
    "applicants": _l("Applicants"),
    "household": _l("Everyone else in your home"),
    "residence": _l("Your home"),
    "employment": _l("Work and income"),
    "health": _l("Health"),
    "references": _l("References"),
    "preferences": _l("Children you can care for"),
    "disclosures": _l("Background questions"),
    "attestations": _l("Agreements"),
}


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _plausible_birth_date(field, *, adult: bool) -> None:
    if field.data is None:
        return
    today = agency_today()
    if field.data > today:
        raise ValidationError(_l("A birth date can't be in the future."))
    if age_on(field.data, today) > 110:
        raise ValidationError(_l("Check the year: this would make the person older than 110."))
    if adult and age_on(field.data, today) < ADULT_AGE:
        raise ValidationError(_l("Applicants must be at least 18 years old."))


def birth_date_field(label=None, required: bool = True, required_if=None) -> DateField:
    if required:
        validators = [InputRequired(message=_l("Enter the birth date."))]
    else:
        other, values = required_if or (None, ())
        validators = [EmptyAllowedUnless(other, values, _l("Enter the birth date."))]
    return DateField(label or _l("Birth date"), validators=validators,
                     render_kw={"autocomplete": "bday"})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# -- applicants ---------------------------------------------------------------------------------------------------

CO_APPLYING = ("has_co_applicant", (True,))


class ApplicantsForm(PortalForm):
    primary_first_name = text(_l("First name"), 100, render_kw={"autocomplete": "given-name"})
    primary_last_name = text(_l("Last name"), 100, render_kw={"autocomplete": "family-name"})
    primary_birth_date = birth_date_field()
    primary_phone = phone_field(required=True)
    has_co_applicant = BooleanField(_l("I am applying with a spouse or partner who lives with me"))
    co_first_name = text(_l("Co-applicant's first name"), 100, required=False, required_if=CO_APPLYING)
    co_last_name = text(_l("Co-applicant's last name"), 100, required=False, required_if=CO_APPLYING)
    co_birth_date = birth_date_field(_l("Co-applicant's birth date"), required=False, required_if=CO_APPLYING)
    co_email = email_answer(_l("Co-applicant's email address"), required_if=CO_APPLYING)
    co_phone = phone_field(_l("Co-applicant's phone number"), shown_if=CO_APPLYING)

    def validate_primary_birth_date(self, field):
        _plausible_birth_date(field, adult=True)

    def validate_co_birth_date(self, field):
        _plausible_birth_date(field, adult=True)


# -- everyone else in the home ------------------------------------------------------------------------------------

def _typed(field) -> bool:
    return any(isinstance(value, str) and value.strip() for value in (field.raw_data or []))


class RowForm(Form):
    """One row of a repeated group (a person, a reference): a blank row is ignored, a started row must be whole."""

    Meta = TranslatedMessages

    row_fields: tuple[str, ...] = ()
    required_when_started: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        return not any(_typed(self[name]) for name in self.row_fields)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_blank():
            for field in self:
                field.errors = []
            return True
        for name in self.required_when_started:
            if not _typed(self[name]) and not self[name].errors:
                self[name].errors = [_l("This field is required.")]
                valid = False
        return self.validate_row() and valid

    def validate_row(self) -> bool:
        return True


class MemberEntryForm(RowForm):
    first_name = text(_l("First name"), 100, required=False)
    last_name = text(_l("Last name"), 100, required=False)
    birth_date = birth_date_field(required=False)
    relationship = text(_l("Relationship to you"), 100, required=False)
    email = email_answer(_l("Email address (adults only)"))

    row_fields = ("first_name", "last_name", "birth_date", "email")
    required_when_started = ("first_name", "last_name", "relationship")

    def validate_row(self) -> bool:
        if self.birth_date.data is None:
            if not self.birth_date.errors:
                self.birth_date.errors = [_l("Enter the birth date.")]
            return False
        try:
            _plausible_birth_date(self.birth_date, adult=False)
        except ValidationError as error:
            self.birth_date.errors = [*self.birth_date.errors, error.args[0]]
            return False
        if age_on(self.birth_date.data, agency_today()) >= ADULT_AGE and not _typed(self.email):
            self.email.errors = [*self.email.errors, _l("Adults need an email address: they complete their own part.")]
            return False
        return True


class HouseholdForm(PortalForm):
    members = FieldList(FormField(MemberEntryForm), min_entries=3, max_entries=MAX_HOUSEHOLD_ROWS)


# -- the home -----------------------------------------------------------------------------------------------------

class ResidenceForm(PortalForm):
    street = text(_l("Street address"), 200, render_kw={"autocomplete": "street-address"})
    city = text(_l("City"), 100, render_kw={"autocomplete": "address-level2"})
    state = text(_l("State"), 2, render_kw={"autocomplete": "address-level1"},
                 description=_l("Two letters, for example CA."))
    zip_code = zip_field()
    ownership = RadioField(_l("Do you own or rent your home?"), choices=[
        SelectChoice("own", _l("Own")), SelectChoice("rent", _l("Rent"))],
        validators=[InputRequired(message=_l("Choose an answer."))])
    bedrooms = IntegerField(_l("Number of bedrooms"), validators=[
        InputRequired(message=_l("Enter the number of bedrooms.")),
        NumberRange(min=1, max=30, message=_l("Enter a number of bedrooms between %(min)s and %(max)s."))])
    has_pets = RadioField(_l("Do you have pets?"), choices=YES_NO,
                          validators=[InputRequired(message=_l("Choose an answer."))])
    pets_description = long_text(_l("Which pets?"), 1000, required_if=("has_pets", ("yes",)),
                                 message=_l("Tell us which pets you have."))
    has_firearms = RadioField(_l("Are there firearms in the home?"), choices=YES_NO,
                              validators=[InputRequired(message=_l("Choose an answer."))])
    firearms_storage = long_text(_l("How are firearms and ammunition stored?"), 1000,
                                 required_if=("has_firearms", ("yes",)),
                                 message=_l("Tell us how firearms and ammunition are stored."))
    has_pool = RadioField(_l("Is there a pool, hot tub or pond?"), choices=YES_NO,
                          validators=[InputRequired(message=_l("Choose an answer."))])
    pool_safety = long_text(_l("How is it fenced or covered?"), 1000, required_if=("has_pool", ("yes",)),
                            message=_l("Tell us how the pool is fenced or covered."))
    other_states = text(_l("Other US states where an adult of the home lived during the past five years"), 300,
                        required=False, description=_l("For example: TX, AZ. Leave empty if none."))
    validate_other_states = check_states

    def validate_state(self, field):
        if not (field.data or "").strip().isalpha() or len(field.data.strip()) != 2:
            raise ValidationError(_l("Use the two-letter state code, for example CA."))


# -- work and income ----------------------------------------------------------------------------------------------

EMPLOYMENT_CHOICES = [
    SelectChoice("full_time", _l("Employed full-time")), SelectChoice("part_time", _l("Employed part-time")),
    SelectChoice("self_employed", _l("Self-employed")), SelectChoice("retired", _l("Retired")),
    SelectChoice("student", _l("Student")), SelectChoice("not_employed", _l("Not employed")),
]
INCOME_CHOICES = [
    SelectChoice("under_25k", _l("Under $25,000 a year")), SelectChoice("25k_50k", _l("$25,000 to $50,000")),
    SelectChoice("50k_75k", _l("$50,000 to $75,000")), SelectChoice("75k_100k", _l("$75,000 to $100,000")),
    SelectChoice("over_100k", _l("Over $100,000 a year")),
]


class EmploymentForm(PortalForm):
    primary_employment = SelectField(_l("Your work"), choices=EMPLOYMENT_CHOICES, validators=[InputRequired()])
    primary_employer = text(_l("Employer (if employed)"), 200, required=False)
    co_employment = SelectField(_l("Co-applicant's work (if any)"),
                                choices=[SelectChoice("", "—"), *EMPLOYMENT_CHOICES], validators=[Optional()])
    co_employer = text(_l("Co-applicant's employer"), 200, required=False)
    income_range = SelectField(_l("Household income"), choices=INCOME_CHOICES, validators=[InputRequired()],
                               description=_l("Agencies ask to see that the home can meet its own needs; foster "
                                              "care payments are not counted."))


# -- health -------------------------------------------------------------------------------------------------------

class HealthForm(PortalForm):
    has_condition = RadioField(
        _l("Does anyone in the home have a health condition that could affect caring for a child?"),
        choices=YES_NO, validators=[InputRequired(message=_l("Choose an answer."))])
    condition_details = long_text(_l("Please describe, and how it is managed"), 2000,
                                  required_if=("has_condition", ("yes",)), message=_l("Please explain."))
    medical_statement_ack = BooleanField(
        _l("I understand each applicant will upload a medical statement signed by a doctor."),
        validators=[InputRequired(message=_l("Please confirm."))])


# -- references ---------------------------------------------------------------------------------------------------

class ReferenceEntryForm(RowForm):
    name = text(_l("Full name"), 200, required=False)
    relationship = text(_l("How they know you"), 100, required=False)
    email = email_answer(_l("Email address"))
    phone = phone_field()
    is_relative = BooleanField(_l("This person is a relative"))
    # The page's language for a row nobody filled yet (saved rows keep theirs).
    preferred_locale = SelectField(_l("Their language"), choices=LANGUAGE_CHOICES, default=current_language,
                                   validators=[Optional()])

    row_fields = ("name", "relationship", "email", "phone")
    required_when_started = ("name", "relationship", "email")


class ReferencesForm(PortalForm):
    references = FieldList(FormField(ReferenceEntryForm), min_entries=REFERENCE_ROWS, max_entries=REFERENCE_ROWS)

    def validate_references(self, field):
        filled = [entry.form for entry in field.entries if not entry.form.is_blank()]
        if len(filled) < MIN_REFERENCES:
            raise ValidationError(_l("Give at least three references."))
        if sum(1 for form in filled if not form.is_relative.data) < MIN_NON_RELATIVE_REFERENCES:
            raise ValidationError(_l("At least two references must not be relatives."))
        emails = [(form.email.data or "").strip().lower() for form in filled]
        if len(set(emails)) != len(emails):
            raise ValidationError(_l("Each reference needs a different email address."))


# -- preferences --------------------------------------------------------------------------------------------------

NEEDS_CHOICES = [
    SelectChoice("medical", _l("Medical needs")), SelectChoice("behavioral", _l("Behavioral needs")),
    SelectChoice("developmental", _l("Developmental disabilities")),
    SelectChoice("emotional", _l("Emotional or trauma-related needs")),
    SelectChoice("substance_exposed", _l("Babies exposed to substances")),
    SelectChoice("pregnant_parenting", _l("Pregnant or parenting teens")),
]


class PreferencesForm(PortalForm):
    number_of_children = IntegerField(_l("How many children could you care for at once?"), validators=[
        InputRequired(message=_l("Enter a number.")),
        NumberRange(min=1, max=6, message=_l("Enter a number between %(min)s and %(max)s."))])
    age_min = age_field(_l("Youngest age"))
    age_max = age_field(_l("Oldest age"))
    sibling_groups = BooleanField(_l("We could take brothers and sisters together"))
    needs = MultiCheckboxField(_l("Needs you feel ready to care for"), choices=NEEDS_CHOICES, validators=[Optional()])
    languages = text(_l("Languages spoken at home"), 200)
    will_transport = RadioField(_l("Will you drive children to appointments and visits?"), choices=YES_NO,
                                validators=[InputRequired(message=_l("Choose an answer."))])

    validate_age_max = check_age_range


# -- background disclosures ---------------------------------------------------------------------------------------

class DisclosuresForm(PortalForm):
    arrests = RadioField(_l("Has any adult in the home ever been arrested or convicted of a crime?"),
                         choices=YES_NO, validators=[InputRequired(message=_l("Choose an answer."))])
    arrests_explanation = long_text(_l("Please explain (what, when, outcome)"), 4000,
                                    required_if=("arrests", ("yes",)), message=_l("Please explain."))
    cps = RadioField(_l("Has any adult in the home ever been involved with child protective services?"),
                     choices=YES_NO, validators=[InputRequired(message=_l("Choose an answer."))])
    cps_explanation = long_text(_l("Please explain"), 4000, required_if=("cps", ("yes",)),
                                message=_l("Please explain."))
    prior_license = RadioField(_l("Has anyone in the home been licensed for foster care or child care before?"),
                               choices=YES_NO, validators=[InputRequired(message=_l("Choose an answer."))])
    prior_license_explanation = long_text(_l("Where and when?"), 4000, required_if=("prior_license", ("yes",)),
                                          message=_l("Please explain."))


# -- agreements ---------------------------------------------------------------------------------------------------

def _must_agree():
    return [InputRequired(message=_l("You need to agree to this to apply."))]


class AttestationsForm(PortalForm):
    truthful = BooleanField(_l("Everything in this application is true and complete to the best of my knowledge."),
                            validators=_must_agree())
    background_checks = BooleanField(_l("I agree to the background checks required for every adult in the home."),
                                     validators=_must_agree())
    home_study = BooleanField(_l("I agree to home visits and interviews for the home study."),
                              validators=_must_agree())
    report_changes = BooleanField(_l("I will tell the agency about changes in my household (for example a new "
                                     "adult moving in)."), validators=_must_agree())


SECTION_FORMS: dict[str, type[PortalForm]] = {
    "applicants": ApplicantsForm,
    "household": HouseholdForm,
    "residence": ResidenceForm,
    "employment": EmploymentForm,
    "health": HealthForm,
    "references": ReferencesForm,
    "preferences": PreferencesForm,
    "disclosures": DisclosuresForm,
    "attestations": AttestationsForm,
}

# The words every applicant signs; hashed with the answers at signing time.
ATTESTATION_TEXT = (
    "I declare that the information in this application is true and complete. I agree to the background checks, "
    "home visits and interviews required for licensing, and I will report changes in my household to the agency."
)
