"""Forms of the core: accounts, profile, staff administration, language."""

from __future__ import annotations

import wtforms
from flask import g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from portal.i18n import LANGUAGE_LABELS
from portal.models import ROLE_LABELS, STAFF_ROLES, Role
from portal.passwords import MAX_LENGTH, MIN_LENGTH

# Languages named in the page's language ("Inglés" on a Spanish page), like every other label: only the switcher
# names each language in its own words (portal/i18n.py LANGUAGE_NAMES).
LANGUAGE_CHOICES = [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()]
LANGUAGE_CODES = ("en", "es")


class TranslatedMessages:
    """The Meta of a form that is not a FlaskForm (a GET form read from the query string, a row or a meeting inside
    a larger form: WTForms builds those with their own Meta, not their parent's): WTForms' own messages ("Not a
    valid date value.") in the page's language, from the same catalog Flask-WTF gives every FlaskForm."""

    def get_translations(self, form):
        from flask_wtf.i18n import translations

        return translations


class PortalForm(FlaskForm):
    """Base form: a failed CSRF check becomes a translated, form-level message instead of Flask-WTF's English."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """Only the posted form fields. Flask-WTF would also mix in uploaded files and JSON bodies: a file sent
            under a text field's name reached its validators as a FileStorage (a 500). The portal reads uploads from
            request.files itself, and no form takes JSON."""
            if formdata is _Auto:
                return request.form if _is_submitted() else None
            return formdata

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors = [
                _("This form was open too long or your session ended. Check what you typed and submit it again.")
            ]
        return valid

    def check_draft(self) -> bool:
        """Validate answers kept from earlier (a draft, saved by a refused submit or by autosave), to mark what still
        needs fixing in what was typed. An answer not given yet is not marked: the person may simply not have
        reached it (saving asks for it). The draft has no CSRF token of its own, and the page hands out a fresh one,
        so the token is not part of this check."""
        valid = self.validate()
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            csrf_field.errors = []
        _unmark_unanswered(self)
        return valid and not self.form_errors

    @property
    def form_errors_for_display(self) -> list[str]:
        """Errors not tied to a visible field (e.g. the CSRF token)."""
        csrf_field = getattr(self, "csrf_token", None)
        messages = list(self.form_errors)
        if csrf_field is not None:
            messages.extend(csrf_field.errors)
        return messages


def field_names(form) -> set[str]:
    """The names a form's page posts (every row of a repeated group, up to its max_entries), without the CSRF
    token: what a kept draft may hold."""
    names: set[str] = set()
    for field in form:
        if isinstance(field, wtforms.FieldList):
            while field.max_entries and len(field.entries) < field.max_entries:
                field.append_entry()
            for entry in field.entries:
                names |= field_names(entry.form) if isinstance(entry, wtforms.FormField) else {entry.name}
        elif isinstance(field, wtforms.FormField):
            names |= field_names(field.form)
        elif field.short_name != "csrf_token":
            names.add(field.name)
    return names


def _answered(field) -> bool:
    return any(not isinstance(value, str) or value.strip() for value in (field.raw_data or []))


def _unmark_unanswered(form) -> None:
    for field in form:
        if isinstance(field, wtforms.FieldList):
            for entry in field.entries:
                if isinstance(entry, wtforms.FormField):
                    _unmark_unanswered(entry.form)
                elif not _answered(entry):
                    entry.errors = []
            # A rule about the whole list ("at least three") is for the save, not for a list still being filled in.
            field.errors = [entry.errors for entry in field.entries if entry.errors]
        elif isinstance(field, wtforms.FormField):
            _unmark_unanswered(field.form)
        elif not _answered(field):
            field.errors = []


class IntegerField(wtforms.IntegerField):
    """WTForms' integer field, refusing a number of more than nine digits before any validator sees it: NumberRange
    turns a 400-digit number into a float and overflows (a 500). Every form of the portal uses this one."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str) and len(valuelist[0].strip().lstrip("+-")) > 9:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


def strip_text(value):
    """Spaces pasted around an answer are never meant."""
    return value.strip() if isinstance(value, str) else value


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[strip_text],
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("An email address can have at most 254 characters.")),
            Email(message=_l("Enter an email address like name@example.com.")),
        ],
        render_kw={"autocomplete": "email"},
    )


def _new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[
            InputRequired(message=_l("Choose a password.")),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=_l("Use between %(min)d and %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH),
            ),
        ],
        description=_l("At least 8 characters. A few words you will remember make a strong password."),
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field(other: str):
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(message=_l("Repeat the password.")),
            EqualTo(other, message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _name_field():
    return StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter your full name.")),
            Length(max=200, message=_l("A name can have at most 200 characters.")),
        ],
        render_kw={"autocomplete": "name"},
    )


