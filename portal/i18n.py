"""Language and time zone choice, and locale-aware formatting for templates and emails."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale, dates, numbers
from flask import Flask, current_app, g, request, session
from flask_babel import Domain, force_locale, get_locale, get_timezone, get_translations, lazy_pgettext, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from portal.audit import audit_label, record_label
from portal.clock import agency_zone
from portal.models import outbox_status_label, role_label
from portal.transitions import status_change_label

LANGUAGE_COOKIE = "lang"
# Each language in its own words: only for the switcher, where a person looks for their own language.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# A language named on a page or in an email (a session's, a reference's, a person's): in the reader's words.
LANGUAGE_LABELS = {"en": _l("English"), "es": _l("Spanish")}
# The language of the emailed link a person without an account opened last (a reference, an invited lead): the pages
# after it (thank-you pages, redirects, sign-in) stay in it until they choose one with the switcher.
LINK_LOCALE_KEY = "link_locale"
# A US agency's Spanish readers expect $1,234.50 and US date order conventions of es_US (../shared/STACK.md).
FORMAT_LOCALES = {"en": "en_US", "es": "es_US"}


def supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower()[:2]
    return code if code in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    """Signed-in person's saved choice, then the switcher's cookie, then Accept-Language."""
    if current_user and current_user.is_authenticated:
        chosen = supported(current_user.preferred_locale)
        if chosen:
            return chosen
    chosen = (supported(request.cookies.get(LANGUAGE_COOKIE)) or supported(g.get("suggested_locale"))
              or supported(session.get(LINK_LOCALE_KEY)))
    if chosen:
        return chosen
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def suggest_locale(code: str | None) -> None:
    """A page opened from an emailed link (a reference, another adult, a lead) is in the language the email was in,
    and so are the pages after it (the thank-you page, a redirect): the choice is kept in the session. The
    switcher's cookie and a signed-in person's own choice still win."""
    chosen = supported(code)
    if chosen is None:
        return
    g.suggested_locale = chosen
    if session.get(LINK_LOCALE_KEY) != chosen:
        session[LINK_LOCALE_KEY] = chosen
    refresh()  # something may have asked for the locale already in this request


def language_label(code: str | None) -> str:
    """The name of a language in the reader's language ("Inglés" on a Spanish page)."""
    label = LANGUAGE_LABELS.get(code or "")
    return str(label) if label is not None else (code or "")


# Inside a sentence Spanish writes a language in lower case ("Empieza el lunes, en inglés"); a label or a menu
# choice starts with a capital ("Inglés").
LANGUAGE_WORDS = {"en": lazy_pgettext("in a sentence", "English"), "es": lazy_pgettext("in a sentence", "Spanish")}


def language_word(code: str | None) -> str:
    """A language's name for the middle of a sentence."""
    word = LANGUAGE_WORDS.get(code or "")
    return str(word) if word is not None else language_label(code)


def local_to_utc(value: datetime) -> datetime:
    """A date and time typed in the agency's time zone (naive), as an aware UTC datetime."""
    # zoneinfo, not Flask-Babel's pytz zone: pytz's zone put in with replace() carries the city's old local mean time
    # (-7:53 for Los Angeles), which moved every typed time seven minutes.
    return value.replace(tzinfo=agency_zone()).astimezone(UTC) if value.tzinfo is None else value.astimezone(UTC)


def select_timezone() -> str:
    return current_app.config["PORTAL_TIMEZONE"]


def _babel_state() -> dict | None:
    """This request's Flask-Babel state (the locale and time zone chosen for it, the catalog kept for it) in one
    look, or None outside a request or before anything asked for them. Flask-Babel's own getters reach the request
    three times each, and a list page asks hundreds of times (every date, number and word)."""
    try:
        return vars(g._flask_babel)
    except (AttributeError, RuntimeError):
        return None


def current_language() -> str:
    state = _babel_state()
    locale = (state.get("babel_locale") if state else None) or get_locale()
    return locale.language if locale is not None else "en"


def _timezone():
    state = _babel_state()
    return (state.get("babel_tzinfo") if state else None) or get_timezone()


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def _format_locale() -> Locale:
    return _locale(FORMAT_LOCALES.get(current_language(), "en_US"))


