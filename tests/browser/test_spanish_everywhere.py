"""Spanish everywhere the person is, in a real browser whose own language is English: a reference answering a
Spanish email is thanked in Spanish, the session list names languages in Spanish with times as "5:30 p.m.", and a
homefinder returning a document to a Spanish-speaking family is told so and picks a saved reason the family reads in
Spanish."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from licensing.application import others
from licensing.application.models import Application, Reference
from portal.database import now_utc
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Household, OutboxMessage, Role, User
from portal.passwords import hash_password
from tests.browser.test_journeys import sign_in
from tests.portal.access_records import build_access_records

pytestmark = pytest.mark.browser


def latest_mail(live_server, recipient: str, template: str) -> OutboxMessage:
    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient, OutboxMessage.template == template)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no {template} mail to {recipient}"
        db.session.expunge(message)
        return message


@pytest.fixture(scope="module")
def spanish_household(live_server):
    """A household of its own (the demo's are other journeys'): submitted, a photo ID waiting for review, a Spanish-
    speaking applicant who signs in with the demo password."""
    password_hash = hash_password(DEMO_PASSWORD)
    numbers = iter(range(1, 100))

    def make_user(role, full_name=None):
        role = Role(role)
        with live_server.app.app_context():
            user = User(
                email=f"spanish-{role.value}-{next(numbers)}@example.com",
                full_name=full_name or "Staff",
                role=role,
                preferred_locale="es",
                password_hash=password_hash,
                email_confirmed_at=now_utc(),
                household=Household(name="Familia Torres") if role is Role.APPLICANT else None,
            )
            db.session.add(user)
            db.commit()
            return SimpleNamespace(id=user.id, household_id=user.household_id, email=user.email)

    records = build_access_records(live_server.app, make_user)
    with live_server.app.app_context():
        owner_email = db.session.get(User, records.owner_id).email
    yield SimpleNamespace(records=records, owner_email=owner_email)
    records.stored_path.unlink(missing_ok=True)


def test_a_reference_is_thanked_in_the_language_of_the_email(live_server, desktop, spanish_household):
    records = spanish_household.records
    with live_server.app.test_request_context(base_url=live_server.url):
        application = db.session.get(Application, records.application_id)
        reference = Reference(
            application_id=application.id,
            name="Sam Ortiz",
            relationship_to_applicant="Pastor",
            email="sam.ortiz@example.com",
            preferred_locale="es",
        )
        db.session.add(reference)
        db.session.flush()
        others.send_reference_request(application, reference, db.session.get(User, records.owner_id))
        db.commit()
    link = re.search(
        r"https?://\S+", latest_mail(live_server, "sam.ortiz@example.com", "reference_request").body_text
    ).group(0)

    page = desktop  # the browser asks for English
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("input[name=known_for]").fill("Diez años")
    page.locator("input[name=relationship]").fill("Soy su pastor")
    page.locator("input[name=recommend][value=yes]").check()
    page.locator("textarea[name=with_children]").fill("Muy paciente con los niños.")
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Gracias')")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Thank you" not in page.locator("main").inner_text()


def test_the_session_list_names_languages_and_times_in_spanish(live_server, desktop):
    page = desktop
    page.goto(live_server.url + "/licensing/sessions")
    page.get_by_role("button", name="Español").click()
    page.wait_for_selector("html[lang=es]")
    listed = page.locator("main").inner_text()
    assert "Inglés" in listed and "Español" in listed and "English" not in listed
    assert re.search(r"\d:30\s[ap]\.\s?m\.", listed)  # the demo's evening sessions
    assert not re.search(r"\d:\d\d:\d\d", listed) and "m.." not in listed


def test_a_homefinder_returns_a_document_with_a_saved_reason_the_family_reads_in_spanish(
    live_server, desktop, spanish_household
):
    records, base = spanish_household.records, live_server.url
    page = desktop
    sign_in(page, base, "homefinder@demo.test", DEMO_PASSWORD)
    page.wait_for_url(base + "/dashboard")
    page.goto(f"{base}/licensing/staff/applications/{records.application_id}#documents")
    box = page.locator(f"#reason-{records.document_id}")
    hint = page.locator(f"#reason-{records.document_id}-language")
    assert hint.inner_text() == "The family reads Spanish — write in Spanish."
    assert f"reason-{records.document_id}-language" in box.get_attribute("aria-describedby")
    assert hint.is_visible() and box.is_visible()
    saved = page.get_by_label("Use a saved reason").first
    option = saved.locator("option", has_text="Please take it again in good light").inner_text()
    assert "(La foto está borrosa." in option  # what the family will read
    saved.select_option(label=option)
    page.get_by_role("button", name="Return to the family").first.click()
    page.wait_for_selector("text=Document reviewed.")

    mail = latest_mail(live_server, spanish_household.owner_email, "document_returned")
    assert "La foto está borrosa. Tómela de nuevo con buena luz." in mail.body_text
    assert "Identificación con foto" in mail.body_text and "Photo ID" not in mail.body_text
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, spanish_household.owner_email, DEMO_PASSWORD)
    page.wait_for_url(base + "/dashboard")
    page.goto(base + "/licensing/application")
    assert "La foto está borrosa. Tómela de nuevo con buena luz." in page.locator("main").inner_text()
