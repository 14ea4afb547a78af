"""The homefinder approves the last item, the supervisor issues the license, the family sees it in Spanish."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from licensing.application.models import Application
from licensing.tracker.models import ChecklistItem, ItemStatus, RequirementTemplate
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests.browser.test_journeys import sign_in
from tests.support import agency_today

pytestmark = pytest.mark.browser


def test_last_item_license_and_the_family_sees_it_in_spanish(live_server, desktop, browser):
    base = live_server.url
    with live_server.app.app_context():
        # The demo's "ready" household, with its joint interview item sent back to "submitted" for this journey.
        family = db.session.scalar(select(User).where(User.email == "ready@demo.test"))
        family.preferred_locale = "es"
        application_id = db.session.scalar(select(Application.id).where(Application.household_id
                                                                        == family.household_id))
        item = db.session.scalar(select(ChecklistItem).join(RequirementTemplate).where(
            ChecklistItem.application_id == application_id, RequirementTemplate.code == "joint_interview"))
        item.status = ItemStatus.SUBMITTED
        item_id = item.id
        db.commit()

    sign_in(desktop, base, "homefinder@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(base + "/dashboard")
    desktop.goto(f"{base}/licensing/staff/applications/{application_id}/checklist")
    card = desktop.locator(f"#item-{item_id}")
    card.locator("summary").click()
    card.get_by_label("New status").select_option("approved")
    card.get_by_role("button", name="Save").click()
    desktop.wait_for_selector("text=Every item is approved or waived")
    desktop.get_by_role("button", name="Sign out").click()

    sign_in(desktop, base, "admin@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(base + "/dashboard")
    desktop.goto(f"{base}/licensing/staff/applications/{application_id}/checklist")
    desktop.get_by_label("License number").fill("FH-2026-0777")
    desktop.get_by_label("Capacity (children at once)").fill("3")
    desktop.get_by_label("Youngest age").fill("2")
    desktop.get_by_label("Oldest age").fill("12")
    today = agency_today()
    desktop.get_by_label("Effective from").fill(today.isoformat())
    desktop.get_by_label("Expires on").fill((today + timedelta(days=365)).isoformat())
    desktop.get_by_role("button", name="Issue the license").last.click()
    desktop.wait_for_selector("text=The license is issued.")

    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="es-US")
    phone = context.new_page()
    sign_in(phone, base, "ready@demo.test", DEMO_PASSWORD)
    phone.wait_for_url(base + "/dashboard")
    phone.goto(base + "/licensing/checklist")
    assert phone.locator("html").get_attribute("lang") == "es"
    assert phone.get_by_role("heading", name="Con licencia").is_visible()
    text = re.sub(r"\s+", " ", phone.locator("main").inner_text())
    assert "FH-2026-0777" in text and "Hasta 3 niños" in text and "De 2 a 12 años" in text
    assert "Renovación" in text  # the renewal items, with their dates
    context.close()
