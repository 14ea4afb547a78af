"""In Spanish, on a phone: the González family answers the coordinator in its demo thread; the coordinator sees the
unread badge, reads the message and answers; the family reads the answer. No email carries the words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.messaging.models import MessageThread
from portal.models import OutboxMessage, User
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_family_and_coordinator_write_to_each_other_in_spanish(live_server, browser):
    base = live_server.url
    with live_server.app.app_context():
        household_id = db.session.scalar(select(User.household_id).where(User.email == "family2@demo.test"))
        thread_id = db.session.scalar(select(MessageThread.id).where(MessageThread.household_id == household_id))
    assert thread_id is not None
    family_context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                         locale="es-US", extra_http_headers={"Accept-Language": "es"})
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-US",
                                        extra_http_headers={"Accept-Language": "es"})
    try:
        family = family_context.new_page()
        sign_in(family, base, "family2@demo.test", DEMO_PASSWORD)
        family.goto(f"{base}/messages/")
        assert family.locator("html").get_attribute("lang") == "es"
        family.locator(f"a[href='/messages/{thread_id}']").first.click()
        family.fill("#body", "¿Podemos cambiar la visita al domingo? Gracias — Ana 🙂")
        family.locator("main form button[type=submit]").click()
        family.wait_for_load_state()
        assert "¿Podemos cambiar la visita al domingo?" in family.locator("#messages").inner_text()

        coordinator = staff_context.new_page()
        sign_in(coordinator, base, "coordinator@demo.test", DEMO_PASSWORD)
        coordinator.goto(f"{base}/dashboard")
        assert coordinator.locator("#nav-unread .visually-hidden").count() == 1
        coordinator.goto(f"{base}/messages/{thread_id}")
        assert "¿Podemos cambiar la visita al domingo?" in coordinator.locator("#messages").inner_text()
        coordinator.fill("#body", "Sí, el domingo a las 11 está bien.")
        coordinator.locator("main form button[type=submit]").click()
        coordinator.wait_for_load_state()

        family.goto(f"{base}/messages/{thread_id}")
        assert "Sí, el domingo a las 11 está bien." in family.locator("#messages").inner_text()
    finally:
        family_context.close()
        staff_context.close()
    with live_server.app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.template == "message_waiting")).all()
        assert bodies and not any("domingo" in body for body in bodies)
