"""Documents in one tap, in Spanish on a 360 px phone: a good file goes up from its own row with one tap to choose
and one to send; a refused file's reason is said beside its own row, which has the focus."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from licensing.application import services as applications
from licensing.application.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    DocumentStatus,
    HouseholdMember,
    MemberRole,
    SectionStatus,
)
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PASSWORD = "documentos en un toque"


def spanish_applicant(live_server, email: str = "paula.rios@example.com") -> tuple[int, int]:
    """An applicant who reads Spanish, whose Applicants section is done: four documents to send."""
    with live_server.app.app_context():
        user = User(
            email=email,
            full_name="Paula Ríos",
            role=Role.APPLICANT,
            preferred_locale="es",
            password_hash=hash_password(PASSWORD),
            email_confirmed_at=now_utc(),
            household=Household(name="Paula Ríos"),
        )
        db.session.add(user)
        db.session.flush()
        application = applications.open_application(user.household, None, opened_by=user)
        member = HouseholdMember(
            application_id=application.id,
            role=MemberRole.PRIMARY,
            position=0,
            first_name="Paula",
            last_name="Ríos",
            birth_date=date(1987, 7, 3),
            email=user.email,
            user_id=user.id,
        )
        db.session.add(member)
        section = applications.sections_by_key(applications.load_application(application.id))["applicants"]
        applications.change_section_status(user, application, section, SectionStatus.COMPLETE, "section_saved")
        db.session.commit()
        return application.id, member.id


def test_each_document_goes_up_from_its_own_row_and_a_refusal_is_said_beside_it(live_server, phone):
    base, page = live_server.url, phone
    application_id, member_id = spanish_applicant(live_server)
    sign_in(page, base, "paula.rios@example.com", PASSWORD)
    page.goto(base + "/licensing/application")
    page.wait_for_selector("html[lang=es]")

    # The photo ID: one tap to choose the photo, one to send it.
    photo_row = page.locator(f"#document-photo_id-{member_id}")
    photo_row.locator("input[type=file]").set_input_files(
        files=[{"name": "identificacion.png", "mimeType": "image/png", "buffer": PNG}]
    )
    photo_row.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_selector("text=Gracias, el documento se subió.")
    assert photo_row.get_by_text("Subido, en espera de revisión").is_visible()
    assert photo_row.get_by_role("link", name="identificacion.png").is_visible()

    # Proof of income, further down: a file that is not a document is refused.
    income_row = page.locator("#document-proof_of_income-0")
    income_row.locator("input[type=file]").set_input_files(
        files=[{"name": "recibo.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 un programa"}]
    )
    income_row.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_selector("#document-proof_of_income-0-error")
    message = income_row.get_by_role("alert")
    assert (
        message.inner_text().strip() == "Este archivo no es PDF, JPEG, PNG ni HEIC. Guárdelo en uno de esos formatos."
    )
    # The focus is on that row's file input, which the message describes, and the message is on the screen.
    focused = page.evaluate("""() => {
        const element = document.activeElement;
        return {id: element.id, describedBy: element.getAttribute('aria-describedby'),
                row: element.closest('li') && element.closest('li').id};
    }""")
    assert focused["id"] == "document-proof_of_income-0-file"
    assert focused["row"] == "document-proof_of_income-0"
    assert "document-proof_of_income-0-error" in focused["describedBy"].split()
    # (Bootstrap scrolls smoothly: wait for the scroll to the focused input to end.)
    expect(message).to_be_in_viewport(ratio=1)
    expect(income_row.locator("input[type=file]")).to_be_in_viewport(ratio=1)
    # Only that row speaks of it; the photo ID stays sent; the page fits the phone.
    assert page.locator("[role=alert]").count() == 1
    assert photo_row.get_by_text("Subido, en espera de revisión").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with live_server.app.app_context():
        kinds = db.session.scalars(
            select(ApplicationDocument.kind).where(ApplicationDocument.application_id == application_id)
        ).all()
        assert kinds == ["photo_id"]
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ApplicationDocument)
                .where(
                    ApplicationDocument.kind == "proof_of_income", ApplicationDocument.application_id == application_id
                )
            )
            == 0
        )


def test_a_returned_document_of_a_sent_application_is_sent_again_from_the_dashboard(live_server, phone):
    base, page = live_server.url, phone
    application_id, _member_id = spanish_applicant(live_server, "ines.rios@example.com")
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        application.status, application.submitted_at = ApplicationStatus.SUBMITTED, now_utc()
        db.session.add(
            ApplicationDocument(
                application_id=application_id,
                kind="proof_of_income",
                original_name="recibo.png",
                stored_name="returned-" + "0" * 40,
                content_type="image/png",
                size_bytes=len(PNG),
                sha256="0" * 64,
                status=DocumentStatus.RETURNED,
                review_reason="La foto está borrosa.",
                reviewed_at=now_utc(),
            )
        )
        db.session.commit()
    sign_in(page, base, "ines.rios@example.com", PASSWORD)
    page.goto(base + "/dashboard")
    page.wait_for_selector("html[lang=es]")
    page.get_by_role("link", name="Ver el documento devuelto").click()
    page.wait_for_url("**/licensing/application#document-proof_of_income-0")

    row = page.locator("#document-proof_of_income-0")
    assert row.get_by_text("Devuelto").is_visible() and row.get_by_text("La foto está borrosa.").is_visible()
    assert page.locator("input[type=file]").count() == 1  # only the returned row takes a file now
    row.locator("input[type=file]").set_input_files(
        files=[
            {"name": "recibo-1.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "recibo-2.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    row.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_selector("text=Gracias, el documento se subió.")
    assert row.get_by_text("Subido, en espera de revisión").is_visible()
    assert page.locator("input[type=file]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with live_server.app.app_context():
        newest = db.session.scalar(
            select(ApplicationDocument)
            .where(ApplicationDocument.application_id == application_id)
            .order_by(ApplicationDocument.id.desc())
            .limit(1)
        )
        assert newest.status is DocumentStatus.PENDING and newest.original_name == "recibo-1.png"
