"""The homefinder returns a document without writing why: the reason box of that document is where the message is
said, with the focus in it, on the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from licensing.application.models import Application, ApplicationDocument, DocumentStatus
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_returning_a_document_without_a_reason_focuses_its_reason_box(live_server, phone):
    base, page = live_server.url, phone
    with live_server.app.app_context():
        household_id = db.session.scalar(select(User.household_id).where(User.email == "applied@demo.test"))
        application_id = db.session.scalar(select(Application.id).where(Application.household_id == household_id))
        document_ids = db.session.scalars(
            select(ApplicationDocument.id)
            .where(
                ApplicationDocument.application_id == application_id,
                ApplicationDocument.status == DocumentStatus.PENDING,
                ApplicationDocument.checklist_item_id.is_(None),
            )
            .order_by(ApplicationDocument.id)
        ).all()
    assert len(document_ids) > 1
    document_id = document_ids[0]  # the first row: the message used to be after the last one
    sign_in(page, base, "homefinder@demo.test", DEMO_PASSWORD)
    page.wait_for_url(base + "/dashboard")
    page.goto(f"{base}/licensing/staff/applications/{application_id}")
    box = page.locator(f"#reason-{document_id}")
    box.locator("xpath=ancestor::form").get_by_role("button", name="Return to the family").click()
    page.wait_for_selector(f"#reason-{document_id}-error")

    message = page.locator(f"#reason-{document_id}-error")
    assert message.get_attribute("role") == "alert"
    assert page.locator("[role=alert]").count() == 1
    focused = page.evaluate("""() => ({id: document.activeElement.id,
        invalid: document.activeElement.getAttribute('aria-invalid'),
        describedBy: document.activeElement.getAttribute('aria-describedby')})""")
    assert focused["id"] == f"reason-{document_id}" and focused["invalid"] == "true"
    assert f"reason-{document_id}-error" in focused["describedBy"].split()
    expect(message).to_be_in_viewport(ratio=1)
    expect(box).to_be_in_viewport()
    with live_server.app.app_context():
        assert db.session.get(ApplicationDocument, document_id).status is DocumentStatus.PENDING
