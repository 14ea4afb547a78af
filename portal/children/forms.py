"""Forms of placed children: a child's record, case status, assignment, hand-over, placements and stays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from portal.children.labels import END_REASON, FIELD, NEEDS, PERMANENCY_GOAL, STAY_KIND
from portal.children.models import FAMILY_VISIBLE_CHOICES, CaseStatus
from portal.forms import IntegerField, PortalForm, strip_text
from portal.i18n import LANGUAGE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(getattr(key, "value", key), label) for key, label in labels.items()]


def _text(label, max_length: int, required: bool = False, **kwargs) -> StringField:
    validators = [InputRequired(message=_l("Fill this in."))] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.", max=max_length)))
    return StringField(label, validators=validators, filters=[strip_text], **kwargs)


def _long(label, max_length: int = 4000, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length, message=_l(
        "At most %(max)d characters.", max=max_length))], filters=[strip_text], **kwargs)


def _date(label) -> DateField:
    return DateField(label, validators=[InputRequired(message=_l("Enter a date."))])


def version_field() -> IntegerField:
    return IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ChildForm(PortalForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    first_name = _text(_l("First name"), 100, required=True)
    last_name = _text(_l("Last name"), 100, required=True)
    birth_date = _date(_l("Date of birth"))
    preferred_locale = SelectField(_l("Language"), choices=_choices(LANGUAGE_LABELS), default="en")
    school = _text(_l("School"), 200)
    needs = MultiCheckboxField(_l("Needs"), choices=_choices(NEEDS), validators=[Optional()])
    needs_summary = _long(_l("Needs summary"))
    health_needs = _long(_l("Health needs"))
    education_needs = _long(_l("Education needs"))
    visitation_plan = _long(_l("Visitation plan"))
    permanency_goal = SelectField(_l("Permanency goal"), choices=_choices(PERMANENCY_GOAL), default="reunification")
    sibling_group = _text(_l("Sibling group"), 40, description=_l(
        "Brothers and sisters share the same word (for example their family name); leave empty if none."))
    case_notes = _long(_l("Case notes (internal)"))
    reporter = _long(_l("Who reported the case (internal)"))
    court_notes = _long(_l("Court notes (internal)"))
    birth_family_notes = _long(_l("Birth family notes (internal)"))
    family_visible = MultiCheckboxField(
        _l("What the family the child is placed with may see"),
        choices=[SelectChoice(name, FIELD[name]) for name in FAMILY_VISIBLE_CHOICES], validators=[Optional()],
        description=_l("Everything else is internal. Who reported the case, court notes and birth family notes are "
                       "never shown to a family."))

    def validate_birth_date(self, field):
        from portal.clock import agency_today

        if field.data and (field.data > agency_today() or field.data.year < 1990):
            raise ValidationError(_l("Enter the child's real date of birth."))

    def values(self) -> dict:
        texts = {name: getattr(self, name).data or "" for name in (
            "first_name", "last_name", "preferred_locale", "school", "needs_summary", "health_needs",
            "education_needs", "visitation_plan", "permanency_goal", "sibling_group", "case_notes", "reporter",
            "court_notes", "birth_family_notes")}
        return texts | {"birth_date": self.birth_date.data, "needs": list(self.needs.data or []),
                        "family_visible": list(self.family_visible.data or [])}


class CaseStatusForm(PortalForm):
    version = version_field()
    status = SelectField(_l("Case status"), choices=_choices({CaseStatus.OPEN: _l("Open"),
                                                              CaseStatus.CLOSED: _l("Closed")}))
    reason = _long(_l("Reason"), 1000)


class AssignForm(PortalForm):
    coordinator = SelectField(_l("Coordinator"), coerce=str, validators=[InputRequired(
        message=_l("Choose a coordinator."))])


class HandoverForm(PortalForm):
    leaving = SelectField(_l("Coordinator handing over"), coerce=str, validators=[InputRequired(
        message=_l("Choose a coordinator."))])
    successor = SelectField(_l("Coordinator taking over"), coerce=str, validators=[InputRequired(
        message=_l("Choose a coordinator."))])


class PlaceForm(PortalForm):
    household = SelectField(_l("Licensed household"), coerce=str, validators=[InputRequired(
        message=_l("Choose a household."))])
    starts_on = _date(_l("Start date"))
    reason = _long(_l("Reason for the placement"), 2000)


class EndPlacementForm(PortalForm):
    ends_on = _date(_l("End date"))
    end_reason = SelectField(_l("Why the placement ends"), choices=_choices(END_REASON),
                             validators=[InputRequired(message=_l("Choose a reason."))])
    note = _long(_l("Note"), 2000)


class CancelPlacementForm(PortalForm):
    """A placement that hasn't started yet (entered ahead, or by mistake): cancelled, with why."""

    note = TextAreaField(_l("Why it is cancelled"), validators=[InputRequired(message=_l("Fill this in.")), Length(
        max=2000, message=_l("At most %(max)d characters.", max=2000))], filters=[strip_text])


class StayForm(PortalForm):
    kind = SelectField(_l("Where"), choices=_choices(STAY_KIND), validators=[InputRequired()])
    household = SelectField(_l("Respite home"), coerce=str, validators=[Optional()])
    place_name = _text(_l("Place (hospital, camp or other)"), 200)
    starts_on = _date(_l("From"))
    ends_on = _date(_l("Until"))
    reason = _long(_l("Reason"), 2000)


class CancelStayForm(PortalForm):
    reason = _long(_l("Reason"), 1000)
