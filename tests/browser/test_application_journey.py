"""In Spanish, on a phone: inquiry → RSVP → (homefinder: attendance, invitation) → account → every section →
uploads → signature → submission; then the homefinder returns a document and the family sees why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from licensing.recruitment.models import InfoSession, Lead
from portal.database import now_utc
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import OutboxMessage
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def latest_link(live_server, recipient: str, template: str) -> str:
    with live_server.app.app_context():
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient,
                                                                OutboxMessage.template == template)
                                     .order_by(OutboxMessage.id.desc())).first()
        assert message is not None, f"no {template} mail to {recipient}"
        return re.search(r"https?://\S+", message.body_text).group(0)


def save_section(page, key: str, fill) -> None:
    page.goto(page.url.split("/licensing/")[0] + f"/licensing/application/section/{key}")
    fill(page)
    page.get_by_role("button", name="Guardar esta sección").click()
    page.wait_for_selector("text=Guardado. Esta sección está completa.")


def test_a_family_applies_in_spanish_on_a_phone_and_a_homefinder_reviews(live_server, phone, desktop):
    base = live_server.url
    page = phone
    page.goto(base + "/licensing/sessions")
    page.get_by_role("button", name="Español").click()
    page.wait_for_selector("html[lang=es]")
    with live_server.app.app_context():
        spanish_session = db.session.scalars(select(InfoSession).where(InfoSession.language == "es")).first()
        session_id = spanish_session.id
    page.click(f"a[href$='session={session_id}']")

    page.fill("input[name=first_name]", "Lucía")
    page.fill("input[name=last_name]", "Méndez")
    page.fill("input[name=email]", "lucia.mendez@example.com")
    page.fill("input[name=phone]", "559-555-0101")
    page.select_option("select[name=preferred_locale]", "es")
    page.fill("input[name=zip_code]", "93702")
    page.check("input[name=interest][value=foster]")
    page.get_by_role("button", name="Enviar").click()
    page.wait_for_selector("text=¡Gracias, Lucía!")
    assert page.get_by_text("Su lugar está reservado en esta sesión informativa").is_visible()

    # The session is held (attendance of a session still to come is refused): the homefinder records attendance and
    # invites her to apply. The demo's session gets its date back afterwards, for the tests that follow.
    with live_server.app.app_context():
        held = db.session.get(InfoSession, session_id)
        planned, held.starts_at = held.starts_at, now_utc() - timedelta(hours=2)
        db.commit()
    sign_in(desktop, base, "homefinder@demo.test", DEMO_PASSWORD)
    desktop.wait_for_url(base + "/dashboard")
    desktop.goto(f"{base}/licensing/staff/sessions/{session_id}")
    desktop.get_by_label(re.compile("Lucía Méndez")).check()
    desktop.get_by_role("button", name="Save attendance").click()
    desktop.wait_for_selector("text=Attendance saved.")
    with live_server.app.app_context():
        lead_id = db.session.scalar(select(Lead.id).where(Lead.email == "lucia.mendez@example.com"))
        db.session.get(InfoSession, session_id).starts_at = planned
        db.commit()
    desktop.goto(f"{base}/licensing/staff/leads/{lead_id}")
    desktop.get_by_role("button", name="Invite to apply").click()
    desktop.wait_for_selector("text=Invitation to apply sent")

    page.goto(latest_link(live_server, "lucia.mendez@example.com", "invited_to_apply"))
    page.fill("input[name=password]", "nuestra familia 2026")
    page.fill("input[name=confirm]", "nuestra familia 2026")
    page.get_by_role("button", name="Crear mi cuenta").click()
    page.wait_for_url(base + "/licensing/application")
    assert page.get_by_text("0 de 9 secciones completas").is_visible()

    # A mistake first: the typed answers stay, the message is next to the field, in Spanish.
    page.goto(base + "/licensing/application/section/applicants")
    page.fill("input[name=primary_first_name]", "Lucía")
    page.fill("input[name=primary_last_name]", "Méndez")
    page.fill("input[name=primary_birth_date]", "2090-01-01")
    page.fill("input[name=primary_phone]", "559-555-0101")
    page.get_by_role("button", name="Guardar esta sección").click()
    assert page.locator("#primary_birth_date-error").inner_text().strip() == \
        "Una fecha de nacimiento no puede estar en el futuro."
    assert page.input_value("input[name=primary_first_name]") == "Lucía"
    page.fill("input[name=primary_birth_date]", "1986-02-11")
    page.get_by_role("button", name="Guardar esta sección").click()
    page.wait_for_selector("text=Guardado. Esta sección está completa.")

    save_section(page, "household", lambda p: None)  # nobody else lives with her

    def residence(p):
        p.fill("input[name=street]", "77 Calle Olivo")
        p.fill("input[name=city]", "Fresno")
        p.fill("input[name=state]", "CA")
        p.fill("input[name=zip_code]", "93702")
        p.check("input[name=ownership][value=rent]")
        p.fill("input[name=bedrooms]", "2")
        for question in ("has_pets", "has_firearms", "has_pool"):
            p.check(f"input[name={question}][value=no]")
    save_section(page, "residence", residence)
    save_section(page, "employment", lambda p: p.select_option("select[name=primary_employment]", "full_time"))

    def health(p):
        p.check("input[name=has_condition][value=no]")
        p.check("input[name=medical_statement_ack]")
    save_section(page, "health", health)

    def references(p):
        for i, (name, email) in enumerate([("Ana Ruiz", "ana.ruiz@example.com"), ("Pedro Gil", "pedro@example.com"),
                                           ("Marta Díaz", "marta@example.com")]):
            p.fill(f"input[name=references-{i}-name]", name)
            p.fill(f"input[name=references-{i}-relationship]", "Amiga" if i != 1 else "Vecino")
            p.fill(f"input[name=references-{i}-email]", email)
    save_section(page, "references", references)

    def preferences(p):
        p.fill("input[name=number_of_children]", "2")
        p.fill("input[name=age_min]", "0")
        p.fill("input[name=age_max]", "8")
        p.fill("input[name=languages]", "Español, inglés")
        p.check("input[name=will_transport][value=no]")
    save_section(page, "preferences", preferences)

    def disclosures(p):
        for question in ("arrests", "cps", "prior_license"):
            p.check(f"input[name={question}][value=no]")
    save_section(page, "disclosures", disclosures)

    def agreements(p):
        for box in ("truthful", "background_checks", "home_study", "report_changes"):
            p.check(f"input[name={box}]")
    save_section(page, "attestations", agreements)

    page.goto(base + "/licensing/application")
    assert page.get_by_text("9 de 9 secciones completas").is_visible()
    # Each document in its own row: choose the file, send it.
    for index in range(page.locator("#documents form").count()):
        row = page.locator("#documents form").nth(index)
        row.locator("input[type=file]").set_input_files(files=[{"name": "documento.pdf",
                                                                "mimeType": "application/pdf", "buffer": PDF}])
        row.get_by_role("button", name="Enviar", exact=True).click()
        page.wait_for_selector("text=Gracias, el documento se subió.")
    page.get_by_label(re.compile("Firma de Lucía Méndez")).fill("Lucía Méndez")
    page.get_by_role("button", name="Firmar", exact=True).click()
    page.wait_for_selector("text=Firmado.")
    page.get_by_role("button", name="Enviar mi solicitud").click()
    page.wait_for_selector("text=Su solicitud se envió.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The homefinder returns the photo ID with a reason; the family sees it, in Spanish around the reason.
    desktop.goto(base + "/licensing/staff/applications?status=submitted")
    desktop.get_by_role("link", name="Lucía Méndez").click()
    desktop.get_by_label("Reason the family will see").first.fill("La foto está borrosa.")
    desktop.get_by_role("button", name="Return to the family").first.click()
    desktop.wait_for_selector("text=Document reviewed.")
    page.goto(base + "/licensing/application")
    assert page.get_by_text("Motivo: La foto está borrosa.").is_visible()
    assert page.get_by_text("Devuelto").first.is_visible()
