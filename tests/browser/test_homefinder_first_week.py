"""A homefinder's first week, in Chromium: attendance of a session that was held, inviting those who came from the
attendance page ("invited on" afterwards, on both pages, and the invitation sent again from either), a session still
to come refusing attendance; and a licensed family reading its finished checklist and its renewal apart, in Spanish on
a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from licensing.recruitment.models import InfoSession, Interest, Lead, LeadSource, LeadStatus, SessionFormat, SessionRsvp
from portal.database import now_utc
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
SHOTS = "/tmp/homefinder-first-week"


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def _lead(first: str, last: str, email: str) -> Lead:
    return Lead(
        first_name=first,
        last_name=last,
        email=email,
        source=LeadSource.EVENT,
        interest=Interest.FOSTER,
        status=LeadStatus.RSVPED,
        preferred_locale="es",
    )


def test_attendance_then_invitations_from_the_session_page(live_server, desktop):
    base = live_server.url
    with live_server.app.app_context():
        held = InfoSession(
            starts_at=now_utc() - timedelta(hours=20),
            format=SessionFormat.IN_PERSON,
            address="1200 Main Street, Fresno",
            language="es",
            capacity=10,
        )
        coming = InfoSession(
            starts_at=now_utc() + timedelta(days=3),
            format=SessionFormat.VIRTUAL,
            meeting_link="https://meet.example.com/x",
            language="en",
            capacity=10,
        )
        ines, omar = _lead("Inés", "Robles", "ines.robles@example.com"), _lead("Omar", "Haddad", "omar.h@example.com")
        later = _lead("Lina", "Park", "lina.park@example.com")
        db.session.add_all([held, coming, ines, omar, later])
        db.session.flush()
        db.session.add_all(
            [
                SessionRsvp(session_id=held.id, lead_id=ines.id),
                SessionRsvp(session_id=held.id, lead_id=omar.id),
                SessionRsvp(session_id=coming.id, lead_id=later.id),
            ]
        )
        db.commit()
        held_id, coming_id, ines_id = held.id, coming.id, ines.id

    sign_in(desktop, base, "homefinder@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(base + "/dashboard")

    desktop.goto(f"{base}/licensing/staff/sessions/{coming_id}")
    assert "This session has not started yet." in text_of(desktop)
    assert desktop.get_by_role("button", name="Save attendance").count() == 0
    assert desktop.get_by_label("Lina Park (lina.park@example.com)").is_disabled()

    desktop.goto(f"{base}/licensing/staff/sessions/{held_id}")
    assert desktop.get_by_role("button", name=re.compile("to apply")).count() == 0  # nobody marked as come yet
    desktop.get_by_label("Inés Robles (ines.robles@example.com)").check()
    desktop.get_by_label("Omar Haddad (omar.h@example.com)").check()
    desktop.get_by_role("button", name="Save attendance").click()
    desktop.wait_for_selector("text=Attendance saved.")
    desktop.get_by_role("button", name="Invite Inés Robles to apply").click()
    desktop.wait_for_selector("text=Invitation to apply sent to ines.robles@example.com.")
    row = desktop.locator(f"#rsvp-{ines_id}")
    assert re.search(r"Invited on \w+ \d+, \d{4}", row.inner_text())
    # Invited: no invitation button any more, only sending it again (a new link, for a lost or expired one).
    assert [b.inner_text() for b in row.get_by_role("button").all()] == ["Send the invitation to Inés Robles again"]
    desktop.screenshot(path=f"{SHOTS}-session.png", full_page=True)

    desktop.get_by_role("button", name="Invite everyone who came and isn't invited yet").click()
    desktop.wait_for_selector("text=1 invitation to apply sent.")
    assert text_of(desktop).count("Invited on") == 2
    assert desktop.get_by_role("button", name=re.compile("[Ii]nvite")).count() == 0

    desktop.goto(f"{base}/licensing/staff/leads/{ines_id}")
    assert re.search(r"Invited on \w+ \d+, \d{4}", text_of(desktop))
    assert desktop.get_by_role("button", name="Invite to apply").count() == 0
    assert "Not contacted yet" in text_of(desktop)  # coming to a session and being invited are not a contact
    desktop.get_by_role("button", name="Send the invitation again").click()
    desktop.wait_for_selector("text=Invitation to apply sent again to ines.robles@example.com.")
    assert re.search(r"Invited on \w+ \d+, \d{4} · sent again on \w+ \d+, \d{4}", text_of(desktop))
    desktop.goto(f"{base}/licensing/staff/sessions/{held_id}")
    row = desktop.locator(f"#rsvp-{ines_id}")
    assert "sent again on" in row.inner_text()
    row.get_by_role("button", name="Send the invitation to Inés Robles again").click()
    desktop.wait_for_url(f"{base}/licensing/staff/sessions/{held_id}")  # back on the attendance page
    desktop.wait_for_selector("text=Invitation to apply sent again to ines.robles@example.com.")
    desktop.screenshot(path=f"{SHOTS}-lead.png", full_page=True)


def test_licensed_family_reads_a_finished_checklist_and_its_renewal_apart(live_server, browser):
    base = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="es-US")
    phone = context.new_page()
    sign_in(phone, base, "family2@demo.test", DEMO_PASSWORD)  # licensed by the demo, renewal under way
    phone.wait_for_url(base + "/dashboard")
    assert re.search(r"Renovación: 0 de \d+ cumplidos, a más tardar el \d+ de \w+ de \d{4}", text_of(phone))
    phone.goto(base + "/licensing/checklist")
    text = text_of(phone)
    assert re.search(r"Lista de requisitos para la licencia terminada: los (\d+) requisitos cumplidos", text)
    renewal = re.search(r"Renovación: 0 de (\d+) cumplidos, a más tardar el \d+ de \w+ de \d{4}", text)
    assert renewal
    bars = phone.locator("progress")
    assert bars.count() == 2
    licensing_bar, renewal_bar = bars.nth(0), bars.nth(1)
    assert licensing_bar.get_attribute("value") == licensing_bar.get_attribute("max")  # the full bar
    assert renewal_bar.get_attribute("value") == "0" and renewal_bar.get_attribute("max") == renewal.group(1)
    phone.screenshot(path=f"{SHOTS}-checklist.png", full_page=False)
    context.close()
