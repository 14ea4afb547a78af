"""Words staff write for a family: the family's language shown beside every box the family will read, and saved
return reasons in both languages (kept by administrators) that fill an empty box in the family's language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from licensing.application.models import ApplicationDocument, ApplicationSection, DocumentStatus, ReturnReason
from licensing.demo import seed_return_reasons
from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.models import OutboxMessage, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.portal.access_records import build_access_records

SPANISH_HINT = "The family reads Spanish — write in Spanish."
ENGLISH_HINT = "The family reads English — write in English."


@pytest.fixture
def household(app, db, make_user):
    """A submitted application with a document waiting for review and a checklist item; the family reads Spanish."""
    records = build_access_records(app, make_user)
    owner = db.session.get(User, records.owner_id)
    owner.preferred_locale = "es"
    db.session.commit()
    yield records
    records.stored_path.unlink(missing_ok=True)


@pytest.fixture
def staff(app, make_user):
    browser = app.test_client()
    sign_in(browser, make_user(Role.HOMEFINDER))
    return browser


@pytest.fixture
def blurry(db) -> ReturnReason:
    reason = ReturnReason(text_en="The photo is blurry.", text_es="La foto está borrosa.", active=True)
    db.session.add_all([reason, ReturnReason(text_en="Old reason", text_es="Motivo viejo", active=False)])
    db.session.commit()
    return reason


def test_admins_keep_saved_reasons_in_both_languages(app, db, make_user):
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    form = {"text_en": "A page is missing.", "text_es": "Falta una página.", "active": "y"}
    assert post_form(admin, "/licensing/admin/return-reasons/new", form).status_code == 303
    reason = db.session.scalar(select(ReturnReason))
    assert (reason.text_en, reason.text_es, reason.active) == ("A page is missing.", "Falta una página.", True)
    page = text_of(admin.get("/licensing/admin/return-reasons"))
    assert "A page is missing." in page and "Falta una página." in page

    changed = post_form(admin, f"/licensing/admin/return-reasons/{reason.id}", {**form, "active": ""})
    assert changed.status_code == 303
    db.session.expire_all()
    assert db.session.get(ReturnReason, reason.id).active is False
    missing = post_form(admin, "/licensing/admin/return-reasons/new", {"text_en": "Only English"})
    assert missing.status_code == 422 and "Only English" in missing.get_data(as_text=True)


def test_the_family_language_is_beside_every_box_the_family_reads(app, db, staff, household, blurry):
    page = text_of(staff.get(f"/licensing/staff/applications/{household.application_id}"))
    assert page.count(SPANISH_HINT) == 2  # the returned document's reason and the reopened section's note
    assert "Use a saved reason" in page and "The photo is blurry. (La foto está borrosa.)" in page
    assert "Old reason" not in page  # taken out of use
    checklist = text_of(staff.get(f"/licensing/staff/applications/{household.application_id}/checklist"))
    assert SPANISH_HINT in checklist and "The photo is blurry. (La foto está borrosa.)" in checklist
    safety = text_of(staff.get(f"/licensing/staff/applications/{household.application_id}/safety"))
    assert SPANISH_HINT in safety

    owner = db.session.get(User, household.owner_id)
    owner.preferred_locale = "en"
    db.session.commit()
    page = text_of(staff.get(f"/licensing/staff/applications/{household.application_id}"))
    assert ENGLISH_HINT in page and SPANISH_HINT not in page


def test_a_saved_reason_returns_a_document_in_the_family_language(app, db, staff, household, blurry):
    url = f"/licensing/staff/documents/{household.document_id}/review"
    empty = post_form(staff, url, {"decision": "return", "reason": "", "saved_reason": ""})
    assert empty.status_code == 422
    returned = post_form(staff, url, {"decision": "return", "reason": "", "saved_reason": str(blurry.id)})
    assert returned.status_code == 303
    db.session.expire_all()
    document = db.session.get(ApplicationDocument, household.document_id)
    assert document.status is DocumentStatus.RETURNED and document.review_reason == "La foto está borrosa."
    owner = db.session.get(User, household.owner_id)
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient == owner.email, OutboxMessage.template == "document_returned"
        )
    )
    assert "La foto está borrosa." in mail.body_text and "Identificación con foto" in mail.body_text


def test_typed_words_win_over_a_saved_reason(app, db, staff, household, blurry):
    url = f"/licensing/staff/applications/{household.application_id}/reopen"
    response = post_form(
        staff, url, {"section": "residence", "note": "Añada el código postal.", "saved_reason": str(blurry.id)}
    )
    assert response.status_code == 303
    section = db.session.scalar(
        select(ApplicationSection).where(
            ApplicationSection.application_id == household.application_id, ApplicationSection.key == "residence"
        )
    )
    assert section.reopen_note == "Añada el código postal."


def test_a_saved_reason_reopens_a_section_and_waives_an_item_in_the_family_language(app, db, staff, household, blurry):
    url = f"/licensing/staff/applications/{household.application_id}/reopen"
    assert post_form(staff, url, {"section": "residence", "note": ""}).status_code == 422
    assert (
        post_form(staff, url, {"section": "residence", "note": "", "saved_reason": str(blurry.id)}).status_code == 303
    )
    section = db.session.scalar(
        select(ApplicationSection).where(
            ApplicationSection.application_id == household.application_id, ApplicationSection.key == "residence"
        )
    )
    assert section.reopen_note == "La foto está borrosa."

    item = db.session.get(ChecklistItem, household.item_id)
    response = post_form(
        staff,
        f"/licensing/staff/items/{item.id}",
        {"version": str(item.version), "status": "waived", "reason": "", "saved_reason": str(blurry.id)},
    )
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(ChecklistItem, household.item_id)
    assert item.status is ItemStatus.WAIVED and item.reason == "La foto está borrosa."


def test_a_household_reading_both_languages_gets_both(app, db, make_user, staff, household, blurry):
    second = make_user(Role.APPLICANT, locale="en")
    second.household_id = household.household_id
    db.session.commit()
    page = text_of(staff.get(f"/licensing/staff/applications/{household.application_id}"))
    assert "The family reads English and Spanish — write in both." in page
    url = f"/licensing/staff/documents/{household.document_id}/review"
    assert post_form(staff, url, {"decision": "return", "saved_reason": str(blurry.id)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ApplicationDocument, household.document_id).review_reason == (
        "La foto está borrosa. / The photo is blurry."
    )


def test_an_unused_saved_reason_is_not_sent(app, db, staff, household, blurry):
    old = db.session.scalar(select(ReturnReason).where(ReturnReason.active.is_(False)))
    url = f"/licensing/staff/documents/{household.document_id}/review"
    assert post_form(staff, url, {"decision": "return", "saved_reason": str(old.id)}).status_code == 422
    db.session.expire_all()
    assert db.session.get(ApplicationDocument, household.document_id).status is DocumentStatus.PENDING


def test_the_demo_seeds_a_few_saved_reasons_once(app, db, make_user):
    make_user(Role.ADMIN, email="admin@demo.test")
    for _ in range(2):
        with app.app_context():
            seed_return_reasons(app)
            from portal.extensions import db as portal_db

            portal_db.commit()
    reasons = db.session.scalars(select(ReturnReason)).all()
    assert 2 <= len(reasons) == db.session.scalar(select(func.count()).select_from(ReturnReason))
    assert any(r.text_es.startswith("La foto está borrosa") for r in reasons)


def test_a_saved_reason_taken_out_of_use_meanwhile_is_said_next_to_the_items_reason_box(
    app, db, staff, household, blurry
):
    item = db.session.get(ChecklistItem, household.item_id)
    version = item.version
    blurry.active = False  # an admin takes it out of use while the homefinder's page is open
    db.session.commit()
    response = post_form(
        staff,
        f"/licensing/staff/items/{item.id}",
        {"version": str(version), "status": "waived", "reason": "", "saved_reason": str(blurry.id)},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = (
        "The saved reason you chose is no longer offered: write the reason the family will see, or choose another one."
    )
    assert f'<div id="reason-{item.id}-error" class="invalid-feedback d-block mt-0 mb-1">{message}</div>' in page
    assert f'aria-describedby="reason-{item.id}-language reason-{item.id}-error" aria-invalid="true"' in page
    db.session.expire_all()
    assert db.session.get(ChecklistItem, household.item_id).status is not ItemStatus.WAIVED


def test_the_saved_reasons_table_scrolls_as_a_labelled_focusable_region(app, make_user):
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN, locale="es"))
    page = admin.get("/licensing/admin/return-reasons").get_data(as_text=True)
    assert (
        '<div class="table-responsive" role="region" tabindex="0" aria-label="Motivos de devolución guardados">' in page
    )


def test_the_home_study_recommendation_says_the_familys_language(household, staff):
    """Found in Chromium: a Spanish family's checklist read 'Recommended for licensing.', written in English by a
    homefinder who didn't know; the family reads the recommendation once the write-up is approved."""
    page = staff.get(f"/licensing/staff/applications/{household.application_id}/home-study").get_data(as_text=True)
    recommendation = page[page.index('for="recommendation"'):]
    assert SPANISH_HINT in recommendation[:2000]


