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
