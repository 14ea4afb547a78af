"""Spanish everywhere the person is: pages after an emailed link keep its language, labels from code are translated
in pages and emails, and times read "5:30 p.m." (no seconds, no second period)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Response, render_template_string
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from licensing.application import services as applications
from licensing.application.models import Reference
from licensing.recruitment.models import InfoSession, Lead, SessionFormat
from licensing.uploads import store_upload
from portal.extensions import db as portal_db
from portal.i18n import datetime_filter, one_closing_period
from portal.models import Household, OutboxMessage, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import PDF, fill_section

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
INQUIRY = {
    "first_name": "Elena",
    "last_name": "Vargas",
    "email": "elena@example.com",
    "phone": "555-222-3333",
    "preferred_locale": "es",
    "county": "Fresno",
    "zip_code": "93701",
    "interest": "foster",
    "source": "faith_community",
    "questions": "",
}


def main_text(response) -> str:
    """What the page says, without the header (the switcher names each language in its own words)."""
    body = response.get_data(as_text=True)
    return text_of(Response(body[body.find("<main") : body.find("</main>")]))


def last_mail(db, address: str, template: str) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == address, OutboxMessage.template == template)
        .order_by(OutboxMessage.id.desc())
    ).first()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_in(message: OutboxMessage) -> str:
    return path_of(re.search(r"https?://\S+", message.body_text).group(0))


def add_session(db, language: str, days: int = 7) -> InfoSession:
    session = InfoSession(
        starts_at=datetime.now(UTC).replace(hour=0, minute=30, second=0, microsecond=0) + timedelta(days=days),
        format=SessionFormat.VIRTUAL,
        meeting_link="https://meet.example.com/abc",
        language=language,
        capacity=20,
    )
    db.session.add(session)
    db.session.commit()
    return session


# -- 1. The pages after an emailed link keep its language ------------------------------------------------------------


def test_a_reference_who_answers_in_spanish_is_thanked_in_spanish(app, client, db, applicant_with_application):
    family, application_id = applicant_with_application()
    sign_in(client, family)
    fill_section(client, "applicants")
    fill_section(client, "references")  # Sam Ortiz reads Spanish
    sam = db.session.scalar(
        select(Reference).where(Reference.application_id == application_id, Reference.email == "sam@example.com")
    )
    link = link_in(last_mail(db, sam.email, "reference_request"))

    reference = app.test_client()  # an English browser: only the link says Spanish
    page = reference.get(link, headers=ENGLISH_BROWSER)
    assert '<html lang="es">' in page.get_data(as_text=True)
    answered = post_form(
        reference,
        link,
        {
            "known_for": "diez años",
            "relationship": "vecino",
            "recommend": "yes",
            "with_children": "Muy paciente",
            "concerns": "",
        },
        headers=ENGLISH_BROWSER,
    )
    assert answered.status_code == 200
    assert '<html lang="es">' in answered.get_data(as_text=True)
    assert "Gracias" in main_text(answered) and "Thank you" not in main_text(answered)


def test_the_rsvp_link_keeps_its_language_to_the_confirmation(app, client, db):
    session = add_session(db, "es")
    post_form(client, "/licensing/inquiry", INQUIRY)
    lead = db.session.scalar(select(Lead))
    link = link_in(last_mail(db, lead.email, "inquiry_received"))

    browser = app.test_client()
    assert "Reserv" in main_text(browser.get(f"{urlsplit(link).path}?session={session.id}", headers=ENGLISH_BROWSER))
    done = post_form(browser, f"{urlsplit(link).path}?session={session.id}", headers=ENGLISH_BROWSER)
    assert done.status_code == 200 and '<html lang="es">' in done.get_data(as_text=True)
    # ...and on the pages after it, until they choose another language with the switcher.
    assert '<html lang="es">' in browser.get("/licensing/sessions", headers=ENGLISH_BROWSER).get_data(as_text=True)
    post_form(browser, "/language", {"language": "en", "next": "/licensing/sessions"})
    assert '<html lang="en">' in browser.get("/licensing/sessions", headers=ENGLISH_BROWSER).get_data(as_text=True)


def test_an_invitation_for_someone_with_an_account_leads_to_a_spanish_sign_in(app, client, db, make_user):
    post_form(client, "/licensing/inquiry", INQUIRY)
    lead = db.session.scalar(select(Lead))
    make_user(Role.APPLICANT, email=lead.email, locale="es")  # already has an account
    homefinder = make_user(Role.HOMEFINDER)
    staff = app.test_client()
    sign_in(staff, homefinder)
    post_form(staff, f"/licensing/staff/leads/{lead.id}", {"action": "invite"})
    link = link_in(last_mail(db, lead.email, "invited_to_apply"))

    browser = app.test_client()
    redirected = browser.get(link, headers=ENGLISH_BROWSER)
    assert redirected.status_code == 302 and redirected.headers["Location"].endswith("/login")
    sign_in_page = browser.get("/login", headers=ENGLISH_BROWSER)
    assert "Ya tiene una cuenta" in main_text(sign_in_page) and "Iniciar sesión" in main_text(sign_in_page)


def test_a_password_reset_in_spanish_ends_on_a_spanish_sign_in(app, client, db, make_user):
    user = make_user(Role.APPLICANT, locale="es")
    post_form(client, "/password/forgot", {"email": user.email})
    link = link_in(last_mail(db, user.email, "reset_password"))
    browser = app.test_client()
    done = post_form(
        browser,
        link,
        {"password": "a brand new passphrase", "confirm": "a brand new passphrase"},
        headers=ENGLISH_BROWSER,
    )
    assert done.status_code == 302
    page = browser.get(done.headers["Location"], headers=ENGLISH_BROWSER)
    assert '<html lang="es">' in page.get_data(as_text=True)
    assert "Your password is changed" not in main_text(page)


# -- 2. Labels that come from code, translated in pages and emails ------------------------------------------------


def test_a_returned_document_is_named_in_the_family_language(app, db, make_user):
    family = make_user(Role.APPLICANT, locale="es")
    homefinder = make_user(Role.HOMEFINDER, locale="en")
    with app.test_request_context(headers=ENGLISH_BROWSER):  # the homefinder works in English
        application = applications.open_application(
            portal_db.session.get(Household, family.household_id), None, opened_by=None
        )
        stored = store_upload(FileStorage(io.BytesIO(PDF), filename="talon.pdf"))
        document = applications.new_document(
            application.id, "proof_of_income", None, stored, portal_db.session.get(User, family.id)
        )
        portal_db.session.add(document)
        portal_db.session.flush()
        applications.review_document(
            portal_db.session.get(User, homefinder.id),
            application,
            document,
            accept=False,
            reason="La foto está borrosa.",
        )
        portal_db.commit()
    mail = last_mail(db, family.email, "document_returned")
    for body in (mail.body_text, mail.body_html):
        assert "Comprobante de ingresos" in body and "Proof of income" not in body


def test_languages_are_named_in_the_reader_language(app, client, db, applicant_with_application):
    add_session(db, "en")
    add_session(db, "es", days=9)
    post_form(client, "/licensing/inquiry", INQUIRY)
    mail = last_mail(db, INQUIRY["email"], "inquiry_received")
    for body in (mail.body_text, mail.body_html):
        assert "Inglés" in body and "English" not in body

    spanish = {"Accept-Language": "es"}
    for url in ("/licensing/sessions", "/licensing/inquiry"):
        page = main_text(client.get(url, headers=spanish))
        assert "Inglés" in page and "English" not in page, url
    lead = db.session.scalar(select(Lead))
    choose = main_text(client.get(urlsplit(link_in(mail)).path, headers=spanish))
    assert "Inglés" in choose and "English" not in choose

    family, _application_id = applicant_with_application(locale="es")
    sign_in(client, family)
    references = main_text(client.get("/licensing/application/section/references"))
    assert "Inglés" in references and "English" not in references
    assert lead is not None


def test_staff_pages_name_languages_in_their_language(app, db, make_user):
    add_session(db, "en")
    homefinder = make_user(Role.HOMEFINDER, locale="es")
    staff = app.test_client()
    sign_in(staff, homefinder)
    page = main_text(staff.get("/licensing/staff/sessions"))
    assert "Inglés" in page and "English" not in page


# -- 4. Times: hours and minutes, one closing period ----------------------------------------------------------------


def test_times_have_no_seconds_in_either_language(app):
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)  # 4 March, 5:30 pm in Los Angeles
    with app.test_request_context():
        for language in ("en", "es"):
            with force_locale(language):
                for style in ("short", "medium", "long", "full"):
                    shown = datetime_filter(moment, style).replace("\u202f", " ")
                    assert "5:30" in shown and ":00" not in shown, (language, style, shown)
        with force_locale("es"):
            assert datetime_filter(moment, "full").replace("\u202f", " ") == "miércoles, 4 de marzo de 2026, 5:30 p.m."
        with force_locale("en"):
            assert datetime_filter(moment, "full").replace("\u202f", " ") == "Wednesday, March 4, 2026, 5:30 PM"


def test_a_sentence_ending_with_a_time_has_one_period(app):
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)
    template = (
        '{% trans when=moment|datetime("full") %}Your place is reserved for the information session on '
        "{{ when }}.{% endtrans %}"
    )
    with app.test_request_context():
        with force_locale("es"):
            spanish = render_template_string(template, moment=moment).replace("\u202f", " ")
            assert spanish.endswith("5:30 p.m.") and "p.m.." not in spanish
        with force_locale("en"):
            english = render_template_string(template, moment=moment).replace("\u202f", " ")
            assert english.endswith("5:30 PM.")


def test_a_spanish_email_ending_with_a_time_has_one_period(app, client, db):
    session = add_session(db, "es")
    post_form(client, "/licensing/inquiry", dict(INQUIRY, session_id=str(session.id)))
    mail = last_mail(db, INQUIRY["email"], "rsvp_confirmed")
    for body in (mail.body_text, mail.body_html):
        assert re.search(r"[ap]\.m\.\.", body) is None and re.search(r"\d:\d\d:\d\d", body) is None
        assert re.search(r"\d:30\s[ap]\.m\.", body)


def test_only_the_sentences_own_period_after_a_time_is_dropped():
    when = {"when": "5:30 p.m."}
    # The period closing the sentence, at the end or before the next sentence or markup.
    assert one_closing_period("Come at 5:30 p.m..", when) == "Come at 5:30 p.m."
    assert one_closing_period("Come at 5:30 p.m.. Bring your ID.", when) == "Come at 5:30 p.m. Bring your ID."
    assert one_closing_period("Come at <b>5:30 p.m.</b>.", when) == "Come at <b>5:30 p.m.</b>."
    assert one_closing_period("Come at 5:30 p.m..</p>", when) == "Come at 5:30 p.m.</p>"
    # Anything else that happens to contain the value and a period is left as written.
    assert one_closing_period("Wait… 5:30 p.m.... or later.", when) == "Wait… 5:30 p.m.... or later."
    assert one_closing_period("See 5:30 p.m..txt at 5:30 p.m..", when) == "See 5:30 p.m..txt at 5:30 p.m."
    assert isinstance(one_closing_period(Markup("At <b>5:30 p.m.</b>."), when), Markup)


def test_language_choices_start_at_the_page_language(app, client, db, applicant_with_application):
    """Nothing chosen yet: the inquiry's preferred language and each blank reference's language are the page's."""
    spanish = {"Accept-Language": "es"}
    inquiry = client.get("/licensing/inquiry", headers=spanish).get_data(as_text=True)
    chosen = re.search(r'<select[^>]*name="preferred_locale".*?</select>', inquiry, re.S).group(0)
    assert re.search(r'<option[^>]*selected[^>]*value="es"|<option[^>]*value="es"[^>]*selected', chosen)
    english = client.get("/licensing/inquiry", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chosen = re.search(r'<select[^>]*name="preferred_locale".*?</select>', english, re.S).group(0)
    assert re.search(r'<option[^>]*selected[^>]*value="en"|<option[^>]*value="en"[^>]*selected', chosen)

    family, _application_id = applicant_with_application(locale="es")
    sign_in(client, family)
    page = client.get("/licensing/application/section/references").get_data(as_text=True)
    selects = re.findall(r'<select[^>]*name="references-\d+-preferred_locale".*?</select>', page, re.S)
    assert selects
    for select_html in selects:
        selected = re.findall(r"<option[^>]*selected[^>]*>", select_html)
        assert len(selected) == 1 and 'value="es"' in selected[0]
