"""A co-applicant's signing link, hardened: signing twice at once stores one signature and no error, a signature is
of what the page showed, the primary applicant is known by their account (not an email), the answers are shown only
after the co-applicant confirms their date of birth (wrong dates throttled, five stop the link), the page after
signing survives a refresh, and a link is not sent twice within a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from licensing.application import others, submission
from licensing.application import services as applications
from licensing.application.models import HouseholdMember, MemberRole, Signature
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, OutboxMessage, Role, User
from portal.tokens import TokenInvalid
from portal.transitions import Refused
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import (
    confirm_birth_date,
    fill_all_sections,
    fill_section,
    shown_content_hash,
    sign_through_link,
    signing_link,
)
from tests.portal.access_records import household_user


def _members(db, application_id: int) -> dict[MemberRole, HouseholdMember]:
    db.session.expire_all()
    return {
        m.role: m
        for m in db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application_id))
    }


def _signatures(db, application_id: int) -> list[Signature]:
    db.session.expire_all()
    return list(db.session.scalars(select(Signature).where(Signature.application_id == application_id)))


def _ready(client, db, applicant_with_application, **user_options):
    user, application_id = applicant_with_application(**user_options)
    sign_in(client, user)
    fill_all_sections(client)
    co = _members(db, application_id)[MemberRole.CO_APPLICANT]
    assert post_form(client, f"/licensing/application/members/{co.id}/signature-link").status_code == 303
    return user, application_id, co


def _stale(application, member, nonce: str) -> None:
    """As a second request that read the link before the first one's signature committed sees them."""
    set_committed_value(member, "signature_nonce", nonce)
    set_committed_value(application, "signatures", [])


def test_signing_twice_at_once_through_the_link_stores_one_signature(app, client, db, applicant_with_application):
    _user, application_id, co = _ready(client, db, applicant_with_application)
    token = signing_link(db, "luis@example.com").rsplit("/", 1)[1]
    with app.test_request_context():
        application, member = others.signer_for_token(token)
        read_nonce = member.signature_nonce
        others.sign_through_link(application, member, "Luis Torres", token, "127.0.0.1")
        _stale(application, member, read_nonce)  # the second request passed every check with the same link
        with pytest.raises(TokenInvalid):
            others.sign_through_link(application, member, "Luis Torres", token, "127.0.0.1")
        portal_db.commit()
    assert [s.member_id for s in _signatures(db, application_id)] == [co.id]


def test_the_account_holder_signing_twice_at_once_is_told_they_signed(app, client, db, applicant_with_application):
    user, application_id, _co = _ready(client, db, applicant_with_application)
    with app.test_request_context():
        application = applications.load_application(application_id)
        account = portal_db.session.get(User, user.id)
        primary = submission.account_holder_member(application, account)
        submission.sign_as_account_holder(application, primary, "Ana Torres", account, "127.0.0.1")
        set_committed_value(application, "signatures", [])  # the second request read none yet
        with pytest.raises(Refused) as refused:
            submission.sign_as_account_holder(application, primary, "Ana Torres", account, "127.0.0.1")
        assert str(refused.value.message) == "This person has already signed."
        portal_db.commit()
    assert [s.member_id for s in _signatures(db, application_id)] == [primary.id]


def test_the_same_signature_sent_twice_answers_the_invalid_link_page(app, client, db, applicant_with_application):
    _user, application_id, co = _ready(client, db, applicant_with_application)
    link, device = signing_link(db, "luis@example.com"), app.test_client()
    assert confirm_birth_date(device, link).status_code == 303
    shown = shown_content_hash(device.get(link))
    first = post_form(device, link, {"typed_name": "Luis Torres", "content_sha256": shown})
    second = post_form(device, link, {"typed_name": "Luis Torres", "content_sha256": shown})
    assert first.status_code == 303
    assert second.status_code == 400 and "This link no longer works" in text_of(second)
    assert [s.member_id for s in _signatures(db, application_id)] == [co.id]


def test_a_signature_is_of_what_the_page_showed(app, client, db, applicant_with_application):
    _user, application_id, _co = _ready(client, db, applicant_with_application)
    link, device = signing_link(db, "luis@example.com"), app.test_client()
    confirm_birth_date(device, link)
    read = shown_content_hash(device.get(link))
    # The primary changes an answer while Luis reads.
    assert fill_section(client, "employment", income_range="75k_100k").status_code == 303
    refused = post_form(device, link, {"typed_name": "Luis Torres", "content_sha256": read})
    assert refused.status_code == 422
    assert "The application changed while you were reading it; please read it again" in text_of(refused)
    assert _signatures(db, application_id) == []
    fresh = shown_content_hash(refused)
    assert fresh != read
    with app.app_context():
        assert fresh == submission.signed_content_hash(applications.load_application(application_id))
    done = post_form(device, link, {"typed_name": "Luis Torres", "content_sha256": fresh})
    assert done.status_code == 303
    assert [s.document_sha256 for s in _signatures(db, application_id)] == [fresh]
    # Nothing sent with the page (an old form, a script) signs without the hash of what was read.
    assert post_form(app.test_client(), link, {"typed_name": "Luis Torres"}).status_code in (400, 422)


