"""Nothing typed is lost: a section's draft is saved a moment after typing stops and when the page is left, the page
says so in the person's language, and follow-up questions appear only when they apply (all of it still works, shown,
with JavaScript off). In Spanish, on a 360 px phone."""

from __future__ import annotations

import re
import time
from itertools import count

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from licensing.application import services as applications
from licensing.application.models import Application, ApplicationSection, ApplicationStatus
from portal.database import now_utc
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
_numbers = count(1)
SAVED = "Guardado"
NOT_SAVED = "No se guardó: revise su conexión"


def spanish_applicant(live_server) -> str:
    """A new Spanish-speaking applicant with an open application, each test its own (the live server is shared)."""
    email = f"autosave{next(_numbers)}-{time.time_ns()}@example.com"
    with live_server.app.app_context():
        user = User(
            email=email,
            full_name="Rosa Campos",
            role=Role.APPLICANT,
            preferred_locale="es",
            password_hash=hash_password(DEMO_PASSWORD),
            email_confirmed_at=now_utc(),
            household=Household(name="Familia Campos"),
        )
        db.session.add(user)
        db.session.flush()
        applications.open_application(user.household, None, opened_by=None)
        db.commit()
    return email


def signed_in(page, live_server, email: str) -> None:
    sign_in(page, live_server.url, email, DEMO_PASSWORD)
    page.wait_for_url(live_server.url + "/dashboard")


def stored_draft(live_server, email: str, key: str) -> dict | None:
    with live_server.app.app_context():
        return db.session.scalar(
            select(ApplicationSection.draft)
            .join(Application, Application.id == ApplicationSection.application_id)
            .join(User, User.household_id == Application.household_id)
            .where(User.email == email, ApplicationSection.key == key)
        )