def test_returning_a_document_without_a_reason_says_so_beside_its_own_reason_box(app, db, staff, household):
    """The 422 page keeps the typed words and says what is missing in that document's row, its reason box focused
    and described by the message (not after the last row, with the focus nowhere)."""
    import re

    url = f"/licensing/staff/documents/{household.document_id}/review"
    page = post_form(staff, url, {"decision": "return", "reason": "   ", "saved_reason": ""})
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    message = "To return a document, write the reason the family will see, or choose a saved one."
    assert body.count(message) == 1
    box = re.search(rf'<textarea[^>]*id="reason-{household.document_id}"[^>]*>', body).group(0)
    assert " autofocus" in box and 'aria-invalid="true"' in box
    assert f"reason-{household.document_id}-error" in re.search(r'aria-describedby="([^"]*)"', box).group(1).split()
    error = re.search(rf'<div id="reason-{household.document_id}-error"[^>]*role="alert"[^>]*>([^<]*)</div>', body)
    assert error and error.group(1) == message
    # The message sits inside the document's own form, just before its box.
    form = re.search(
        rf'<form[^>]*/staff/documents/{household.document_id}/review"[^>]*class="flex-grow-1">.*?</form>', body, re.S
    ).group(0)
    assert f'id="reason-{household.document_id}-error"' in form
