"""In Spanish: a coordinator schedules a court hearing for a placed child; the family (Spanish, on a phone) sees it,
gets its private calendar address, and the calendar parses with the icalendar library with the time typed, in the
agency's time zone; then the family writes to the coordinator about the child, and the coordinator reads and answers.
No email carries the message's words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.children.models import Child, Placement
from portal.clock import agency_today
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.messaging.models import MessageThread
from portal.models import OutboxMessage, User
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def _place_child_with_gonzalez(app) -> tuple[int, str]:
    """A child on coordinator@demo.test's caseload placed with the González household (family2@demo.test)."""
    with app.app_context():
        family = db.session.scalar(select(User).where(User.email == "family2@demo.test"))
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        child = Child(first_name="Valentina", last_name="Ríos", birth_date=date(2015, 8, 9),
                      preferred_locale="es", coordinator_id=coordinator.id)
        db.session.add(child)
        db.session.flush()
        db.session.add(Placement(child_id=child.id, household_id=family.household_id,
                                 starts_on=agency_today() - timedelta(days=40)))
        day = (agency_today() + timedelta(days=9)).isoformat()
        db.session.commit()
        return child.id, day


def test_court_hearing_reaches_the_spanish_family_and_its_calendar(live_server, browser):
    child_id, day = _place_child_with_gonzalez(live_server.app)
    base = live_server.url

    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-US")
    page = staff.new_page()
    page.set_default_timeout(15000)
    sign_in(page, base, "coordinator@demo.test", DEMO_PASSWORD)
    page.goto(f"{base}/appointments/child/{child_id}/new")
    page.select_option("select[name=kind]", "court_hearing")
    page.fill("input[name=title]", "Audiencia de revisión de seis meses")
    page.fill("input[name=day]", day)
    page.fill("input[name=time]", "10:00")
    page.fill("input[name=duration_minutes]", "60")
    page.fill("input[name=place]", "Corte Juvenil, Dept. 20")
    page.fill("textarea[name=family_notes]", "Puede hablar con el juez.")
    page.fill("textarea[name=internal_notes]", "Informe al tribunal pendiente.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert f"/appointments/child/{child_id}" in page.url
    assert "Audiencia de revisión de seis meses" in page.inner_text("main")
    staff.close()

    family = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                 has_touch=True, locale="es-US")
    phone = family.new_page()
    phone.set_default_timeout(15000)
    sign_in(phone, base, "family2@demo.test", DEMO_PASSWORD)
    phone.goto(f"{base}/appointments/family")
    assert phone.locator("html").get_attribute("lang") == "es"
    assert phone.locator("h1").inner_text() == "Citas"
    main = phone.inner_text("main")
    assert "Audiencia de revisión de seis meses" in main and "Valentina" in main
    assert "Informe al tribunal pendiente." not in phone.content()  # internal notes: never to the family
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # "Add to calendar" for this appointment.
    # (The demo's Sofía has appointments of her own, and a hearing with a Spanish title too: find Valentina's.)
    hearing_card = phone.locator("article").filter(has_text="Valentina").filter(has_text="seis meses")
    ics_link = hearing_card.locator("a[href$='/calendar.ics']").first.get_attribute("href")
    one = Calendar.from_ical(phone.request.get(base + ics_link).body())
    # The private subscription address.
    phone.click("form[action$='/appointments/calendar-feed'] button[type=submit]")
    phone.wait_for_load_state()
    feed_url = phone.input_value("#feed-url")
    assert "/appointments/feed/" in feed_url
    feed = Calendar.from_ical(phone.request.get(feed_url).body())
    for calendar in (one, feed):
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
        [event] = [e for e in calendar.walk("VEVENT")
                   if "seis meses" in str(e["SUMMARY"]) and "Valentina" in str(e["SUMMARY"])]
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
        assert (start.date().isoformat(), start.hour, start.minute) == (day, 10, 0)
        assert "Informe al tribunal" not in calendar.to_ical().decode()
    assert str(feed["X-WR-CALNAME"]) == "Citas"

    # The family writes to the coordinator about Valentina (a new conversation, from the phone).
    phone.goto(f"{base}/messages/new")
    with live_server.app.app_context():
        coordinator_id = db.session.scalar(select(User.id).where(User.email == "coordinator@demo.test"))
    phone.select_option("select[name=staff_id]", str(coordinator_id))
    phone.select_option("select[name=child_id]", str(child_id))
    phone.fill("input[name=subject]", "Transporte a la audiencia")
    phone.fill("textarea[name=body]", "¿Quién lleva a Valentina a la audiencia? Gracias.")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    assert "¿Quién lleva a Valentina a la audiencia?" in phone.inner_text("main")
    with live_server.app.app_context():
        thread_id = db.session.scalar(select(MessageThread.id).where(
            MessageThread.child_id == child_id, MessageThread.subject == "Transporte a la audiencia"))
    assert thread_id is not None

    # The coordinator sees it waiting, reads it and answers.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-US")
    page = staff.new_page()
    page.set_default_timeout(15000)
    sign_in(page, base, "coordinator@demo.test", DEMO_PASSWORD)
    page.goto(f"{base}/dashboard")
    assert page.locator("#nav-unread").count() == 1
    page.goto(f"{base}/messages/{thread_id}")
    assert "¿Quién lleva a Valentina a la audiencia?" in page.locator("#messages").inner_text()
    page.fill("#body", "Yo la llevo. La recojo a las 9:15.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    staff.close()

    # The family reads the answer.
    phone.goto(f"{base}/messages/{thread_id}")
    assert "Yo la llevo. La recojo a las 9:15." in phone.locator("#messages").inner_text()
    family.close()
    with live_server.app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.template == "message_waiting")).all()
        assert bodies and not any("Valentina a la audiencia" in body or "9:15" in body for body in bodies)