def test_typing_is_saved_without_pressing_save_and_comes_back_after_a_reload(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    status = phone.locator(".autosave-status")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert status.inner_text() == ""

    phone.locator("input[name=street]").press_sequentially("77 Calle Olivo", delay=20)
    phone.locator("input[name=city]").press_sequentially("Fresno", delay=20)
    expect(phone.locator(".autosave-status")).to_have_text(SAVED)
    assert status.is_visible() and status.inner_text() == SAVED
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []
    phone.screenshot(path="/tmp/autosave-saved-es-360.png", full_page=False)

    phone.reload()
    assert phone.input_value("input[name=street]") == "77 Calle Olivo"
    assert phone.input_value("input[name=city]") == "Fresno"
    # Coming back to a half-done section is not a page of errors about questions not reached yet.
    assert phone.locator(".invalid-feedback").count() == 0

    # Leaving the page right after typing (before the pause) still keeps it: the beacon on leaving.
    phone.locator("input[name=state]").press_sequentially("CA", delay=10)
    phone.get_by_role("link", name="Mi solicitud").first.click()
    phone.wait_for_url(live_server.url + "/licensing/application")
    for _ in range(50):
        if (stored_draft(live_server, email, "residence") or {}).get("state") == ["CA"]:
            break
        time.sleep(0.1)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    assert phone.input_value("input[name=state]") == "CA"
    assert phone.input_value("input[name=street]") == "77 Calle Olivo"


def test_a_failed_save_says_not_saved_and_a_later_one_recovers(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    phone.route("**/licensing/application/section/residence/draft", lambda route: route.abort())
    phone.locator("input[name=street]").press_sequentially("12 Calle Roble", delay=20)
    expect(phone.locator(".autosave-status")).to_have_text(NOT_SAVED)
    assert phone.locator(".autosave-status").is_visible()
    phone.screenshot(path="/tmp/autosave-not-saved-es-360.png", full_page=False)
    assert stored_draft(live_server, email, "residence") is None

    phone.unroute("**/licensing/application/section/residence/draft")
    phone.locator("input[name=city]").press_sequentially("Fresno", delay=20)
    expect(phone.locator(".autosave-status")).to_have_text(SAVED)
    assert stored_draft(live_server, email, "residence")["street"] == ["12 Calle Roble"]


def test_saving_the_section_is_not_undone_by_a_late_draft(live_server, phone):
    """Save right after typing: the section is complete afterwards (no draft lands after the form's own save)."""
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/health")
    phone.check("input[name=has_condition][value=no]")
    phone.check("input[name=medical_statement_ack]")
    phone.get_by_role("button", name="Guardar esta sección").click()
    phone.wait_for_selector("text=Guardado. Esta sección está completa.")
    time.sleep(1.5)
    phone.reload()
    assert phone.get_by_text("1 de 9 secciones completas").is_visible()
    assert stored_draft(live_server, email, "health") is None


def test_follow_up_questions_appear_only_when_the_answer_is_yes(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    pets = phone.locator("textarea[name=pets_description]")
    assert pets.is_hidden()
    phone.check("input[name=has_pets][value=no]")
    assert pets.is_hidden()
    # Hidden means out of the tab order too: from "No" the next stop is the next question.
    phone.focus("input[name=has_pets][value=no]")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.name") == "has_firearms"

    phone.check("input[name=has_pets][value=yes]")
    assert pets.is_visible()
    assert phone.get_by_label("¿Qué mascotas?").is_visible()
    phone.focus("input[name=has_pets][value=yes]")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.name") == "pets_description"
    phone.check("input[name=has_pool][value=yes]")
    assert phone.locator("textarea[name=pool_safety]").is_visible()
    assert phone.locator("textarea[name=firearms_storage]").is_hidden()
    phone.screenshot(path="/tmp/follow-ups-es-360.png", full_page=True)

    phone.check("input[name=has_pets][value=no]")
    assert pets.is_hidden()

    # The co-applicant's questions follow the box "applying with a spouse or partner".
    phone.goto(live_server.url + "/licensing/application/section/applicants")
    co_fields = [phone.locator(f"input[name={name}]") for name in ("co_first_name", "co_email", "co_phone")]
    assert all(field.is_hidden() for field in co_fields)
    phone.check("input[name=has_co_applicant]")
    assert all(field.is_visible() for field in co_fields)


def test_follow_up_questions_stay_shown_with_javascript_off(live_server, browser):
    email = spanish_applicant(live_server)
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="es-US",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        signed_in(page, live_server, email)
        page.goto(live_server.url + "/licensing/application/section/residence")
        for name in ("pets_description", "firearms_storage", "pool_safety"):
            assert page.locator(f"textarea[name={name}]").is_visible()
        # And the form saves what was typed without the script.
        page.fill("input[name=street]", "5 Calle Pino")
        page.get_by_role("button", name="Guardar esta sección").click()
        page.wait_for_selector("text=Guardamos lo que escribió")
        assert stored_draft(live_server, email, "residence")["street"] == ["5 Calle Pino"]
        assert page.locator(".autosave-status").inner_text() == ""
    finally:
        context.close()


def test_references_say_how_many_are_needed_before_the_person_starts(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/references")
    intro = phone.get_by_text(re.compile(r"^Necesitamos al menos 3 referencias: personas que conozcan bien"))
    assert intro.is_visible()
    assert phone.get_by_text(re.compile("Al menos 2 de ellas no deben ser parientes")).is_visible()
    above = intro.bounding_box()["y"] < phone.get_by_text("Referencia 1", exact=True).bounding_box()["y"]
    assert above
    assert phone.locator(".invalid-feedback, .alert-danger").count() == 0  # said before, not as an error after


def test_the_dashboard_follows_the_application_from_start_to_sent(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    assert phone.get_by_text(re.compile("^Su solicitud tiene 9 secciones")).is_visible()
    assert phone.get_by_role("link", name="Empezar mi solicitud").is_visible()
    with live_server.app.app_context():
        application = db.session.scalar(
            select(Application).join(User, User.household_id == Application.household_id).where(User.email == email)
        )
        application.status, application.submitted_at = ApplicationStatus.SUBMITTED, now_utc()
        db.commit()
    phone.reload()
    sent = phone.get_by_text(re.compile("^Usted envió su solicitud el .+ la está revisando"))
    assert sent.is_visible()
    assert phone.get_by_text(re.compile("sobre la marcha|a su propio ritmo")).count() == 0
    assert phone.get_by_role("link", name="Ver mi solicitud").is_visible()


def test_a_section_that_cant_change_now_says_why_in_spanish(live_server, phone):
    """A 409 is not a connection problem: the status says the server's own (translated) reason."""
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    with live_server.app.app_context():
        application = db.session.scalar(
            select(Application).join(User, User.household_id == Application.household_id).where(User.email == email)
        )
        application.status, application.submitted_at = ApplicationStatus.SUBMITTED, now_utc()
        db.commit()
    phone.locator("input[name=street]").press_sequentially("3 Calle Sauce", delay=20)
    status = phone.locator(".autosave-status")
    expect(status).to_have_text(re.compile("^Esta sección no se puede cambiar ahora"))
    assert NOT_SAVED not in status.inner_text() and status.is_visible()
    assert stored_draft(live_server, email, "residence") is None


def test_too_many_saves_say_so_instead_of_blaming_the_connection(live_server, phone):
    email = spanish_applicant(live_server)
    signed_in(phone, live_server, email)
    phone.goto(live_server.url + "/licensing/application/section/residence")
    limit = live_server.app.config["DRAFT_RATE_LIMIT"]
    live_server.app.config["DRAFT_RATE_LIMIT"] = "1 per minute"
    try:
        phone.locator("input[name=street]").press_sequentially("3 Calle Sauce", delay=20)
        expect(phone.locator(".autosave-status")).to_have_text(SAVED)
        phone.locator("input[name=city]").press_sequentially("Fresno", delay=20)
        expect(phone.locator(".autosave-status")).to_have_text(re.compile("^Demasiados guardados en poco tiempo"))
    finally:
        live_server.app.config["DRAFT_RATE_LIMIT"] = limit
