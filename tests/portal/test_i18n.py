"""Spanish everywhere: locale choice, a complete catalog, locale-aware dates and money."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from flask_babel import force_locale

from portal.i18n import date_filter, datetime_filter, money_filter
from tests.conftest import post_form, sign_in, text_of

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"


def test_accept_language_picks_spanish(client):
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in page.get_data(as_text=True)
    assert "Iniciar sesión" in text_of(page)


def test_switcher_cookie_beats_accept_language(client):
    response = post_form(client, "/language", {"language": "es", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert "¿Olvidó su contraseña?" in text_of(page)


def test_switcher_refuses_unknown_language_without_error(client):
    response = post_form(client, "/language", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_profile_choice_beats_cookie_and_the_switcher_updates_it(client, db, make_user):
    user = make_user("family", locale="es")
    client.set_cookie("lang", "en")
    sign_in(client, user)
    assert "Mi página principal" in text_of(client.get("/dashboard"))
    post_form(client, "/language", {"language": "en", "next": "/dashboard"})
    db.session.refresh(user)
    assert user.preferred_locale == "en"
    assert "My home page" in text_of(client.get("/dashboard"))


def test_error_pages_are_translated(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert page.status_code == 404
    assert "Página no encontrada" in text_of(page)


def test_a_request_s_kept_catalog_follows_force_locale_and_refresh(app):
    """The catalog kept for a request (portal/i18n.py, RequestCatalogDomain) is never used for another language: an
    email in its reader's language in the middle of a Spanish page, the page's words after it, a changed choice."""
    from flask import g, render_template_string
    from flask_babel import gettext, refresh

    template = "{{ _('Sign in') }} {% trans name='Ana' %}Hello, {{ name }}{% endtrans %}"
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert gettext("Sign in") == "Iniciar sesión"
        page = render_template_string(template)
        assert page == "Iniciar sesión Hola, Ana"
        with force_locale("en"):
            assert gettext("Sign in") == "Sign in"
            assert render_template_string(template) == "Sign in Hello, Ana"
        assert gettext("Sign in") == "Iniciar sesión"
        assert render_template_string(template) == page
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert gettext("Sign in") == "Iniciar sesión"
        g.suggested_locale = "en"
        refresh()  # the locale is chosen again: English now (suggested beats Accept-Language)
        assert gettext("Sign in") == "Sign in"
        assert render_template_string("{{ _('Sign in') }}") == "Sign in"


def test_a_job_s_emails_each_take_their_readers_language(app):
    """Jobs render mail in an app context without a request, one reader after another (force_locale each time): the
    catalog kept for one language is never used for the next (portal/i18n.py)."""
    from flask import render_template_string
    from flask_babel import gettext

    with app.app_context():
        for locale, words in (("es", "Iniciar sesión"), ("en", "Sign in"), ("es", "Iniciar sesión")):
            with force_locale(locale):
                assert render_template_string("{{ _('Sign in') }}") == words
                assert gettext("Sign in") == words


def test_a_translated_sentence_may_name_its_variables_string_and_context(app):
    """Jinja's own gettext takes any variable name; so does the portal's (its own arguments are positional-only)."""
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string("{{ _('%(string)s and %(context)s', string='<a>', context='b') }}") == \
            "&lt;a&gt; and b"


def test_dates_and_money_follow_the_locale_in_the_agency_time_zone(app):
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)  # 4 March, 5:30 pm in Los Angeles
    with app.test_request_context():
        with force_locale("en"):
            assert date_filter(moment) == "March 4, 2026"
            assert money_filter(123450) == "$1,234.50"
        with force_locale("es"):
            assert date_filter(moment) == "4 de marzo de 2026"
            assert money_filter(123450) == "$1,234.50"
            assert datetime_filter(moment, "short").replace("\u202f", " ").replace("\xa0", " ") == "4/3/2026, 5:30 p.m."
        with force_locale("en"):
            assert datetime_filter(moment, "short").replace("\u202f", " ") == "3/4/26, 5:30 PM"


def test_spanish_catalog_is_complete_and_has_no_fuzzy_entries():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert catalog.percent_translated() == 100


def test_every_string_in_the_code_is_in_the_catalog(tmp_path):
    """`pybabel extract` finds nothing that the Spanish catalog lacks (run `make extract-messages` when it fails)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), "app.py", "portal",
         "licensing", "training", "templates"],
        cwd=ROOT, check=True, capture_output=True,
    )
    # With their context: "Check" as a payment method ("Cheque") is another entry than "Check" alone.
    extracted = {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(pot)) if entry.msgid}
    in_catalog = {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(CATALOG)) if not entry.obsolete}
    assert sorted(extracted - in_catalog) == []


