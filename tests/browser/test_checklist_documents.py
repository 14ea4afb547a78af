"""A file for a checklist item, in Spanish on a 360 px phone: a refused file's reason is said beside the item's own
row, with the focus on its file input and both on the screen (each adult's row saying whose it is is checked
where a household has such rows to send: tests/licensing/test_tracker.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember
from licensing.tracker.models import ChecklistItem, RequirementTemplate, RequirementType
from licensing.tracker.services.checklists import FAMILY_CAN_SEND
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_a_refused_item_file_is_said_in_its_row_with_the_focus_on_it(live_server, phone):
    base, page = live_server.url, phone
    with live_server.app.app_context():
        household_id = db.session.scalar(select(User.household_id).where(User.email == "midway@demo.test"))
        application_id = db.session.scalar(select(Application.id).where(Application.household_id == household_id))
        items = db.session.scalars(
            select(ChecklistItem)
            .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
            .where(
                ChecklistItem.application_id == application_id,
                RequirementTemplate.type == RequirementType.DOCUMENT,
                ChecklistItem.status.in_(list(FAMILY_CAN_SEND)),
            )
            .order_by(ChecklistItem.id)
        ).all()
        # The demo's mid-way family: its pet records came back ("returned"), a file to send again.
        item_id = items[-1].id
        names = {i.id: db.session.get(HouseholdMember, i.member_id).full_name for i in items if i.member_id}
    sign_in(page, base, "midway@demo.test", DEMO_PASSWORD)
    page.goto(base + "/licensing/checklist")
    page.wait_for_selector("html[lang=es]")
    # Each adult's file input is labelled with that adult's name.
    for some_id, name in names.items():
        label = page.evaluate(f"document.getElementById('file-{some_id}').labels[0].textContent")
        assert name in label

    row = page.locator(f"#item-{item_id}")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "tarjeta.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 un programa"}]
    )
    row.get_by_role("button", name="Subir", exact=True).click()
    page.wait_for_selector(f"#file-{item_id}-error")
    message = row.get_by_role("alert")
    assert (
        message.inner_text().strip() == "Este archivo no es PDF, JPEG, PNG ni HEIC. Guárdelo en uno de esos formatos."
    )
    focused = page.evaluate("""() => {
        const element = document.activeElement;
        return {id: element.id, describedBy: element.getAttribute('aria-describedby'),
                invalid: element.getAttribute('aria-invalid'), multiple: element.multiple};
    }""")
    assert focused == {
        "id": f"file-{item_id}",
        "describedBy": f"file-{item_id}-error",
        "invalid": "true",
        "multiple": True,
    }
    expect(message).to_be_in_viewport(ratio=1)
    expect(row.locator("input[type=file]")).to_be_in_viewport(ratio=1)
    assert page.locator("[role=alert]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