def _language_field(label=None):
    return SelectField(_l("Preferred language") if label is None else label, choices=LANGUAGE_CHOICES,
                       validators=[InputRequired()])


class LoginForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("An email address can have at most 254 characters.")),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("A password can have at most %(max)d characters.", max=MAX_LENGTH)),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class RegistrationForm(PortalForm):
    full_name = _name_field()
    email = email_field()
    password = _new_password_field()
    confirm = _confirm_field("password")
    preferred_locale = _language_field()


class ForgotPasswordForm(PortalForm):
    email = email_field()


class ResendConfirmationForm(PortalForm):
    email = email_field()


class SetPasswordForm(PortalForm):
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")


class ProfileForm(PortalForm):
    full_name = _name_field()
    preferred_locale = _language_field(_l("Language for the portal and for emails"))


def _staff_role_choices():
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role if role in STAFF_ROLES]


class InviteStaffForm(PortalForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter the person's full name.")),
            Length(max=200, message=_l("A name can have at most 200 characters.")),
        ],
    )
    email = email_field()
    role = SelectField(_l("Role"), validators=[InputRequired()])
    preferred_locale = _language_field(_l("Language of the invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _staff_role_choices()


class UserAccessForm(PortalForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])
    active = BooleanField(_l("Account is active (the person can sign in)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class LanguageForm(PortalForm):
    language = HiddenField(validators=[InputRequired()])
    next = HiddenField()

    def validate_language(self, field):
        if field.data not in LANGUAGE_CODES:
            raise ValidationError(_("Choose English or Spanish."))


class ConfirmForm(PortalForm):
    """A button that changes something (sign out): only the CSRF token."""


def keeps_input(view):
    """Marks a form page whose view acts only inside validate_on_submit(), so after a CSRF failure it can safely be
    run again to re-render the form with what was typed (portal/errors.py)."""
    view.rerender_on_csrf_error = True
    return view


def csrf_failed() -> bool:
    """True while a form page is re-rendered after a failed CSRF check: show what was typed, store nothing."""
    return bool(g.get("csrf_failed"))


def render_form(template: str, form: PortalForm, **context):
    """Render a form page; a submitted form with errors answers 422 so clients and tests see the refusal."""
    status = 422 if request.method == "POST" and (form.errors or form.form_errors_for_display) else 200
    return render_template(template, form=form, **context), status


REFUSED_BESIDE = "refused_beside"


def refuse_beside(place: str, message: str, endpoint: str, **values):
    """A refusal said beside the field it is about on the next page view, that field autofocused: the browser
    scrolls it into view, where a person on a phone is looking, without a script, and a reload sends nothing again.
    No #fragment in the address: browsers skip autofocus when it names a target."""
    session[REFUSED_BESIDE] = (place, message)
    return redirect(url_for(endpoint, **values), code=303)


def refusal_beside() -> tuple[str, str]:
    """The place and words of a refusal to say on this page view (once), or two empty strings."""
    place, message = session.pop(REFUSED_BESIDE, None) or ("", "")
    return place, message


class SignInCodeForm(PortalForm):
    """The second step: a code from the authenticator app, or one of the recovery codes."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Enter the 6-digit code from your authenticator app, or a recovery code.")),
            Length(max=40, message=_l("A code has at most 40 characters.")),
        ],
        description=_l("6 digits from your authenticator app. Lost your phone? Type one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none",
                   "spellcheck": "false"},
    )


class EnrolAuthenticatorForm(PortalForm):
    code = StringField(
        _l("Code from the app"),
        validators=[
            DataRequired(message=_l("Enter the 6-digit code your app shows now.")),
            Length(max=20, message=_l("The code has 6 digits.")),
        ],
        description=_l("The 6 digits the app shows for this portal now."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class EnrolWhileSignedInForm(EnrolAuthenticatorForm):
    password = PasswordField(
        _l("Your password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("A password can have at most %(max)d characters.", max=MAX_LENGTH)),
        ],
        description=_l("Asked again, so nobody can turn this on at a browser you left open."),
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmWithPasswordForm(PortalForm):
    """A change to how someone signs in asks for the password again: an unattended open session is not enough."""

    password = PasswordField(
        _l("Your password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("A password can have at most %(max)d characters.", max=MAX_LENGTH)),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ResetSecondStepForm(PortalForm):
    reason = StringField(
        _l("Why"),
        validators=[
            DataRequired(message=_l("Say why, for the event log (for example: lost phone, confirmed by a call).")),
            Length(max=500, message=_l("At most %(max)d characters.", max=500)),
        ],
    )
