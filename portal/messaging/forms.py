"""Forms of messaging: a new thread (a family's, a staff member's), a reply, an administrator's reason to read, and
a handover of one staff member's threads to another."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.forms import PortalForm
from portal.messaging.models import BODY_MAX, SUBJECT_MAX


def _visible_text(value: str | None) -> str:
    """What a person would see: control and format characters (zero-width spaces, direction marks) dropped."""
    return "".join(ch for ch in (value or "") if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
                   or ch in "\n\t").strip()


class HasWords:
    """A body or subject must say something visible: only spaces or invisible characters are refused."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not _visible_text(field.data):
            raise ValidationError(self.message)


def _clean(value):
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\x00", ""))
    return value.strip()


def _subject_field():
    return StringField(_l("Subject"), filters=[_clean], validators=[
        InputRequired(message=_l("Write a subject.")), HasWords(_l("Write a subject.")),
        Length(max=SUBJECT_MAX, message=_l("A subject has at most %(max)d characters."))],
        render_kw={"maxlength": SUBJECT_MAX})


def _body_field():
    return TextAreaField(_l("Message"), filters=[_clean], validators=[
        InputRequired(message=_l("Write your message.")), HasWords(_l("Write your message.")),
        Length(max=BODY_MAX, message=_l("A message has at most %(max)d characters."))],
        description=_l("You can attach one file: PDF, JPEG, PNG or HEIC, up to 10 MB."),
        render_kw={"rows": 6, "maxlength": BODY_MAX})


def _choice(message):
    return [InputRequired(message=message)]


class FamilyThreadForm(PortalForm):
    """A family's new thread: to one of the staff assigned to it, optionally about a child placed with it."""

    staff_id = SelectField(_l("Write to"), coerce=int, validators=_choice(_l("Choose who you are writing to.")))
    child_id = SelectField(_l("About"), coerce=int, default=0)
    subject = _subject_field()
    body = _body_field()

    def __init__(self, *args, staff=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_id.choices = [(person.id, person.full_name) for person in staff]
        self.child_id.choices = [(0, _l("No particular child"))] + [(child.id, child.full_name)
                                                                     for child in children]


class StaffThreadForm(PortalForm):
    """A staff member's new thread: to one of the households they work with, optionally about a child of their
    caseload placed with it (the service refuses a child placed with another household)."""

    household_id = SelectField(_l("To the family"), coerce=int,
                               validators=_choice(_l("Choose the family you are writing to.")))
    child_id = SelectField(_l("About"), coerce=int, default=0)
    subject = _subject_field()
    body = _body_field()

    def __init__(self, *args, households=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.household_id.choices = [(household.id, household.name) for household in households]
        self.child_id.choices = [(0, _l("No particular child"))] + [
            (row.id, f"{row.first_name} {row.last_name} · {row.household}") for row in children]


class ReplyForm(PortalForm):
    body = _body_field()


class ReadReasonForm(PortalForm):
    """An administrator opening a thread they are not party to says why (kept in the event log)."""

    reason = TextAreaField(_l("Why do you need to read this thread?"), filters=[_clean], validators=[
        InputRequired(message=_l("Say why you need to read this thread.")),
        HasWords(_l("Say why you need to read this thread.")),
        Length(min=10, max=500, message=_l("Write between %(min)d and %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": 500})


class HandoverForm(PortalForm):
    """An administrator moves every thread of one staff member to another."""

    leaving_id = SelectField(_l("Threads of"), coerce=int,
                             validators=_choice(_l("Choose whose threads to hand over.")))
    successor_id = SelectField(_l("Hand them to"), coerce=int,
                               validators=_choice(_l("Choose who takes the threads over.")))

    def __init__(self, *args, leaving=(), successors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.leaving_id.choices = [(person.id, person.full_name) for person in leaving]
        self.successor_id.choices = [(person.id, person.full_name) for person in successors]

    def validate_successor_id(self, field):
        if field.data == self.leaving_id.data:
            raise ValidationError(_l("Choose someone else to take the threads over."))