def test_a_second_account_of_the_household_cannot_sign_as_the_primary(
    app, client, db, make_user, applicant_with_application
):
    user, application_id, _co = _ready(client, db, applicant_with_application)
    primary = _members(db, application_id)[MemberRole.PRIMARY]
    assert primary.user_id == user.id
    other = household_user(make_user, db, Role.FAMILY, user.household_id)
    other_client = app.test_client()
    sign_in(other_client, other)
    # The other account saves the Applicants section: it changes answers, never who the primary applicant is.
    assert fill_section(other_client, "applicants").status_code == 303
    primary = _members(db, application_id)[MemberRole.PRIMARY]
    assert primary.user_id == user.id and primary.email == user.email
    refused = post_form(
        other_client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"}
    )
    assert refused.status_code == 404
    assert _signatures(db, application_id) == []
    assert f'id="typed_name-{primary.id}"' not in other_client.get("/licensing/application").get_data(as_text=True)
    signed = post_form(
        client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"}
    )
    assert signed.status_code == 303
    assert [s.signed_by_id for s in _signatures(db, application_id)] == [user.id]


def test_the_link_shows_the_answers_only_after_the_date_of_birth(app, client, db, applicant_with_application):
    user, _application_id, co = _ready(client, db, applicant_with_application)
    link, device = signing_link(db, "luis@example.com"), app.test_client()
    asked = device.get(link)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and '<meta name="robots" content="noindex">' in html
    assert "12 Oak St" not in text_of(asked) and "Sign the application" not in text_of(asked)
    # Signing without confirming is only the question again.
    assert post_form(device, link, {"typed_name": "Luis Torres"}).status_code == 422
    wrong = confirm_birth_date(device, link, "1983-09-21")
    assert wrong.status_code == 422 and "That date of birth doesn't match" in text_of(wrong)
    assert "12 Oak St" not in text_of(wrong)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application_read_by_link")) is None
    assert confirm_birth_date(device, link).status_code == 303
    page = device.get(link)
    assert "12 Oak St" in text_of(page) and '<meta name="robots" content="noindex">' in page.get_data(as_text=True)
    read = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application_read_by_link")).one()
    token = link.rsplit("/", 1)[1]
    assert read.household_id == user.household_id and read.details["member_id"] == co.id
    assert read.details["link_sha256"] == others.link_sha256(token) and token not in str(read.details)
    # Confirmed for that link only: another browser, or a newer link in this one, asks again.
    assert 'name="birth_date"' in app.test_client().get(link).get_data(as_text=True)
    db.session.expire_all()
    db.session.get(HouseholdMember, co.id).signature_link_sent_at = now_utc() - timedelta(minutes=2)
    db.session.commit()
    resent = post_form(client, f"/licensing/application/members/{co.id}/signature-link", follow_redirects=True)
    newer = signing_link(db, "luis@example.com")
    assert newer != link, text_of(resent)
    assert 'name="birth_date"' in device.get(newer).get_data(as_text=True)


def test_five_wrong_dates_of_birth_stop_the_link(app, client, db, applicant_with_application):
    _user, application_id, _co = _ready(client, db, applicant_with_application)
    link = signing_link(db, "luis@example.com")
    for attempt in range(4):
        assert confirm_birth_date(app.test_client(), link, f"1990-01-0{attempt + 1}").status_code == 422
    last = confirm_birth_date(app.test_client(), link, "1990-01-09")
    assert last.status_code == 400 and "This link no longer works" in text_of(last)
    device = app.test_client()
    assert confirm_birth_date(device, link).status_code == 400  # even the right date: the primary sends a new link
    assert sign_through_link(device, link, "Luis Torres").status_code == 400
    assert (
        len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "signing_link_birth_date_wrong")).all())
        == 5
    )
    assert _signatures(db, application_id) == []


def test_wrong_dates_of_birth_are_throttled_per_address(app, client, db, applicant_with_application):
    app.config["SIGN_LINK_RATE_LIMIT"] = "2 per minute"
    _user, _application_id, _co = _ready(client, db, applicant_with_application)
    link = signing_link(db, "luis@example.com")
    assert confirm_birth_date(app.test_client(), link, "1990-01-01").status_code == 422
    assert confirm_birth_date(app.test_client(), link, "1990-01-02").status_code == 422
    assert confirm_birth_date(app.test_client(), link).status_code == 429


def test_a_refresh_after_signing_says_thank_you_in_the_links_language(app, client, db, applicant_with_application):
    _ready(client, db, applicant_with_application, locale="es")
    link, device = signing_link(db, "luis@example.com"), app.test_client()
    done = sign_through_link(device, link, "Luis Torres")
    assert done.status_code == 303 and link.rsplit("/", 1)[1] not in done.headers["Location"]
    for _refresh in range(2):
        page = device.get(done.headers["Location"])
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and '<html lang="es">' in html
        assert "Luis Torres, su firma quedó registrada" in text_of(page)
        assert '<meta name="robots" content="noindex">' in html


def test_the_link_is_not_sent_twice_within_a_minute(app, client, db, applicant_with_application):
    _user, _application_id, co = _ready(client, db, applicant_with_application)
    first = signing_link(db, "luis@example.com")
    again = post_form(client, f"/licensing/application/members/{co.id}/signature-link", follow_redirects=True)
    assert "Please wait a minute before sending another" in text_of(again)
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "signature_request")).all()
    assert len(sent) == 1 and signing_link(db, "luis@example.com") == first
    device = app.test_client()
    assert confirm_birth_date(device, first).status_code == 303  # the emailed link still works