def datetime_filter(value: datetime | None, style: str = "medium") -> str:
    """In the agency's time zone; es_US gives the 12-hour clock that US Spanish readers expect. The date in `style`,
    the time always as hours and minutes ("5:30 p.m.", never "5:30:00 p.m. PST"): every time is the agency's."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        # Remembered by instant: two wall-clock-equal times of the hour a clock goes back differ only in `fold`,
        # which equality and hashing ignore for one zone.
        value = value.astimezone(UTC)
    return _formatted_datetime(value, style, _timezone(), FORMAT_LOCALES.get(current_language(), "en_US"))


# Remembered: a job's thousands of reminders mostly name the same few times (a tenth of a millisecond each in Babel).
@lru_cache(maxsize=4096)
def _formatted_datetime(value: datetime, style: str, zone, locale_code: str) -> str:
    locale = _locale(locale_code)
    if style not in locale.date_formats:  # a pattern of its own ("EEEE h:mm a")
        return dates.format_datetime(value, style, tzinfo=zone, locale=locale)
    pattern = str(locale.datetime_formats[style]).format(locale.time_formats["short"].pattern,
                                                         locale.date_formats[style].pattern)
    return dates.format_datetime(value, pattern, tzinfo=zone, locale=locale)


# A month and its year as each language writes them: "November 2026", "noviembre de 2026" (a pattern like "LLLL y"
# gives "noviembre 2026"). `date('month')` in templates, `month_text` in Python.
MONTH_STYLE = "month"


def date_filter(value: date | datetime | None, style: str = "long") -> str:
    if value is None:
        return ""
    if type(value) is date:  # due dates repeat down a list: each formatted once per style and language
        return _formatted_date(value, style, FORMAT_LOCALES.get(current_language(), "en_US"))
    if isinstance(value, datetime):
        value = value.astimezone(_timezone())
    return _format_date(value, style, _format_locale())


@lru_cache(maxsize=4096)
def _formatted_date(value: date, style: str, identifier: str) -> str:
    return _format_date(value, style, _locale(identifier))


def _format_date(value: date, style: str, locale: Locale) -> str:
    if style == MONTH_STYLE:
        return dates.format_skeleton("yMMMM", value, locale=locale)
    return dates.format_date(value, style, locale=locale)


def month_text(value: date) -> str:
    """A month and its year in the reader's words (MONTH_STYLE)."""
    return date_filter(value, MONTH_STYLE)


def decimal_text(value: float, pattern: str = "#,##0.0") -> str:
    """A decimal as the reader's US English or US Spanish writes it ("12.5": es_US, like every number of the
    portal; Flask-Babel's own format_decimal would read the page's bare "es" and write "12,5")."""
    return numbers.format_decimal(value, format=pattern, locale=_format_locale())


def percent_text(value: float) -> str:
    """A share as a percentage, in es_US or en_US like decimal_text."""
    return numbers.format_percent(value, locale=_format_locale())


def number_filter(value: float | int | None) -> str:
    if value is None:
        return ""
    if type(value) is int:  # counts and days repeat from row to row: each formatted once per language
        return _formatted_int(value, FORMAT_LOCALES.get(current_language(), "en_US"))
    return numbers.format_decimal(value, locale=_format_locale())


@lru_cache(maxsize=4096)
def _formatted_int(value: int, identifier: str) -> str:
    return numbers.format_decimal(value, locale=_locale(identifier))


def money_filter(cents: int | None, currency: str = "USD") -> str:
    """Money is stored as integer cents; es_US gives $1,234.50 where plain es would give 1.234,50 US$."""
    if cents is None:
        return ""
    return numbers.format_currency(cents / 100, currency, locale=_format_locale())


def label_of(table: dict, value) -> str:
    """The translated word for a stored value (an enum member or its string) from a table of lazy labels."""
    for key, label in table.items():
        if getattr(key, "value", key) == getattr(value, "value", value):
            return str(label)
    return str(value)


def in_language(locale: str, text) -> str:
    """A lazy string rendered in someone else's language (a reason the family will read, written by staff)."""
    with force_locale(locale):
        return str(text)


# Details worth reading next to an event's words: the person or thing it was about (names, not codes).
EVENT_DETAIL_KEYS = ("homefinder", "reference", "member", "number")

HOW_LABELS = {
    "signed_out": _l("signed out"),
    "by_owner": _l("ended by the person"),
    "by_admin": _l("ended by an administrator"),
    "from_email": _l("ended from the new sign-in email"),
    "password_changed": _l("the password was changed"),
    "second_step_reset": _l("the second step was reset"),
    "deactivated": _l("the account was deactivated"),
    "role_changed": _l("the role was changed"),
    "totp": _l("with the authenticator app"),
    "recovery": _l("with a recovery code"),
    "passkey": _l("with a passkey"),
}


