"""axe-core finds no serious or critical problems on the public pages and each role's dashboard."""

from __future__ import annotations

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/password/forgot"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_public_pages(live_server, desktop, path, language):
    desktop.set_extra_http_headers({"Accept-Language": language})
    desktop.goto(live_server.url + path)
    assert serious_violations(desktop) == []


def test_a_form_with_errors(live_server, phone):
    phone.goto(live_server.url + "/register")
    phone.click("main button[type=submit]")
    phone.wait_for_selector(".invalid-feedback")
    assert serious_violations(phone) == []


@pytest.mark.parametrize("email", ["applicant@demo.test", "family@demo.test", "family2@demo.test",
                                   "homefinder@demo.test", "coordinator@demo.test", "admin@demo.test"])
def test_dashboards(live_server, phone, email):
    sign_in(phone, live_server.url, email, DEMO_PASSWORD)
    phone.wait_for_url(live_server.url + "/dashboard")
    assert serious_violations(phone) == []


@pytest.mark.parametrize("path", ["/licensing/inquiry", "/licensing/sessions"])
def test_recruitment_pages(live_server, phone, path):
    phone.goto(live_server.url + path)
    assert serious_violations(phone) == []


@pytest.mark.parametrize("path", ["/licensing/application", "/licensing/application/section/applicants",
                                  "/licensing/application/section/household",
                                  "/licensing/application/section/residence"])
def test_application_pages(live_server, phone, path):
    sign_in(phone, live_server.url, "applicant@demo.test", DEMO_PASSWORD)
    phone.wait_for_url(live_server.url + "/dashboard")
    phone.goto(live_server.url + path)
    assert serious_violations(phone) == []


@pytest.mark.parametrize("path", ["/licensing/staff/applications", "/licensing/staff/leads",
                                  "/licensing/staff/sessions"])
def test_homefinder_pages(live_server, desktop, path):
    sign_in(desktop, live_server.url, "homefinder@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(live_server.url + "/dashboard")
    desktop.goto(live_server.url + path)
    assert serious_violations(desktop) == []
    if path.endswith("applications"):
        desktop.locator("tbody a").first.click()
        desktop.wait_for_selector("h1")
        assert serious_violations(desktop) == []


@pytest.mark.parametrize("email,path", [
    ("family2@demo.test", "/licensing/checklist"),
    ("midway@demo.test", "/licensing/checklist"),
    ("midway@demo.test", "/licensing/safety-self-check"),
    ("admin@demo.test", "/licensing/admin/requirements"),
    ("admin@demo.test", "/licensing/admin/requirements/new"),
])
def test_tracker_pages(live_server, phone, email, path):
    sign_in(phone, live_server.url, email, DEMO_PASSWORD)
    phone.wait_for_url(live_server.url + "/dashboard")
    phone.goto(live_server.url + path)
    assert serious_violations(phone) == []


def test_homefinder_checklist_page(live_server, desktop):
    from sqlalchemy import select

    from licensing.application.models import Application
    from portal.extensions import db
    from portal.models import User

    with live_server.app.app_context():
        household = db.session.scalar(select(User.household_id).where(User.email == "midway@demo.test"))
        application_id = db.session.scalar(select(Application.id).where(Application.household_id == household))
    sign_in(desktop, live_server.url, "homefinder@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(live_server.url + "/dashboard")
    for path in ("checklist", "safety", "home-study"):
        desktop.goto(f"{live_server.url}/licensing/staff/applications/{application_id}/{path}")
        assert serious_violations(desktop) == [], path