@pytest.mark.parametrize("message", ["%(name)s", "%(email)s", "%(link)s", "%(min)d", "%(role)s"])
def test_placeholders_survive_translation(message):
    for entry in polib.pofile(str(CATALOG)):
        if message not in entry.msgid:
            continue
        if entry.msgid_plural:  # every plural form keeps the named value ("2 families assigned to %(name)s")
            assert entry.msgstr_plural and all(form.count(message) == entry.msgid_plural.count(message)
                                               for form in entry.msgstr_plural.values()), entry.msgid
        else:
            assert entry.msgstr.count(message) == entry.msgid.count(message), entry.msgid


def test_a_typed_time_is_the_agencys_wall_clock_time(app):
    """10:00 typed in Los Angeles is 18:00 UTC in winter and 17:00 in summer (pytz's zone, put in with replace(),
    once moved it by the city's old local mean time: 17:53)."""
    from datetime import UTC, datetime

    from portal.i18n import local_to_utc

    with app.app_context():
        assert local_to_utc(datetime(2026, 12, 8, 10, 0)) == datetime(2026, 12, 8, 18, 0, tzinfo=UTC)  # noqa: DTZ001 (typed, naive)
        assert local_to_utc(datetime(2027, 7, 8, 10, 0)) == datetime(2027, 7, 8, 17, 0, tzinfo=UTC)  # noqa: DTZ001


@pytest.mark.parametrize("pair", [("Due %(when)s", "Expires %(when)s")])
def test_words_a_family_must_tell_apart_stay_apart_in_spanish(pair):
    """A checklist row can show both a due date and an expiry date: 'Vence el' for both told the family nothing."""
    spanish = {entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOG))}
    assert spanish[pair[0]] != spanish[pair[1]]


def test_plural_blocks_count_by_their_number():
    """Jinja counts a `{% trans %}...{% pluralize %}` block by its FIRST variable unless `{% pluralize name %}` says
    which: with a date or a name first, Spanish plural rules raise (a 500 on the Spanish month calendar, once)."""
    wrong = []
    for path in sorted((ROOT / "templates").rglob("*.*")):
        text = path.read_text(encoding="utf-8")
        for block in re.finditer(r"{%-? trans ([^%]*?)-?%}(.*?){%-? endtrans -?%}", text, flags=re.S):
            names = [part.split("=")[0].strip() for part in block.group(1).split(",") if part.strip()]
            names = [name.removeprefix("trimmed").strip() for name in names]
            if "{% pluralize %}" in block.group(2) and names and names[0] != "count":
                wrong.append(f"{path.relative_to(ROOT)}: {block.group(0)[:80]}")
    assert wrong == []


def test_the_two_times_of_the_hour_the_clock_goes_back_are_formatted_apart(app):
    """Remembered formatting (portal/i18n.py) keys on the instant: 1:30 a.m. before and after the change are
    different times, though equal as wall-clock times of one zone."""
    from datetime import datetime as _datetime
    from zoneinfo import ZoneInfo

    from portal.i18n import datetime_filter

    zone = ZoneInfo("America/Los_Angeles")
    first, second = (_datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=zone) for fold in (0, 1))
    with app.test_request_context():
        shown = {datetime_filter(first, "EEEE h:mm a zzzz"), datetime_filter(second, "EEEE h:mm a zzzz")}
    assert len(shown) == 2, shown


