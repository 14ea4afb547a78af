"""Tables a family reads on a 360 px phone fit the screen: each row becomes a block (no hidden sideways scroll)."""

from __future__ import annotations

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_the_training_record_fits_a_phone(live_server, phone):
    sign_in(phone, live_server.url, "family@demo.test", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/training/hours")
    tables = phone.locator("table.stack-on-phone")
    assert tables.count() >= 1, "the demo family has credits"
    for index in range(tables.count()):
        box = tables.nth(index).bounding_box()
        assert box["x"] + box["width"] <= 360
    label = phone.evaluate("getComputedStyle(document.querySelector("
                           "'table.stack-on-phone td[data-label]'), '::before').content")
    assert label.startswith('"') and ":" in label, "each cell says which column it is"


def test_the_background_checks_of_a_staff_checklist_fit_a_phone(live_server, phone):
    """One card per check on a phone: the status menu and its Save button stay usable, nothing off the screen (the
    table squeezed the menu to 46 px and pushed Save off the edge)."""
    from sqlalchemy import func, select

    from licensing.tracker.models import BackgroundCheck
    from portal.extensions import db

    with live_server.app.app_context():
        application_id = db.session.scalar(select(BackgroundCheck.application_id).group_by(
            BackgroundCheck.application_id).order_by(func.count().desc(), BackgroundCheck.application_id).limit(1))
        db.session.rollback()
    assert application_id is not None, "the demo has an application with background checks"
    sign_in(phone, live_server.url, "homefinder@demo.test", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/licensing/staff/applications/{application_id}/checklist")
    table = phone.locator("#checks table.stack-on-phone")
    box = table.bounding_box()
    assert box["x"] + box["width"] <= 360
    status, save = phone.locator("#checks select[name=status]").first, phone.locator("#checks button").first
    assert status.bounding_box()["width"] >= 150
    save_box = save.bounding_box()
    assert save_box["x"] + save_box["width"] <= 360
