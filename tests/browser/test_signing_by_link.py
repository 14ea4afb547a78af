"""Each adult signs for themselves: a Spanish-speaking household's co-applicant opens the link emailed to them on
their own 360 px phone, reads what they sign, signs, and the primary applicant then sees them as signed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from licensing.application import others
from licensing.application import services as applications
from licensing.application.models import (
    Application,
    ApplicationSection,
    HouseholdMember,
    MemberRole,
    SectionStatus,
    Signature,
)
from licensing.demo import DEMO_ANSWERS
from portal.database import now_utc
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.browser.test_application_journey import latest_link
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
PRIMARY_EMAIL = "elena.paredes@example.com"
CO_EMAIL = "marco.paredes@example.com"


def household_ready_to_sign(live_server, primary_email: str = PRIMARY_EMAIL, co_email: str = CO_EMAIL) -> None:
    """A Spanish-speaking household whose every section is answered, with a co-applicant, nobody signed yet."""
    with live_server.app.app_context():
        user = User(
            email=primary_email,
            full_name="Elena Paredes",
            role=Role.APPLICANT,
            preferred_locale="es",
            password_hash=hash_password(DEMO_PASSWORD),
            email_confirmed_at=now_utc(),
            household=Household(name="Elena Paredes"),
        )
        db.session.add(user)
        db.session.flush()
        application = applications.open_application(db.session.get(Household, user.household_id), None, user)
        db.session.add_all(
            [
                HouseholdMember(
                    application_id=application.id,
                    role=MemberRole.PRIMARY,
                    position=0,
                    first_name="Elena",
                    last_name="Paredes",
                    birth_date=date(1987, 3, 4),
                    email=primary_email,
                    user_id=user.id,
                    preferred_locale="es",
                ),
                HouseholdMember(
                    application_id=application.id,
                    role=MemberRole.CO_APPLICANT,
                    position=1,
                    first_name="Marco",
                    last_name="Paredes",
                    birth_date=date(1985, 8, 19),
                    email=co_email,
                    preferred_locale="es",
                ),
            ]
        )
        answers = {
            **DEMO_ANSWERS,
            "applicants": {
                "primary_first_name": "Elena",
                "primary_last_name": "Paredes",
                "primary_birth_date": "1987-03-04",
                "primary_phone": "559-555-0188",
                "has_co_applicant": True,
                "co_first_name": "Marco",
                "co_last_name": "Paredes",
                "co_birth_date": "1985-08-19",
                "co_email": co_email,
                "co_phone": "",
            },
        }
        for section in db.session.scalars(
            select(ApplicationSection).where(ApplicationSection.application_id == application.id)
        ):
            section.data = dict(answers.get(section.key, {"count": 0}))
            applications.change_section_status(user, application, section, SectionStatus.COMPLETE, "section_saved")
        db.session.commit()


def test_the_co_applicant_signs_on_their_own_phone_in_spanish(live_server, phone, desktop):
    base = live_server.url
    household_ready_to_sign(live_server)

    # The primary applicant, signed in on her computer, emails Marco his own link.
    sign_in(desktop, base, PRIMARY_EMAIL, DEMO_PASSWORD)
    desktop.wait_for_url(base + "/dashboard")
    desktop.goto(base + "/licensing/application#sign")
    assert desktop.locator("#sign").get_by_text("Aún no firmó").is_visible()
    assert desktop.locator("input[name=typed_name]").count() == 1  # only her own signature box
    desktop.get_by_role("button", name="Enviar a Marco el enlace para firmar").click()
    desktop.wait_for_selector("text=Enviamos a Marco Paredes un enlace para firmar")

    # Marco opens the emailed link on his own phone (a browser set to English): the page is in the link's language.
    page = phone
    page.goto(latest_link(live_server, CO_EMAIL, "signature_request"))
    page.wait_for_selector("html[lang=es]")
    assert page.get_by_role("heading", name="Su firma, Marco Paredes").is_visible()
    assert page.locator('meta[name=robots][content="noindex"]').count() == 1
    # Nothing of the application shows before he confirms his date of birth (the address was typed by Elena).
    assert page.get_by_role("heading", name="Lo que usted firma").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Su fecha de nacimiento").fill("1985-08-18")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("text=Esa fecha de nacimiento no coincide con la solicitud")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Su fecha de nacimiento").fill("1985-08-19")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("text=Lo que usted firma")
    assert page.get_by_role("heading", name="Lo que usted firma").is_visible()
    page.get_by_text("Su hogar", exact=True).click()  # each part of the application opens to be read
    assert page.get_by_text("10 Demo Street").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Escriba su nombre legal completo").fill("Marco Paredes")
    page.get_by_role("button", name="Firmar la solicitud").click()
    page.wait_for_selector("text=su firma quedó registrada")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.reload()  # a refresh thanks him again (the page has no token), in his language
    page.wait_for_selector("text=Marco Paredes, su firma quedó registrada")
    assert page.locator("html[lang=es]").count() == 1

    # Used: the same link now shows the friendly page, in Spanish.
    page.goto(latest_link(live_server, CO_EMAIL, "signature_request"))
    page.wait_for_selector("text=Este enlace ya no funciona")

    desktop.goto(base + "/licensing/application")  # a new page (not only a jump to #sign in the same one)
    signatures = desktop.locator("#sign")
    assert signatures.get_by_text(re.compile(r"Marco Paredes · ")).is_visible()
    assert signatures.get_by_label(re.compile("Firma de Elena Paredes")).is_visible()  # hers is still to give


def test_two_signatures_sent_at_once_store_one_and_answer_no_error(live_server, phone):
    """Two taps on "sign" (or two tabs) at the same moment, on the live server: one signature, the other request is
    told the link no longer works; never a server error."""
    primary_email, co_email = "nora.quiroga@example.com", "tito.quiroga@example.com"
    household_ready_to_sign(live_server, primary_email, co_email)
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == primary_email))
        application = applications.load_application(
            db.session.scalar(select(Application.id).where(Application.household_id == user.household_id))
        )
        co = next(m for m in application.members if m.role is MemberRole.CO_APPLICANT)
        others.send_signature_request(application, co, user)
        db.session.commit()
        application_id, co_id = application.id, co.id
    page = phone
    page.goto(latest_link(live_server, co_email, "signature_request"))
    page.get_by_label("Su fecha de nacimiento").fill("1985-08-19")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("text=Lo que usted firma")
    page.get_by_label("Escriba su nombre legal completo").fill("Marco Paredes")
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector("input[name=typed_name]").form;
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((answer) => answer.status).sort();
        }"""
    )
    assert statuses == [200, 400]  # the thank-you page (after the 303) and the invalid-link page
    with live_server.app.app_context():
        signatures = db.session.scalars(select(Signature).where(Signature.application_id == application_id)).all()
        assert [s.member_id for s in signatures] == [co_id]