def test_a_refusal_outside_a_request_reads_in_the_default_language(app):
    """A CLI command or a job refused by a domain rule (the demo's respite stay, once) shows why, in English by
    default and in Spanish under `force_locale`, instead of "Working outside of request context"."""
    from flask_babel import lazy_gettext

    from portal.transitions import Refused

    with app.app_context():
        english = str(Refused(lazy_gettext("Choose the respite home.")))
        with force_locale("es"):
            spanish = str(Refused(lazy_gettext("Choose the respite home.")))
    assert english == "Choose the respite home."
    assert spanish != english and spanish


def test_every_form_says_wtforms_own_messages_in_the_pages_language(app):
    """A form that is not a FlaskForm (a GET form of the query string, a row or a meeting inside a larger form) had
    WTForms' English messages on a Spanish page ("Not a valid date value." under the metrics' dates)."""
    import wtforms
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from licensing.pipeline.metrics_forms import MetricsPeriodForm

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    ours = {cls for cls in every(wtforms.Form) if cls.__module__.split(".")[0] in ("portal", "licensing", "training")}
    assert len(ours) > 50
    with app.test_request_context(headers={"Accept-Language": "es"}):
        untranslated = [f"{cls.__module__}.{cls.__name__}" for cls in ours if not issubclass(cls, FlaskForm)
                        and cls().meta.get_translations(None).gettext("Not a valid date value.")
                        == "Not a valid date value."]
        form = MetricsPeriodForm(MultiDict({"from": "abc"}))
        form.validate()
    assert untranslated == []
    assert form.errors == {"start": ["No es una fecha válida."]}


def test_months_and_decimals_read_alike_on_every_page(app):
    """Today's walkthrough: the metrics wrote "5,0" (Flask-Babel's bare "es") where mileage and hours write "12.5"
    (es_US, the portal's Spanish for numbers), and months read "noviembre 2026" (a pattern) for "noviembre de 2026"."""
    from datetime import date

    from licensing.pipeline.metrics_views import one_decimal
    from portal.i18n import date_filter, decimal_text, month_text, percent_text

    with app.test_request_context():
        with force_locale("es"):
            spanish = (month_text(date(2026, 11, 5)), date_filter(date(2026, 11, 5), "month"), one_decimal(1234.46),
                       decimal_text(12.5), percent_text(0.25))
        with force_locale("en"):
            english = (month_text(date(2026, 11, 5)), one_decimal(-0.04))
    assert spanish == ("noviembre de 2026", "noviembre de 2026", "1,234.5", "12.5", "25%")
    assert english == ("November 2026", "0.0")


def test_a_checklist_items_status_agrees_with_requisito(app):
    """Today's walkthrough: "Certificado de RCP — Aprobada" (the application's word, "solicitud"); an item is a
    "requisito": "Aprobado", "Enviado". The application keeps "Aprobada"."""
    from licensing.application.models import APPLICATION_STATUS_LABELS, ApplicationStatus
    from licensing.tracker.models import ITEM_STATUS_LABELS, ItemStatus

    with app.test_request_context(), force_locale("es"):
        item = [str(ITEM_STATUS_LABELS[status]) for status in (ItemStatus.APPROVED, ItemStatus.SUBMITTED)]
        application = str(APPLICATION_STATUS_LABELS[ApplicationStatus.APPROVED])
    assert item == ["Aprobado", "Enviado"] and application == "Aprobada"


def test_a_language_inside_a_sentence_is_written_in_lower_case_in_spanish(app):
    """Today's walkthrough: "Empieza el 16 de diciembre de 2026, en Inglés" and "Habla Español"."""
    from portal.i18n import language_label, language_word

    with app.test_request_context():
        with force_locale("es"):
            spanish = (language_word("en"), language_word("es"), language_label("en"))
        with force_locale("en"):
            english = (language_word("en"), language_word("es"))
    assert spanish == ("inglés", "español", "Inglés") and english == ("English", "Spanish")
    templates = [(ROOT / "templates/training/catalog" / name).read_text() for name in ("course.html", "enroll.html")]
    assert all("language=language_word(session.language) %}Starts" in text for text in templates)
