"""A household sees only its own application, sections and documents; guessed ids answer 404."""

from __future__ import annotations

from sqlalchemy import select

from licensing.application.models import ApplicationDocument, HouseholdMember, MemberRole, Reference
from licensing.application.sections import SECTION_KEYS
from portal.database import now_utc
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import fill_all_sections, fill_section, upload


def test_family_b_cannot_reach_family_a(app, client, db, make_user, applicant_with_application):
    family_a, application_a = applicant_with_application()
    sign_in(client, family_a)
    fill_all_sections(client)
    primary = db.session.scalar(select(HouseholdMember).where(HouseholdMember.application_id == application_a,
                                                              HouseholdMember.role == MemberRole.PRIMARY))
    assert upload(client, f"photo_id:{primary.id}").status_code == 303
    document = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.application_id
                                                                   == application_a))
    reference = db.session.scalars(select(Reference).where(Reference.application_id == application_a)).first()
    adult = db.session.scalar(select(HouseholdMember).where(HouseholdMember.application_id == application_a,
                                                            HouseholdMember.first_name == "Rosa"))

    family_b, _application_b = applicant_with_application()
    other = app.test_client()
    sign_in(other, family_b)
    # B's own pages show B's (empty) application, never A's answers.
    overview = text_of(other.get("/licensing/application"))
    assert "0 of 9 sections complete" in overview and "Torres" not in overview
    for key in SECTION_KEYS:
        page = other.get(f"/licensing/application/section/{key}")
        assert page.status_code == 200 and "Torres" not in page.get_data(as_text=True), key
    # Every id of A's, guessed or enumerated, is 404 for B.
    assert other.get(f"/licensing/documents/{document.id}").status_code == 404
    for guess in range(1, document.id + 5):
        if guess != document.id:
            assert other.get(f"/licensing/documents/{guess}").status_code == 404
    assert post_form(other, f"/licensing/application/references/{reference.id}/resend").status_code == 404
    assert post_form(other, f"/licensing/application/members/{adult.id}/resend").status_code == 404
    assert other.get(f"/licensing/staff/applications/{application_a}").status_code == 404
    assert post_form(other, "/licensing/application/sign", {"member_id": str(primary.id),
                                                            "typed_name": "Ana Torres"}).status_code == 404
    # A still downloads their own document, and the download is audited, in words an administrator reads.
    assert client.get(f"/licensing/documents/{document.id}").status_code == 200
    supervisor = app.test_client()
    sign_in(supervisor, make_user("admin", locale="es"))
    assert "Documento descargado" in text_of(supervisor.get("/admin/audit"))


def test_an_applicant_without_an_application_sees_how_to_get_one(client, make_user):
    sign_in(client, make_user("applicant"))
    page = client.get("/licensing/application")
    assert page.status_code == 200
    assert "information session" in text_of(page)
    assert client.get("/licensing/application/section/residence").status_code == 404


def test_staff_see_reference_answers_families_do_not(app, client, db, make_user, applicant_with_application):
    family, application_id = applicant_with_application()
    sign_in(client, family)
    fill_section(client, "applicants")
    fill_section(client, "references")
    reference = db.session.scalars(select(Reference).where(Reference.application_id == application_id)).first()
    reference.response = {"known_for": "ten years", "relationship": "neighbor", "recommend": "yes",
                          "with_children": "Very patient with kids", "concerns": ""}
    reference.responded_at = now_utc()
    db.session.commit()
    assert "Very patient" not in client.get("/licensing/application").get_data(as_text=True)
    homefinder = make_user("homefinder")
    staff = app.test_client()
    sign_in(staff, homefinder)
    assert "Very patient with kids" in staff.get(f"/licensing/staff/applications/{application_id}").get_data(
        as_text=True)
