"""The trainings issue's journey, in Spanish on a phone: the demo's González family finds a paid CPR class, enrolls,
sees it in its training calendar and downloads the .ics, whose event is at the class's local time."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.clock import agency_zone
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journeys import sign_in
from training.catalog.models import Course, CourseSession, SessionMeeting

pytestmark = pytest.mark.browser


def test_a_spanish_family_enrolls_in_a_paid_cpr_class_and_takes_it_to_its_calendar(live_server, phone):
    base, page = live_server.url, phone
    with live_server.app.app_context():
        course_session, meeting = db.session.execute(
            select(CourseSession, SessionMeeting).join(Course, Course.id == CourseSession.course_id)
            .join(SessionMeeting, SessionMeeting.session_id == CourseSession.id)
            .where(Course.title_en == "CPR and First Aid", CourseSession.language == "es")
            .order_by(CourseSession.first_starts_at).limit(1)).one()
        local_start = meeting.starts_at.astimezone(agency_zone())
        session_id, meeting_id = course_session.id, meeting.id
    sign_in(page, base, "family2@demo.test", DEMO_PASSWORD)

    # The catalog, filtered as a family would: CPR and First Aid, in Spanish.
    page.goto(f"{base}/training/catalog?category=cpr_first_aid&language=es")
    page.get_by_role("link", name="RCP y primeros auxilios").first.click()
    page.wait_for_selector(f"#session-{session_id}")
    assert "$45.00" in page.inner_text("main")  # the fee, in the US Spanish format
    page.locator(f"#session-{session_id}").get_by_role("link", name="Inscribirme").click()
    page.get_by_label("María González").check()
    page.get_by_role("button", name="Inscribirme").click()
    page.wait_for_url(f"{base}/training/mine")
    assert "Usted está inscrito." in page.inner_text("main")
    # Stripe is not set up in the demo: the family is told to pay at the office, nothing pretends it was paid.
    assert "oficina" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The training calendar of that month shows it, and fits the phone.
    page.goto(f"{base}/training/calendar?month={local_start:%Y-%m}")
    assert "RCP y primeros auxilios" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []

    # The .ics: the class at the agency's local time, with its time zone.
    download = page.request.get(f"{base}/training/calendar.ics")
    assert download.status == 200
    calendar = Calendar.from_ical(download.body())
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"training-meeting-{meeting_id}@"))
    start = event.decoded("DTSTART")
    assert str(event["SUMMARY"]) == "RCP y primeros auxilios"
    assert (start.hour, start.minute) == (local_start.hour, local_start.minute)
    assert start.utcoffset() == local_start.utcoffset()
    assert calendar.walk("VTIMEZONE"), "the agency's time zone travels with the events"