def event_text(event) -> str:
    """An event of the one log in the reader's words: "Signed (Ana Torres)", "Status changed: Submitted →
    Approved"."""
    text = audit_label(event.action)
    how = event.details.get("how") if isinstance(event.details, dict) else None
    if how in HOW_LABELS:  # how a session ended, how a second step was passed: stored as a key, said in words
        text = f"{text}: {HOW_LABELS[how]}"
    if event.to_status is not None:
        text = f"{text}: {status_change_label(event)}"
    detail = next((event.details[key] for key in EVENT_DETAIL_KEYS if event.details.get(key)), None)
    return f"{text} ({detail})" if detail else text


def one_closing_period(text: str, variables: dict) -> str:
    """A sentence ending with a value that ends with its own period ("5:30 p.m.") takes no second one ("p.m..").

    Only where the value is followed by the sentence's own period, i.e. that period ends the text or is followed by
    a space or markup: an ellipsis after the value ("p.m....") or the value's text elsewhere is left as written."""
    for value in variables.values():
        if isinstance(value, str) and value.endswith("."):
            collapsed = re.sub(re.escape(value) + r"\.(?=\s|<|$)", lambda _match, value=value: value, text)
            text = Markup(collapsed) if isinstance(text, Markup) else collapsed  # noqa: S704 (was markup already)
    return text


class RequestCatalogDomain(Domain):
    """Flask-Babel's domain, keeping the catalog it found for this request next to the locale it found it for.

    Every translated word of a page asks for the catalog: Flask-Babel's own lookup reaches the request's state three
    times and spells out the locale's identifier to find it in its cache (about half of a word's cost; a page has
    50 to 250 words). Here the second word on finds it in one step while the request's locale is the very same
    object. `force_locale` (an email in its reader's language) and `refresh` put another locale object in place, or
    none, so the catalog is looked up again for it: the kept one is never used for another language."""

    def get_translations(self):
        state = _babel_state()
        if state is None:  # no request or app context, or nothing chosen yet: Flask-Babel's own answer
            return super().get_translations()
        kept = _kept_catalog(state)
        if kept is None:
            kept = super().get_translations()
            state["portal_catalog"] = (state.get("babel_locale"), kept)
        return kept


def _kept_catalog(state: dict | None):
    """The catalog kept in this request's state, if it was kept for the locale the request has now."""
    kept = state.get("portal_catalog") if state else None
    return kept[1] if kept is not None and kept[0] is state.get("babel_locale") else None


def _catalog():
    """The request's catalog: the one kept for its locale without going through Flask-Babel's domain lookup, else
    Flask-Babel's (RequestCatalogDomain, which keeps it)."""
    kept = _kept_catalog(_babel_state())
    return kept if kept is not None else get_translations()


@pass_context
def _template_gettext(context, string, /, **variables):
    """Jinja's `_()` and `{% trans %}` in one call (Jinja's newstyle gettext behind its `_` alias and a wrapper was
    three calls through the template context per word): the translation, marked safe where the template
    autoescapes, its variables put in (escaped), and one closing period after a time that ends a sentence."""
    text = _catalog().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our own catalog, trusted as Jinja trusts it; variables are escaped by %)
    text = text % variables  # always, as Jinja's newstyle gettext does: "%%" is a percent sign with or without them
    return one_closing_period(text, variables) if variables else text


def _sentence_gettext(original):
    """Jinja's other gettext functions (plural, context) with one closing period after a time that ends a
    sentence."""

    @pass_context
    def gettext(context, *args, **variables):
        return one_closing_period(context.call(original, *args, **variables), variables)

    return gettext


# "Check" is three words in Spanish: a bank check ("cheque"), a background check ("verificación"), and the verb of a
# button ("verificar", msgctxt "button"). The payment method has its own context; both payment forms (licensing fees,
# training seats) name it through this one lazy word.
CHECK_PAYMENT = lazy_pgettext("payment method", "Check")


def init_app(app: Flask) -> None:
    # Whitespace inside {% trans %} blocks is collapsed, so catalog entries don't depend on template indentation.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    for name in ("ngettext", "pgettext", "npgettext"):  # installed by Flask-Babel (newstyle)
        if name in app.jinja_env.globals:
            app.jinja_env.globals[name] = _sentence_gettext(app.jinja_env.globals[name])
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _template_gettext
    configuration = app.extensions["babel"]  # after babel.init_app (app.py)
    configuration.instance.domain_instance = RequestCatalogDomain(domain=configuration.default_domain)
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["number"] = number_filter
    app.jinja_env.filters["money"] = money_filter

    # Labels of stored values (roles, audit actions, mail status), translated when the page or email is rendered.
    app.jinja_env.globals.update(role_label=role_label, audit_label=audit_label, event_text=event_text,
                                 record_label=record_label,
                                 outbox_status_label=outbox_status_label, language_label=language_label,
                                 language_word=language_word)

    @app.context_processor
    def _language_context():
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES}
