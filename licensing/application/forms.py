"""Forms about an application outside its sections: staff actions, signatures, other people's parts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from licensing.application.sections import birth_date_field
from licensing.fields import check_states, long_text, text
from portal.forms import IntegerField, PortalForm
from portal.routing import MAX_ID


def saved_reason_field() -> IntegerField:
    """The "Use a saved reason" select: its text, in the family's language, is sent when the box is left empty."""
    return IntegerField(_l("Use a saved reason"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class TypedOrSavedForm(PortalForm):
    """A box the family will read, which may stay empty when a saved reason is chosen instead."""

    box = "reason"
    missing = _l("Write the reason the family will see, or choose a saved one.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self[self.box]
        if valid and not (field.data or "").strip() and not self.saved_reason.data:
            field.errors.append(self.missing)
            return False
        return valid


class ReasonForm(TypedOrSavedForm):
    reason = long_text(_l("Reason the family will see"), 2000)
    saved_reason = saved_reason_field()


class NoteForm(PortalForm):
    body = long_text(_l("Note (staff only)"), 4000, required=True)


class AssignForm(PortalForm):
    homefinder_id = SelectField(_l("Assigned homefinder"), coerce=int, validators=[InputRequired()])


class ReopenSectionForm(TypedOrSavedForm):
    box = "note"
    missing = _l("Write what the family should change, or choose a saved reason.")
    section = SelectField(_l("Section"), validators=[InputRequired()])
    note = long_text(_l("What the family should change"), 2000)
    saved_reason = saved_reason_field()


class ReturnReasonForm(PortalForm):
    text_en = text(_l("The reason in English"), 500)
    text_es = text(_l("The reason in Spanish"), 500)
    active = BooleanField(_l("Offered to staff"))


class SignatureForm(PortalForm):
    member_id = HiddenField(validators=[InputRequired()])
    typed_name = text(_l("Type your full legal name"), 200, message=_l("Type your full legal name to sign."))


class LinkSignatureForm(PortalForm):
    """A co-applicant's signature on their own device, through their emailed link."""

    typed_name = text(_l("Type your full legal name"), 200, message=_l("Type your full legal name to sign."),
                      render_kw={"autocomplete": "name"})
    # The hash of what the page showed: a signature is of what the person read, not of what changed meanwhile.
    content_sha256 = HiddenField()


class LinkBirthDateForm(PortalForm):
    """Before a signing link shows the application: the co-applicant's own date of birth."""

    birth_date = birth_date_field(_l("Your date of birth"))


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
    validate_other_states = check_states
    consent = BooleanField(_l("I consent to the background checks the agency must run for every adult in a foster "
                              "home (fingerprints and registry checks)."),
                           validators=[DataRequired(message=_l("Your consent is needed to continue."))])
    typed_name = text(_l("Type your full legal name"), 200, message=_l("Type your full legal name to sign."))
