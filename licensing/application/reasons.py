"""Words staff write for a family to read (a returned document, a reopened section, a returned checklist item): the
family's language, and the agency's saved return reasons in both languages, kept by administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from licensing.application.models import ReturnReason
from portal import audit
from portal.extensions import db
from portal.i18n import current_language
from portal.models import User
from portal.services import household_accounts

# Shown beside every box whose words the family will read, so nobody writes to a Spanish-speaking family in English
# without knowing.
LANGUAGE_HINTS = {
    "en": _l("The family reads English — write in English."),
    "es": _l("The family reads Spanish — write in Spanish."),
}


def family_languages(household_id: int) -> list[str]:
    """The languages the household's accounts read, the first account's first: what staff should write in (and,
    first of them, the language of words the portal writes to the family itself: the tracker uses it too)."""
    languages: list[str] = []
    for user in household_accounts(household_id):
        if user.preferred_locale not in languages:
            languages.append(user.preferred_locale)
    return languages or ["en"]


def language_hint(languages: list[str]) -> str:
    if len(languages) > 1:
        return str(_l("The family reads English and Spanish — write in both."))
    return str(LANGUAGE_HINTS.get(languages[0], LANGUAGE_HINTS["en"]))


def active_reasons() -> list[ReturnReason]:
    return list(
        db.session.scalars(select(ReturnReason).where(ReturnReason.active.is_(True)).order_by(ReturnReason.text_en))
    )


def all_reasons() -> list[ReturnReason]:
    return list(db.session.scalars(select(ReturnReason).order_by(ReturnReason.active.desc(), ReturnReason.text_en)))


def reason_choices(reasons: list[ReturnReason], languages: list[str]) -> list[SelectChoice]:
    """The options of "Use a saved reason": the reason in the reader's words, and in the family's when that differs."""
    choices = [SelectChoice("", "—")]
    for reason in reasons:
        own = reason.text(current_language())
        theirs = [reason.text(language) for language in languages if reason.text(language) != own]
        choices.append(SelectChoice(str(reason.id), f"{own} ({' / '.join(theirs)})" if theirs else own))
    return choices


def text_for_family(typed: str | None, saved_reason_id: int | None, household_id: int) -> str:
    """What the family reads: the typed words, or else the chosen saved reason in the family's language (in each
    of its languages, when its accounts read different ones)."""
    typed = (typed or "").strip()
    if typed or saved_reason_id is None:
        return typed
    reason = db.session.get(ReturnReason, saved_reason_id)
    if reason is None or not reason.active:
        return ""
    return " / ".join(dict.fromkeys(reason.text(language) for language in family_languages(household_id)))


def save_reason(
    admin: User | None, reason: ReturnReason | None, text_en: str, text_es: str, active: bool
) -> ReturnReason:
    """Add or change a saved return reason, recorded with what changed."""
    if reason is None:
        reason = ReturnReason()
        db.session.add(reason)
    values = {"text_en": text_en.strip(), "text_es": text_es.strip(), "active": bool(active)}
    changed = {name: str(value) for name, value in values.items() if getattr(reason, name, None) != value}
    for name, value in values.items():
        setattr(reason, name, value)
    audit.record("return_reason_saved", actor=admin, target=reason, changed=changed)
    return reason
