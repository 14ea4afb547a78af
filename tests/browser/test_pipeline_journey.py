"""The homefinder's recruitment workspace in a real browser: the board filtered to stalled Spanish-speaking families,
two of them taken on, a call logged, and the filtered list downloaded as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from portal.clock import agency_today
from portal.demo import DEMO_PASSWORD
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_a_homefinder_takes_on_stalled_spanish_speaking_families(live_server, desktop):
    base, page = live_server.url, desktop
    sign_in(page, base, "homefinder@demo.test", DEMO_PASSWORD)
    page.wait_for_url(base + "/dashboard")

    # Everyone's families, Spanish, stalled: the filters are the board's own form.
    page.goto(base + "/licensing/staff/pipeline")
    page.select_option("select[name=who]", "all")
    page.select_option("select[name=language]", "es")
    page.check("input[name=stalled]")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "language=es" in page.url and "stalled=" in page.url
    board = page.locator("main").inner_text()
    assert "Rosario Vega" in board and "Tomás Rojas" in board
    assert "Lucía Ortega" not in board  # Spanish, but asked four days ago: not stalled

    page.get_by_label("Select Rosario Vega").check()
    page.get_by_label("Select Tomás Rojas").check()
    page.select_option("select[name=homefinder]", label="Hana Homefinder")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    after = page.locator("main").inner_text()
    assert "2 families assigned to Hana Homefinder." in after
    assert "language=es" in page.url  # back on the same filters
    # Taking a family on is not news to the family: still stalled, now Hana's, until someone calls.
    assert "Rosario Vega" in after and "Tomás Rojas" in after

    page.get_by_role("link", name="Rosario Vega").click()
    page.wait_for_load_state()
    page.get_by_label("Phone call").check()
    page.select_option("select[name=outcome]", label="Left a message")
    with live_server.app.app_context():
        tomorrow = agency_today() + timedelta(days=1)
    page.fill("input[name=next_follow_up_on]", tomorrow.isoformat())
    page.fill("textarea[name=notes]", "Dejé un mensaje; vuelvo a llamar mañana.")
    page.get_by_role("button", name="Log the contact").click()
    page.wait_for_load_state()
    lead_page = page.locator("main").inner_text()
    assert "Contact logged." in lead_page and "Dejé un mensaje" in lead_page

    page.goto(base + "/licensing/staff/pipeline?who=mine&language=es&stalled=y")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    body = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    names = {cell for row in rows[1:] for cell in row}
    # Vega has just been called (active again, no longer stalled); Rojas is still waiting, and now Hana's.
    assert "Tomás Rojas" in names and "Rosario Vega" not in names
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
