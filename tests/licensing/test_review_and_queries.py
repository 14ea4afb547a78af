"""Staff reopen a section and the family resubmits; application pages run a fixed number of queries."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from licensing.application.models import ApplicationStatus, HouseholdMember, MemberRole, Signature
from portal.i18n import datetime_filter
from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import (
    SECTION_ANSWERS,
    application_row,
    fill_all_sections,
    fill_section,
    sign_through_emailed_link,
    submit_complete_application,
    upload,
)


def test_reopened_section_is_editable_alone_and_resubmission_works(app, client, db, make_user,
                                                                   applicant_with_application):
    user, application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    response = post_form(staff, f"/licensing/staff/applications/{application_id}/reopen",
                         {"section": "residence", "note": "Please add the other bedroom."})
    assert response.status_code == 303
    assert application_row(db, application_id).status is ApplicationStatus.RETURNED
    overview = text_of(client.get("/licensing/application"))
    assert "Please add the other bedroom." in overview
    assert post_form(client, "/licensing/application/section/health",
                     SECTION_ANSWERS["health"]).status_code == 409
    assert fill_section(client, "residence", bedrooms="4").status_code == 303
    # Signatures must be given again after the change, then it can be sent again.
    for member in db.session.scalars(select(HouseholdMember).where(HouseholdMember.role != MemberRole.OTHER)):
        if member.role is MemberRole.PRIMARY:
            post_form(client, "/licensing/application/sign", {"member_id": str(member.id),
                                                              "typed_name": member.full_name})
        else:  # the co-applicant was emailed a new link when the change cleared the signatures
            sign_through_emailed_link(client, db, member, send=False)
    post_form(client, "/licensing/application/submit")
    assert application_row(db, application_id).status is ApplicationStatus.SUBMITTED


def test_application_pages_run_a_fixed_number_of_queries(app, client, db, make_user, count_queries,
                                                         applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    pages = [(client, "/licensing/application"), (client, "/licensing/application/section/household"),
             (client, "/licensing/application/section/references"),
             (staff, f"/licensing/staff/applications/{application_id}"), (staff, "/licensing/staff/applications")]

    def counts():
        result = []
        for who, url in pages:
            with count_queries() as counter:
                assert who.get(url).status_code == 200, url
            result.append(counter.count)
        return result

    fill_section(client, "applicants")
    few = counts()
    fill_all_sections(client)
    extra = {f"members-{i}-{k}": v for i in range(2, 8) for k, v in
             {"first_name": f"Kid{i}", "last_name": "Torres", "birth_date": "2016-01-01",
              "relationship": "Child"}.items()}
    assert fill_section(client, "household", **extra).status_code == 303
    more = {f"references-{i}-{k}": v for i in (3, 4) for k, v in
            {"name": f"Ref {i}", "relationship": "Friend", "email": f"ref{i}@example.com",
             "preferred_locale": "en"}.items()}
    assert fill_section(client, "references", **more).status_code == 303
    members = db.session.scalars(select(HouseholdMember)).all()
    for member in members:
        upload(client, f"photo_id:{member.id}")
    many = counts()
    assert many == few, list(zip([u for _, u in pages], few, many, strict=True))
    assert max(many) <= 16


def signature_row(body: str, member_id: int) -> str:
    match = re.search(rf'<li[^>]*id="signature-{member_id}".*?</li>', body, re.S)
    assert match, f"no signature row for member {member_id}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))).replace("\u202f", " ")


def test_staff_see_who_signed_when_how_and_from_where(app, client, db, make_user, count_queries,
                                                      applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    url = f"/licensing/staff/applications/{application_id}"
    fill_all_sections(client)
    applicants = [m for m in db.session.scalars(select(HouseholdMember).order_by(HouseholdMember.position))
                  if m.role is not MemberRole.OTHER]
    assert len(applicants) == 2
    with count_queries() as unsigned:
        body = staff.get(url).get_data(as_text=True)
    for member in applicants:
        assert f"{member.full_name} has not signed." in signature_row(body, member.id)

    primary, co_applicant = sorted(applicants, key=lambda m: m.role is not MemberRole.PRIMARY)
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": primary.full_name})
    sign_through_emailed_link(client, db, co_applicant)
    signatures = {s.member_id: s for s in db.session.scalars(select(Signature))}
    assert set(signatures) == {primary.id, co_applicant.id}

    with count_queries() as signed:
        body = staff.get(url).get_data(as_text=True)
    assert signed.count == unsigned.count  # the signatures come with the application: no query per row
    own, linked = signature_row(body, primary.id), signature_row(body, co_applicant.id)
    for member, shown in ((primary, own), (co_applicant, linked)):
        signature = signatures[member.id]
        assert "Signed" in shown and "has not signed" not in shown
        assert f"Name typed {member.full_name}" in shown
        with app.test_request_context():
            assert datetime_filter(signature.signed_at, "short").replace("\u202f", " ") in shown
        assert signature.ip_address and f"IP address {signature.ip_address}" in shown
    assert "In their own account" in own and "emailed link" not in own
    assert "Through their own emailed link" in linked and "own account" not in linked
