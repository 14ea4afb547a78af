"""Bad input on the application: clear messages, what was typed kept, nothing stored half-way."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from licensing.application.models import (
    ApplicationDocument,
    ApplicationSection,
    HouseholdMember,
    MemberRole,
    Reference,
    SectionStatus,
)
from portal.models import OutboxMessage
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import PDF, PNG, fill_all_sections, fill_section, upload
from tests.support import agency_today


def section(db, application_id: int, key: str) -> ApplicationSection:
    db.session.expire_all()
    return db.session.scalar(select(ApplicationSection).where(ApplicationSection.application_id == application_id,
                                                               ApplicationSection.key == key))


def test_invalid_section_keeps_the_draft_and_explains(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    future = (agency_today() + timedelta(days=30)).isoformat()
    response = fill_section(client, "applicants", primary_birth_date=future, co_first_name="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "A birth date can't be in the future." in text_of(response)
    assert 'value="Ana"' in body and 'value="555-123-4567"' in body
    stored = section(db, application_id, "applicants")
    assert stored.status is SectionStatus.IN_PROGRESS and stored.data == {}
    assert stored.draft["primary_first_name"] == ["Ana"]
    assert db.session.scalar(select(func.count()).select_from(HouseholdMember)) == 0  # nothing half-stored
    # On another device (a new session), the draft is still there.
    again = client.get("/licensing/application/section/applicants")
    assert 'value="Ana"' in again.get_data(as_text=True)
    assert "A birth date can't be in the future." in text_of(again)  # still marked
    assert "This form was open too long" not in text_of(again)


@pytest.mark.parametrize("changes,message", [
    ({"bedrooms": "0"}, "Enter a number of bedrooms between 1 and 30."),
    ({"bedrooms": "three"}, "Not a valid integer value."),
    ({"has_pets": "yes", "pets_description": ""}, "Tell us which pets you have."),
    ({"has_firearms": "yes"}, "Tell us how firearms and ammunition are stored."),
    ({"state": "California"}, "Use at most 2 characters."),
    ({"zip_code": "9"}, "Enter a 5-digit ZIP code, like 90210."),
    ({"street": "x" * 5000}, "Use at most 200 characters."),
])
def test_residence_answers_are_checked(client, db, applicant_with_application, changes, message):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    response = fill_section(client, "residence", **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert section(db, application_id, "residence").data == {}


def test_references_need_three_and_two_non_relatives(client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    response = fill_section(client, "references", **{"references-1-is_relative": "y"})
    assert response.status_code == 422
    assert "At least two references must not be relatives." in response.get_data(as_text=True)
    response = fill_section(client, "references", **{"references-2-name": "", "references-2-relationship": "",
                                                     "references-2-email": ""})
    assert "Give at least three references." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Reference)) == 0


def test_an_adult_in_the_home_needs_an_email_a_child_does_not(client, applicant_with_application):
    user, _ = applicant_with_application()
    sign_in(client, user)
    response = fill_section(client, "household", **{"members-0-email": ""})
    assert response.status_code == 422
    assert "Adults need an email address: they complete their own part." in response.get_data(as_text=True)


@pytest.mark.parametrize("content,filename,message", [
    (b"MZ\x90\x00 not a document", "scan.pdf", "This file is not a PDF, JPEG, PNG or HEIC."),
    (PNG, "scan.pdf", "The file's name does not match what it contains."),
    (b"", "empty.pdf", "The file is empty."),
    (PDF + b"0" * (10 * 1024 * 1024), "big.pdf", "The file is larger than 10 MB."),
])
def test_bad_files_are_refused_and_nothing_is_stored(app, client, db, applicant_with_application, content,
                                                     filename, message):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    before = set(Path(app.config["UPLOAD_FOLDER"]).glob("*")) if Path(app.config["UPLOAD_FOLDER"]).exists() else set()
    response = upload(client, "proof_of_income:0", content, filename)
    assert response.status_code == 303
    assert message in text_of(client.get("/licensing/application"))
    assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
    after = set(Path(app.config["UPLOAD_FOLDER"]).glob("*")) if Path(app.config["UPLOAD_FOLDER"]).exists() else set()
    assert after == before


def test_path_like_names_are_cleaned_and_files_stored_under_random_names(app, client, db,
                                                                        applicant_with_application):
    user, _ = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    assert upload(client, "proof_of_income:0", PDF, "../../etc/passwd.pdf").status_code == 303
    document = db.session.scalar(select(ApplicationDocument))
    assert document.original_name == "passwd.pdf"
    assert re.fullmatch(r"[0-9a-f]{48}", document.stored_name)
    assert (Path(app.config["UPLOAD_FOLDER"]) / document.stored_name).read_bytes() == PDF
    assert not str(Path(app.config["UPLOAD_FOLDER"])).startswith(str(Path(app.static_folder)))
    download = client.get(f"/licensing/documents/{document.id}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]


def test_an_unknown_slot_is_refused(client, db, applicant_with_application):
    user, _ = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    upload(client, "photo_id:999999")
    assert "Choose which document this is" in client.get("/licensing/application").get_data(as_text=True)


def test_session_ended_while_typing_keeps_the_section(app, client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    token_page = client.get("/licensing/application/section/residence")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page.get_data(as_text=True)).group(1)
    client.delete_cookie("session")  # the session ended (timeout, another tab signed out...)
    response = client.post("/licensing/application/section/residence",
                           data={"csrf_token": token, "street": "12 Oak St", "city": "Fresno", "bedrooms": "3"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert post_form(client, "/login", {"email": user.email, "password": "correct horse battery",
                                        "next": "/licensing/application/section/residence"}).status_code == 302
    page = client.get("/licensing/application/section/residence")
    body = page.get_data(as_text=True)
    assert 'value="12 Oak St"' in body and 'value="Fresno"' in body
    assert "We kept what you typed" in body


def test_reference_and_other_adult_answer_through_their_links(app, client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    reference_mail = mails["sam@example.com"]
    assert reference_mail.locale == "es"
    link = urlsplit(re.search(r"https?://\S+", reference_mail.body_text).group(0)).path
    outsider = app.test_client()
    page = outsider.get(link)
    assert page.status_code == 200 and '<html lang="es">' in page.get_data(as_text=True)
    bad = post_form(outsider, link, {"known_for": "", "recommend": ""})
    assert bad.status_code == 422
    ok = post_form(outsider, link, {"known_for": "10 years", "relationship": "Pastor", "recommend": "yes",
                                    "with_children": "Wonderful with children"})
    assert ok.status_code == 200
    assert outsider.get(link).status_code == 400  # single use
    assert db.session.scalar(select(Reference).where(Reference.email == "sam@example.com")).responded_at

    adult_link = urlsplit(re.search(r"https?://\S+", mails["rosa@example.com"].body_text).group(0)).path
    wrong = post_form(outsider, adult_link, {"consent": "y", "typed_name": "Somebody Else"})
    assert wrong.status_code == 422
    done = post_form(outsider, adult_link, {"consent": "y", "typed_name": "rosa torres", "other_states": "NV"})
    assert done.status_code == 200
    rosa = db.session.scalar(select(HouseholdMember).where(HouseholdMember.first_name == "Rosa"))
    assert rosa.own_part["other_states"] == "NV" and rosa.own_part_completed_at is not None
    overview = text_of(client.get("/licensing/application"))
    assert overview.count("Answered") == 2


def test_resend_retires_the_old_link(app, client, db, applicant_with_application):
    user, _ = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    reference = db.session.scalar(select(Reference).where(Reference.email == "pat@example.com"))
    first = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "pat@example.com")).one()
    old_link = urlsplit(re.search(r"https?://\S+", first.body_text).group(0)).path
    assert post_form(client, f"/licensing/application/references/{reference.id}/resend").status_code == 303
    assert app.test_client().get(old_link).status_code == 400


def test_changing_an_answer_after_signing_asks_for_new_signatures(client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    primary = db.session.scalar(select(HouseholdMember).where(HouseholdMember.role == MemberRole.PRIMARY))
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"})
    assert "Signed Ana Torres · " in text_of(client.get("/licensing/application"))
    fill_section(client, "employment", income_range="75k_100k")
    assert "Signature missing: Ana Torres" in text_of(client.get("/licensing/application"))


def test_states_lived_in_are_codes_or_names_and_never_silently_dropped(client, db, applicant_with_application):
    """Each state lived in needs its own registry check: "Texas" counts as TX, and a typo is refused, not dropped."""
    from licensing.fields import parse_states

    assert parse_states("NV, Texas; new mexico") == {"NV", "TX", "NM"}
    assert parse_states("Texass") is None and parse_states("") == set()
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    refused = fill_section(client, "residence", other_states="NV, Texass")
    assert refused.status_code == 422
    assert "Write each state as its two-letter code or its name" in text_of(refused)
    assert fill_section(client, "residence", other_states="NV, Texas").status_code == 303
