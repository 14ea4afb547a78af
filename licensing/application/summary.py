"""The application's answers as questions and answers in the reader's language: for staff reviewing it, and for a
co-applicant reading what they sign."""

from __future__ import annotations

from flask_babel import gettext as _

from licensing.application import services as applications
from licensing.application.models import Application
from licensing.application.sections import SECTION_FORMS, AttestationsForm


def readable_sections(application: Application) -> dict[str, list[tuple[str, object]]]:
    """Each flat section's answers as (question, answer) in the reader's language, from the section's own form."""
    readable: dict[str, list[tuple[str, object]]] = {}
    for key, section in applications.sections_by_key(application).items():
        if key in ("household", "references") or not section.data:
            continue
        form = SECTION_FORMS[key](
            formdata=None, data=applications.initial_form_data(application, section), meta={"csrf": False}
        )
        rows = []
        for field in form:
            if field.type in ("CSRFTokenField", "HiddenField"):
                continue
            value = field.data
            if field.type in ("RadioField", "SelectField", "MultiCheckboxField"):
                chosen = set(value if isinstance(value, list) else [value])
                value = ", ".join(str(choice.label) for choice in field.choices if choice.value in chosen)
            elif field.type == "BooleanField":
                value = _("Yes") if value else _("No")
            rows.append((field.label.text, value))
        readable[key] = rows
    return readable


def attestation_statements() -> list[str]:
    """The agreements every applicant signs, in the reader's language."""
    form = AttestationsForm(formdata=None, meta={"csrf": False})
    return [field.label.text for field in form if field.type == "BooleanField"]
