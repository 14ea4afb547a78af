"""Journeys in a real browser: a new family on a phone, and what every role sees first."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import OutboxMessage
from tests.browser.conftest import second_step_code

pytestmark = pytest.mark.browser


def confirmation_link(live_server, address: str) -> str:
    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == address, OutboxMessage.template == "confirm_email")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no confirmation mail for {address}"
        return re.search(r"https?://\S+", message.body_text).group(0)


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Password, then the second step when the page asks for it (staff always), typed as from the person's app."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    # Around the click, not after it: a load-state wait begun after the click can answer for the page being left.
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if page.url.split("?")[0].endswith("/login/code"):
        page.fill("input[name=code]", second_step_code(email))
        with page.expect_navigation():
            page.click("main button[type=submit]")


def test_register_confirm_sign_in_and_switch_to_spanish_on_a_phone(live_server, phone):
    base = live_server.url
    page = phone
    page.goto(base + "/")
    page.get_by_role("link", name="Create an account").first.click()
    page.fill("input[name=full_name]", "Rosa Martínez")
    page.fill("input[name=email]", "rosa.martinez@example.com")
    page.fill("input[name=password]", "a long passphrase")
    page.fill("input[name=confirm]", "a short one")
    page.click("main button[type=submit]")
    # A mistake keeps what was typed and says what to fix, next to the field.
    assert page.input_value("input[name=full_name]") == "Rosa Martínez"
    assert page.locator("#confirm-error").inner_text() == "The two passwords are not the same."
    page.fill("input[name=password]", "a long passphrase")
    page.fill("input[name=confirm]", "a long passphrase")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")

    page.goto(confirmation_link(live_server, "rosa.martinez@example.com"))
    page.wait_for_selector("text=your email address is confirmed")
    sign_in(page, base, "rosa.martinez@example.com", "a long passphrase")
    page.wait_for_url(base + "/dashboard")
    assert page.locator("h1").inner_text() == "Hello, Rosa Martínez"

    page.get_by_role("button", name="Español").click()
    page.wait_for_url(base + "/dashboard")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Hola, Rosa Martínez"
    assert page.get_by_role("heading", name="Mi solicitud").is_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_menu_opens_on_a_phone(live_server, phone):
    sign_in(phone, live_server.url, "family2@demo.test", DEMO_PASSWORD)
    phone.wait_for_url(live_server.url + "/dashboard")
    assert phone.locator("h1").inner_text() == "Hola, María González"  # her saved language
    assert not phone.get_by_role("link", name="Mi cuenta").is_visible()
    phone.get_by_role("button", name="Mostrar menú").click()
    # Tapped once the menu has finished opening, as a person does: a tap during Bootstrap's opening animation sent
    # nothing now and then on a loaded CI machine (three times in two days, never by hand).
    phone.locator("#main-nav.collapse.show").wait_for()
    phone.get_by_role("link", name="Mi cuenta").click()
    phone.wait_for_url(live_server.url + "/account")


@pytest.mark.parametrize("email,heading", [
    ("applicant@demo.test", "My application"),
    ("family@demo.test", "My license"),
    ("homefinder@demo.test", "New inquiries"),
    ("coordinator@demo.test", "My caseload"),
    ("admin@demo.test", "People and roles"),
])
def test_each_demo_role_lands_on_its_own_dashboard(live_server, desktop, email, heading):
    sign_in(desktop, live_server.url, email, DEMO_PASSWORD)
    desktop.wait_for_url(live_server.url + "/dashboard")
    assert desktop.get_by_role("heading", name=heading).is_visible()
