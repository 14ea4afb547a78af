"""On a 360 px phone, in Spanish: the demo's González family finds its support group, sees the meeting it answered
in the month calendar (no sideways scrolling), downloads the .ics and makes a subscription link that works."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journeys import sign_in
from training.groups.models import GroupMeeting, GroupRsvp, RsvpStatus

pytestmark = pytest.mark.browser


def answered_meeting(live_server) -> GroupMeeting:
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "family2@demo.test"))
        return db.session.scalar(select(GroupMeeting).join(GroupRsvp, GroupRsvp.meeting_id == GroupMeeting.id).where(
            GroupRsvp.household_id == user.household_id, GroupRsvp.status == RsvpStatus.GOING))


def test_spanish_family_calendar_on_a_phone(live_server, phone):
    meeting = answered_meeting(live_server)
    assert meeting is not None, "the demo gives family2 an answer to a meeting"
    sign_in(phone, live_server.url, "family2@demo.test", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/training/groups")
    headings = phone.locator("main h2").all_inner_texts()
    assert headings[0].startswith("Grupo de apoyo para familias de crianza")  # their language first
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []

    month = meeting.starts_at.astimezone(ZoneInfo(live_server.app.config["PORTAL_TIMEZONE"])).strftime("%Y-%m")
    phone.goto(f"{live_server.url}/training/calendar?month={month}")
    assert "Grupo de apoyo para familias de crianza" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []

    download = phone.request.get(f"{live_server.url}/training/calendar.ics")
    assert download.status == 200
    events = Calendar.from_ical(download.body()).walk("VEVENT")
    assert any(str(event["UID"]).startswith(f"group-meeting-{meeting.id}@") for event in events)

    phone.click("text=Crear un enlace de suscripción") if phone.locator(
        "text=Crear un enlace de suscripción").count() else phone.click("form[action$='/subscription'] button")
    link = re.search(r"https?://\S+/training/calendar/feed/\S+\.ics", phone.locator("main").inner_text())
    assert link, "the subscription link is shown"
    assert phone.request.get(link.group(0)).status == 200
