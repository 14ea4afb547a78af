"""A household fills every section, uploads, signs and submits; staff review and return a document."""

from __future__ import annotations

from sqlalchemy import select

from licensing.application.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    DocumentStatus,
    HouseholdMember,
    MemberRole,
    Reference,
)
from portal.models import AuditEvent, OutboxMessage, Role
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import application_row, fill_all_sections, sign_through_emailed_link, upload


def test_full_application_from_sections_to_review(app, client, db, make_user, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    page = client.get("/licensing/application")
    assert page.status_code == 200
    assert "0 of 9 sections complete" in text_of(page)

    fill_all_sections(client)
    page = client.get("/licensing/application")
    assert "9 of 9 sections complete" in text_of(page)
    members = db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application_id)
                                 .order_by(HouseholdMember.position)).all()
    assert [m.role for m in members] == [MemberRole.PRIMARY, MemberRole.CO_APPLICANT, MemberRole.OTHER,
                                         MemberRole.OTHER]
    assert db.session.scalar(select(Reference).where(Reference.email == "pat@example.com")).requested_at
    # References and the other adult (Rosa) got their links; the child (Mateo) did not.
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert {"pat@example.com", "sam@example.com", "carmen@example.com", "rosa@example.com"} <= recipients

    blocked = post_form(client, "/licensing/application/submit")
    assert blocked.status_code == 303
    page = text_of(client.get("/licensing/application"))
    assert "Document missing: Photo ID (Ana Torres)" in page
    assert "Signature missing: Luis Torres" in page

    primary, co, rosa = members[0], members[1], members[2]
    slots = [f"photo_id:{primary.id}", f"photo_id:{co.id}", f"photo_id:{rosa.id}", f"medical_statement:{primary.id}",
             f"medical_statement:{co.id}", "proof_of_income:0", "proof_of_residence:0", "pet_vaccination:0"]
    for slot in slots:
        assert upload(client, slot).status_code == 303
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id),
                                                      "typed_name": f"  {primary.full_name.upper()} "})
    sign_through_emailed_link(client, db, co)
    response = post_form(client, "/licensing/application/submit")
    assert response.status_code == 303
    application = application_row(db, application_id)
    assert application.status is ApplicationStatus.SUBMITTED
    assert "This section was sent and can only be read now." in text_of(
        client.get("/licensing/application/section/residence"))
    assert post_form(client, "/licensing/application/section/residence", {"bedrooms": "9"}).status_code == 409

    # A homefinder reviews: returns a document with a reason the family sees.
    homefinder = make_user(Role.HOMEFINDER)
    staff = app.test_client()
    sign_in(staff, homefinder)
    page = staff.get(f"/licensing/staff/applications/{application_id}")
    assert page.status_code == 200
    assert "Pat Lee" in text_of(page) and "Number of bedrooms" in text_of(page)
    document = db.session.scalars(select(ApplicationDocument)
                                  .where(ApplicationDocument.application_id == application_id)
                                  .order_by(ApplicationDocument.id)).first()
    bad = post_form(staff, f"/licensing/staff/documents/{document.id}/review", {"decision": "return", "reason": ""})
    assert bad.status_code == 422
    post_form(staff, f"/licensing/staff/documents/{document.id}/review",
              {"decision": "return", "reason": "The photo is blurry."})
    db.session.expire_all()
    assert db.session.get(ApplicationDocument, document.id).status is DocumentStatus.RETURNED
    assert "The photo is blurry." in text_of(client.get("/licensing/application"))
    household_id = db.session.get(Application, application_id).household_id
    events = db.session.execute(select(AuditEvent.target_type, AuditEvent.action, AuditEvent.to_status).where(
        AuditEvent.household_id == household_id)).all()
    assert ("Application", "status_changed", "submitted") in events
    assert ("ApplicationDocument", "document_returned", "returned") in events
