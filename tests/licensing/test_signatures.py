"""Every adult applicant signs for themselves: the account holder signed in, the co-applicant through their own
emailed, single-use link; the household's account can't sign for anyone else."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from licensing.application import services as applications
from licensing.application.models import HouseholdMember, MemberRole, Signature
from licensing.application.others import MEMBER_PURPOSE
from licensing.application.submission import signed_content_hash
from portal.database import now_utc
from portal.models import AuditEvent, OutboxMessage
from portal.tokens import make_token
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import (
    confirm_birth_date,
    fill_all_sections,
    fill_section,
    shown_content_hash,
    sign_through_link,
    signing_link,
)

CO_ADDRESS = "203.0.113.7"


def _applicants(db, application_id: int) -> tuple[HouseholdMember, HouseholdMember]:
    db.session.expire_all()
    members = {
        m.role: m
        for m in db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application_id))
    }
    return members[MemberRole.PRIMARY], members[MemberRole.CO_APPLICANT]


def _signatures(db, application_id: int) -> dict[int, Signature]:
    db.session.expire_all()
    return {
        s.member_id: s for s in db.session.scalars(select(Signature).where(Signature.application_id == application_id))
    }


def _a_minute_passes(db, member_id: int) -> None:
    """The last link to sign was sent over a minute ago (a resend within the minute is refused)."""
    member = db.session.get(HouseholdMember, member_id)
    member.signature_link_sent_at = now_utc() - timedelta(seconds=61)
    db.session.commit()


def _ready(app, client, db, applicant_with_application, **user_options):
    """A household with every section filled in, its co-applicant (Luis) emailed a link to sign."""
    user, application_id = applicant_with_application(**user_options)
    sign_in(client, user)
    fill_all_sections(client)
    primary, co = _applicants(db, application_id)
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    return user, application_id, primary, co


def test_the_link_signs_only_its_own_member_once_and_records_what_was_signed(
    app, client, db, applicant_with_application
):
    user, application_id, _primary, co = _ready(app, client, db, applicant_with_application)
    link = signing_link(db, "luis@example.com")
    device = app.test_client()
    # The link asks the co-applicant's date of birth before it shows any answer.
    asked = device.get(link)
    assert asked.status_code == 200 and 'name="birth_date"' in asked.get_data(as_text=True)
    assert "12 Oak St" not in text_of(asked)
    assert confirm_birth_date(device, link).status_code == 303
    page = device.get(link)
    assert page.status_code == 200
    text = text_of(page)
    # What is signed is readable: the agreements and the answers.
    assert "I agree to home visits and interviews for the home study." in text
    assert "12 Oak St" in text and "Pat Lee" in text and "Rosa Torres" in text

    # The link names Luis: typing someone else's name (the account holder's) does not sign for them.
    assert (
        post_form(device, link, {"typed_name": "Ana Torres", "content_sha256": shown_content_hash(page)}).status_code
        == 422
    )
    assert _signatures(db, application_id) == {}

    with app.app_context():
        expected_hash = signed_content_hash(applications.load_application(application_id))
    before = now_utc()
    done = post_form(
        device,
        link,
        {"typed_name": " luis  TORRES ", "content_sha256": shown_content_hash(page)},
        environ_base={"REMOTE_ADDR": CO_ADDRESS},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/licensing/signed")
    assert "your signature is recorded" in text_of(device.get("/licensing/signed"))
    signatures = _signatures(db, application_id)
    assert set(signatures) == {co.id}
    signature = signatures[co.id]
    token = link.rsplit("/", 1)[1]
    assert signature.link_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(signature, c.key) for c in Signature.__table__.columns])
    assert signature.signed_by_id is None  # no account signed: the link did
    assert signature.ip_address == CO_ADDRESS
    assert before - timedelta(seconds=1) <= signature.signed_at <= now_utc()
    assert signature.document_sha256 == expected_hash
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "signed")).one()
    assert event.household_id == user.household_id and event.actor_id is None
    assert event.details["member_id"] == co.id and event.details["through"] == "link"
    assert event.details["document_sha256"] == expected_hash

    # Used once: the link now shows the friendly invalid-link page, and can't sign again.
    again = device.get(link)
    assert again.status_code == 400 and "This link no longer works" in text_of(again)
    assert sign_through_link(device, link, "Luis Torres").status_code == 400
    assert len(_signatures(db, application_id)) == 1

    # The primary sees who signed and who hasn't.
    overview = text_of(client.get("/licensing/application"))
    assert "Signed Luis Torres · " in overview
    assert "Signature missing: Ana Torres" in overview and "Signature missing: Luis Torres" not in overview


def test_a_resend_retires_the_earlier_link(app, client, db, applicant_with_application):
    _user, application_id, _primary, co = _ready(app, client, db, applicant_with_application)
    first = signing_link(db, "luis@example.com")
    _a_minute_passes(db, co.id)
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    second = signing_link(db, "luis@example.com")
    assert first != second
    device = app.test_client()
    assert device.get(first).status_code == 400
    assert post_form(device, first, {"typed_name": "Luis Torres"}).status_code == 400
    assert sign_through_link(device, first, "Luis Torres").status_code == 400
    assert _signatures(db, application_id) == {}
    assert sign_through_link(device, second, "Luis Torres").status_code == 303
    assert set(_signatures(db, application_id)) == {co.id}
    # Signed: no link is sent any more.
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    assert signing_link(db, "luis@example.com") == second


def test_the_household_account_cannot_sign_for_the_co_applicant(app, client, db, applicant_with_application):
    user, application_id, primary, co = _ready(app, client, db, applicant_with_application)
    refused = post_form(client, "/licensing/application/sign", {"member_id": str(co.id), "typed_name": "Luis Torres"})
    assert refused.status_code == 404
    assert _signatures(db, application_id) == {}
    overview = client.get("/licensing/application").get_data(as_text=True)
    assert f'id="typed_name-{co.id}"' not in overview  # no box to sign for him
    # The account holder signs for themselves, as their account.
    assert (
        post_form(
            client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"}
        ).status_code
        == 303
    )
    signature = _signatures(db, application_id)[primary.id]
    assert signature.signed_by_id == user.id and signature.link_sha256 is None
    # Another purpose's token (the adult's own part) opens nothing here.
    with app.app_context():
        wrong = make_token(MEMBER_PURPOSE, co.id, co.signature_nonce)
    assert app.test_client().get(f"/licensing/sign/{wrong}").status_code == 400


def test_the_link_is_emailed_in_the_co_applicants_language(app, client, db, applicant_with_application):
    # The co-applicant added by a Spanish-speaking household gets the account's language.
    _user, _application_id, _primary, _co = _ready(app, client, db, applicant_with_application, locale="es")
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "signature_request")).one()
    assert (
        mail.locale == "es"
        and mail.subject == "Por favor lea y firme su solicitud para ser familia de crianza temporal"
    )
    assert "Leer y firmar la solicitud" in mail.body_html
    device, link = app.test_client(), signing_link(db, "luis@example.com")
    asked = device.get(link)
    assert '<html lang="es">' in asked.get_data(as_text=True) and "Su fecha de nacimiento" in text_of(asked)
    confirm_birth_date(device, link)
    page = device.get(link)
    assert '<html lang="es">' in page.get_data(as_text=True) and "Lo que usted firma" in text_of(page)


def test_the_members_own_language_wins_over_the_accounts(app, client, db, applicant_with_application):
    user, application_id = applicant_with_application()  # an English account
    sign_in(client, user)
    fill_all_sections(client)
    _primary, co = _applicants(db, application_id)
    co.preferred_locale = "es"
    db.session.commit()
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "signature_request")).one()
    assert mail.locale == "es" and mail.recipient == "luis@example.com"


def test_a_change_after_signing_emails_the_co_applicant_a_new_link(app, client, db, applicant_with_application):
    _user, application_id, primary, co = _ready(app, client, db, applicant_with_application)
    used = signing_link(db, "luis@example.com")
    device = app.test_client()
    assert sign_through_link(device, used, "Luis Torres").status_code == 303
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"})
    assert set(_signatures(db, application_id)) == {primary.id, co.id}

    changed = fill_section(client, "employment", income_range="75k_100k")
    assert changed.status_code == 303
    assert _signatures(db, application_id) == {}
    fresh = signing_link(db, "luis@example.com")
    assert fresh != used and device.get(used).status_code == 400
    overview = text_of(client.get("/licensing/application", follow_redirects=True))
    assert "Signature missing: Luis Torres" in overview and "Not signed yet" in overview
    assert "We emailed a link to sign to luis@example.com" in overview
    assert sign_through_link(device, fresh, "Luis Torres").status_code == 303
    assert set(_signatures(db, application_id)) == {co.id}


def test_submission_needs_the_co_applicants_own_signature(app, client, db, applicant_with_application):
    from licensing.application.models import ApplicationStatus
    from tests.licensing.conftest import application_row, upload

    _user, application_id, primary, co = _ready(app, client, db, applicant_with_application)
    rosa = db.session.scalar(select(HouseholdMember).where(HouseholdMember.first_name == "Rosa"))
    for slot in [
        f"photo_id:{primary.id}",
        f"photo_id:{co.id}",
        f"photo_id:{rosa.id}",
        f"medical_statement:{primary.id}",
        f"medical_statement:{co.id}",
        "proof_of_income:0",
        "proof_of_residence:0",
        "pet_vaccination:0",
    ]:
        assert upload(client, slot).status_code == 303
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"})
    post_form(client, "/licensing/application/submit")
    assert application_row(db, application_id).status is ApplicationStatus.IN_PROGRESS
    assert sign_through_link(app.test_client(), signing_link(db, "luis@example.com"), "Luis Torres").status_code == 303
    post_form(client, "/licensing/application/submit")
    assert application_row(db, application_id).status is ApplicationStatus.SUBMITTED
    # Sent: the link to sign is refused now (nothing can be signed after submission).
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    assert (
        len(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.template == "signature_request")).all())
        == 1
    )


def test_each_account_signs_only_as_the_applicant_it_is(app, client, db, make_user, applicant_with_application):
    """The account holder is the applicant whose email is the account's (the Applicants section copies it onto the
    primary applicant); another account of the same household signs for neither applicant."""
    from portal.models import Role
    from tests.portal.access_records import household_user

    user, application_id, primary, co = _ready(app, client, db, applicant_with_application)
    assert primary.email == user.email
    other = household_user(make_user, db, Role.FAMILY, user.household_id)
    other_client = app.test_client()
    sign_in(other_client, other)
    for member, name in ((primary, "Ana Torres"), (co, "Luis Torres")):
        response = post_form(
            other_client, "/licensing/application/sign", {"member_id": str(member.id), "typed_name": name}
        )
        assert response.status_code == 404
    assert _signatures(db, application_id) == {}


def test_a_co_applicant_sharing_the_accounts_email_is_not_sent_a_link(app, client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    fill_section(client, "applicants", co_email=user.email)
    _primary, co = _applicants(db, application_id)
    response = post_form(client, f"/licensing/application/members/{co.id}/signature-link", follow_redirects=True)
    assert "needs an email address of their own to sign" in text_of(response)
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.template == "signature_request")) is None


def test_the_overview_says_each_thing_once_and_a_refused_signature_beside_its_box(
    app, client, db, applicant_with_application
):
    """Found in Chromium on a phone: the first link's message spoke of an 'earlier link'; a refused signature was
    said at the top of a long page while the box was far below; "Signed" and "signed on" said it twice."""
    user, application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    fill_all_sections(client)
    primary, co = _applicants(db, application_id)
    post_form(client, f"/licensing/application/members/{co.id}/signature-link")
    first_send = client.get("/licensing/application").get_data(as_text=True)
    assert "Enviamos a Luis" in first_send and "Un enlace anterior" not in first_send

    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Somebody Else"})
    page = client.get("/licensing/application").get_data(as_text=True)
    box = re.search(rf'<input[^>]*id="typed_name-{primary.id}"[^>]*>', page).group(0)
    assert "autofocus" in box and f'aria-describedby="typed_name-{primary.id}-error"' in box
    error = re.search(rf'<div[^>]*id="typed_name-{primary.id}-error"[^>]*>([^<]+)</div>', page)
    assert error and 'role="alert"' in error.group(0)
    assert "autofocus" not in client.get("/licensing/application").get_data(as_text=True)  # said once

    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": primary.full_name})
    signed = text_of(client.get("/licensing/application"))
    assert f"{primary.full_name} · " in signed and f"{primary.full_name} firmó el" not in signed
