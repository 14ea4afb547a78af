"""Licensing fixtures: a household with an open application, and answers that complete every section."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest

from licensing.application import services as applications
from licensing.application.models import Application
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household, Role
from tests.conftest import post_form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SECTION_ANSWERS = {
    "applicants": {"primary_first_name": "Ana", "primary_last_name": "Torres", "primary_birth_date": "1985-04-02",
                   "primary_phone": "555-123-4567", "has_co_applicant": "y", "co_first_name": "Luis",
                   "co_last_name": "Torres", "co_birth_date": "1983-09-20", "co_email": "luis@example.com",
                   "co_phone": "555-765-4321"},
    "household": {"members-0-first_name": "Rosa", "members-0-last_name": "Torres",
                  "members-0-birth_date": "1950-01-15", "members-0-relationship": "Mother",
                  "members-0-email": "rosa@example.com",
                  "members-1-first_name": "Mateo", "members-1-last_name": "Torres",
                  "members-1-birth_date": "2015-06-01", "members-1-relationship": "Son"},
    "residence": {"street": "12 Oak St", "city": "Fresno", "state": "CA", "zip_code": "93701", "ownership": "rent",
                  "bedrooms": "3", "has_pets": "yes", "pets_description": "One dog", "has_firearms": "no",
                  "has_pool": "no", "other_states": "TX"},
    "employment": {"primary_employment": "full_time", "primary_employer": "City of Fresno",
                   "co_employment": "part_time", "income_range": "50k_75k"},
    "health": {"has_condition": "no", "medical_statement_ack": "y"},
    "references": {
        "references-0-name": "Pat Lee", "references-0-relationship": "Friend",
        "references-0-email": "pat@example.com", "references-0-preferred_locale": "en",
        "references-1-name": "Sam Ortiz", "references-1-relationship": "Pastor",
        "references-1-email": "sam@example.com", "references-1-preferred_locale": "es",
        "references-2-name": "Carmen Torres", "references-2-relationship": "Sister",
        "references-2-email": "carmen@example.com", "references-2-is_relative": "y",
        "references-2-preferred_locale": "es"},
    "preferences": {"number_of_children": "2", "age_min": "0", "age_max": "10", "sibling_groups": "y",
                    "needs": ["medical", "emotional"], "languages": "Spanish, English", "will_transport": "no"},
    "disclosures": {"arrests": "no", "cps": "no", "prior_license": "no"},
    "attestations": {"truthful": "y", "background_checks": "y", "home_study": "y", "report_changes": "y"},
}


@pytest.fixture
def applicant_with_application(app, db, make_user):
    """An applicant whose household has an open application (as after an invitation)."""

    def factory(**kwargs):
        user = make_user(Role.APPLICANT, **kwargs)
        with app.app_context():
            household = portal_db.session.get(Household, user.household_id)
            application = applications.open_application(household, None, opened_by=None)
            portal_db.commit()
            application_id = application.id
        return user, application_id

    return factory


def fill_section(client, key: str, **overrides):
    data = dict(SECTION_ANSWERS[key])
    data.update(overrides)
    return post_form(client, f"/licensing/application/section/{key}", data)


def fill_all_sections(client):
    for key in SECTION_ANSWERS:
        response = fill_section(client, key)
        assert response.status_code in (302, 303), (key, response.get_data(as_text=True)[-3000:])


def upload(client, slot: str, content: bytes = PDF, filename: str = "scan.pdf"):
    from tests.conftest import csrf_token

    return client.post("/licensing/application/documents", data={
        "csrf_token": csrf_token(client), "slot": slot, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


def submit_complete_application(client, db, application_id: int) -> None:
    """Fill every section, upload every required document, sign and submit (as the signed-in family)."""
    from sqlalchemy import select

    from licensing.application.models import ApplicationStatus, HouseholdMember, MemberRole

    fill_all_sections(client)
    members = db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application_id)
                                 .order_by(HouseholdMember.position)).all()
    adults = [m for m in members if m.first_name != "Mateo"]
    applicants = [m for m in members if m.role is not MemberRole.OTHER]
    slots = [f"photo_id:{m.id}" for m in adults] + [f"medical_statement:{m.id}" for m in applicants]
    for slot in [*slots, "proof_of_income:0", "proof_of_residence:0", "pet_vaccination:0"]:
        upload(client, slot)
    for member in applicants:
        if member.role is MemberRole.PRIMARY:
            post_form(client, "/licensing/application/sign", {"member_id": str(member.id),
                                                              "typed_name": member.full_name})
        else:
            sign_through_emailed_link(client, db, member)
    post_form(client, "/licensing/application/submit")
    assert application_row(db, application_id).status is ApplicationStatus.SUBMITTED


def signing_link(db, email: str) -> str:
    """The path of the newest link to sign emailed to `email`, read from the outbox."""
    from sqlalchemy import select

    from portal.models import OutboxMessage

    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email,
                                                             OutboxMessage.template == "signature_request")
                                 .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, f"no link to sign was emailed to {email}"
    return urlsplit(re.search(r"https?://\S+", message.body_text).group(0)).path


def sign_through_emailed_link(client, db, member, send: bool = True):
    """The signed-in family emails the co-applicant their link (unless it was sent already, as after a change that
    cleared the signatures); the co-applicant signs on their own device."""
    if send:
        assert post_form(client, f"/licensing/application/members/{member.id}/signature-link").status_code == 303
    own_device = client.application.test_client()
    response = sign_through_link(own_device, signing_link(db, member.email), member.full_name,
                                 birth_date=member.birth_date.isoformat())
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    return own_device.get(response.headers["Location"])


def application_row(db, application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


__all__ = ["PDF", "PNG", "SECTION_ANSWERS", "application_row", "fill_all_sections", "fill_section", "now_utc",
           "sign_through_emailed_link", "signing_link", "submit_complete_application", "upload"]


LUIS_BIRTH_DATE = "1983-09-20"  # the co-applicant's, as the Applicants section above has it


def confirm_birth_date(device, link: str, birth_date: str = LUIS_BIRTH_DATE):
    """On the co-applicant's own device: confirm the date of birth the link asks before it shows the application."""
    from tests.conftest import post_form

    return post_form(device, link, {"birth_date": birth_date})


def shown_content_hash(page) -> str:
    """The hash of what the signing page showed (its hidden field)."""
    found = re.search(r'name="content_sha256" type="hidden" value="([0-9a-f]*)"', page.get_data(as_text=True))
    assert found is not None, "the signing page carries no hash of what it shows"
    return found.group(1)


def sign_through_link(device, link: str, typed_name: str, birth_date: str = LUIS_BIRTH_DATE, **kwargs):
    """Read and sign through the link as a person does: confirm the date of birth (once), open the page, sign what
    it showed."""
    from tests.conftest import post_form

    page = device.get(link)
    if 'name="birth_date"' in page.get_data(as_text=True):
        assert confirm_birth_date(device, link, birth_date).status_code == 303
        page = device.get(link)
    if page.status_code != 200:
        return page
    return post_form(device, link, {"typed_name": typed_name, "content_sha256": shown_content_hash(page)}, **kwargs)
