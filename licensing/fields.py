"""Form fields and validators that every licensing form shares: text with limits, phone, ZIP, ages."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import (
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

from portal.clock import agency_now
from portal.forms import IntegerField

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def choices_of(labels: dict) -> list[SelectChoice]:
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

    def reveal_rule(self, field) -> str:
        return reveal_rule(field, self.other_field, self.values)


class ShownWhen:
    """Checks nothing: says that a field follows another answer (co-applicant's phone → "applying with a partner"),
    so the page shows it only while that answer is given (see reveal_rule)."""

    def __init__(self, other_field: str, values=(True, "yes")) -> None:
        self.other_field, self.values = other_field, values

    def __call__(self, form, field) -> None:
        return None

    def reveal_rule(self, field) -> str:
        return reveal_rule(field, self.other_field, self.values)


def reveal_rule(field, other_field: str | None, values) -> str:
    """The `data-reveal-when` of a follow-up field ("has_pets=yes"; a checked box is "y"): templates/macros/forms.html
    writes it from the field's validators and static/js/portal.js hides the field while the answer isn't given (with
    scripts off it stays shown). Empty when the field follows no other answer."""
    if not other_field:
        return ""
    shown_for = ["y" if value is True else value for value in values if isinstance(value, str) or value is True]
    prefix = field.name[: len(field.name) - len(field.short_name)]  # a row's fields are named "references-0-..."
    return f"{prefix}{other_field}={'|'.join(shown_for)}"


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


def phone_field(label=None, required: bool = False, shown_if=None) -> StringField:
    validators = [DataRequired(message=_l("Enter a phone number."))] if required else [Optional()]
    if shown_if:
        validators.insert(0, ShownWhen(*shown_if))
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


class Upcoming:
    """A date and time (typed in the agency's time zone) from now to `years` ahead: an information session or a
    visit is never booked in year 1 or 9999."""

    def __init__(self, years: int = 2) -> None:
        self.years = years

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        now = agency_now().replace(tzinfo=None, second=0, microsecond=0)
        if field.data < now:
            raise ValidationError(_l("Choose a date and time that is still to come."))
        if field.data > now + timedelta(days=366 * self.years):
            raise ValidationError(_l("Choose a date within the next %(years)d years.", years=self.years))


US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
_STATE_BY_NAME = {name.casefold(): code for code, name in US_STATES.items()}


def parse_states(text: str) -> set[str] | None:
    """The state codes in "TX, Arizona; nv", or None when something in it is not a US state or territory. Each
    state lived in needs its own child abuse registry check, so nothing typed may be silently dropped."""
    codes = set()
    for part in text.replace(";", ",").replace("/", ",").split(","):
        name = " ".join(part.split()).rstrip(".")
        if not name:
            continue
        code = name.upper() if name.upper() in US_STATES else _STATE_BY_NAME.get(name.casefold())
        if code is None:
            return None
        codes.add(code)
    return codes


def check_states(form, field) -> None:
    if field.data and parse_states(field.data) is None:
        raise ValidationError(_l("Write each state as its two-letter code or its name, separated by commas: "
                                 "TX, Arizona."))


def age_field(label) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired(message=_l("Enter an age.")),
        NumberRange(min=0, max=21, message=_l("Enter an age between %(min)s and %(max)s."))])


def check_age_range(form, field) -> None:
    """For an `age_max` field: the oldest age can't be below the youngest (`age_min`)."""
    if form.age_min.data is not None and field.data is not None and field.data < form.age_min.data:
        raise ValidationError(_l("The oldest age can't be lower than the youngest age."))
