"""The training catalog on a 360 px phone: the month calendar fits the screen, a day's link leads to its trainings,
and a family enrolls in a paid CPR class and finds it in its trainings (the demo's Rivera family)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.clock import agency_zone
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests.browser.test_every_page_accessible import all_violations
from tests.browser.test_journeys import sign_in
from training.catalog.models import Course, CourseSession

pytestmark = pytest.mark.browser


def test_a_family_finds_a_cpr_class_in_the_month_calendar_and_enrolls(live_server, phone):
    base, page = live_server.url, phone
    with live_server.app.app_context():
        session = db.session.scalar(
            select(CourseSession).join(Course, Course.id == CourseSession.course_id)
            .where(Course.title_en == "CPR and First Aid", CourseSession.language == "en")
            .order_by(CourseSession.first_starts_at).limit(1))
        month = session.first_starts_at.astimezone(agency_zone()).strftime("%Y-%m")
        session_id = session.id
    sign_in(page, base, "family@demo.test", DEMO_PASSWORD)
    page.goto(f"{base}/training/catalog?view=calendar&month={month}&category=cpr_first_aid")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("#month-calendar").bounding_box()["width"] <= 360
    assert all_violations(page) == []
    page.locator("#month-calendar a").first.click()
    page.get_by_role("link", name="CPR and First Aid").first.click()
    page.wait_for_selector(f"#session-{session_id}")
    assert "$45.00" in page.inner_text("main")
    page.locator(f"#session-{session_id}").get_by_role("link", name="Enroll").click()
    page.get_by_label("Jordan Rivera").check()
    page.get_by_role("button", name="Enroll").click()
    page.wait_for_url(f"{base}/training/mine")
    assert "You are enrolled." in page.inner_text("main")
    assert "CPR and First Aid" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
