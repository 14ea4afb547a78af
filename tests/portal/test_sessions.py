"""Signed-in sessions: ending one (by its owner, everywhere else, an admin, the new-device email's link, a password
change, a second-step reset, a deactivation) makes its cookie useless on the very next request."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.audit import AuditAction
from portal.database import now_utc
from portal.models import AuditEvent, OutboxMessage, Role, SignedInSession, User
from portal.sessions import DEVICE_COOKIE
from tests.conftest import TEST_PASSWORD, post_form, sign_in, text_of

SIGNED_OUT = "/login"


def signed_out(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 302 and response.headers["Location"].startswith(SIGNED_OUT)


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def sessions_of(db, user: User) -> list[SignedInSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(SignedInSession).where(SignedInSession.user_id == user.id)
                                   .order_by(SignedInSession.id)))


def two_devices(app, make_user, role=Role.HOMEFINDER, **kwargs):
    """The same person signed in on two browsers; returns (person, first, second) with sessions in that order."""
    person = make_user(role, **kwargs)
    first, second = app.test_client(), app.test_client()
    sign_in(first, person)
    sign_in(second, person)
    assert signed_in(first) and signed_in(second)
    return person, first, second


def session_events(db, user: User) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_([AuditAction.SESSION_ENDED, AuditAction.SESSIONS_ENDED]),
        AuditEvent.target_id == user.id).order_by(AuditEvent.id)))


def test_the_sessions_page_lists_each_browser(app, db, make_user):
    _person, first, _second = two_devices(app, make_user)
    page = first.get("/account/sessions")
    assert page.status_code == 200
    body = text_of(page)
    assert body.count("Sign out this session") == 1 and body.count("Sign out here") == 1
    assert "This browser" in body and "Sign out everywhere else" in body


def test_ending_another_session_signs_it_out_at_once(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    _first_row, second_row = sessions_of(db, person)
    response = post_form(first, f"/account/sessions/{second_row.id}/end")
    assert response.status_code == 303
    assert signed_out(second)
    assert signed_in(first)
    ended = sessions_of(db, person)[1]
    assert ended.ended_at is not None and ended.end_reason == "by_owner" and ended.ended_by_id == person.id
    event = session_events(db, person)[-1]
    assert event.action == AuditAction.SESSION_ENDED and event.details == {"how": "by_owner",
                                                                            "session": second_row.id}
    # Ended is ended: a second try is a 404, as for someone else's session.
    assert post_form(first, f"/account/sessions/{second_row.id}/end").status_code == 404


def test_someone_elses_session_is_not_found(app, db, make_user):
    person, _first, _second = two_devices(app, make_user)
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.HOMEFINDER))
    row = sessions_of(db, person)[1]
    assert post_form(stranger, f"/account/sessions/{row.id}/end").status_code == 404
    assert sessions_of(db, person)[1].ended_at is None


def test_ending_this_session_signs_this_browser_out(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    first_row = sessions_of(db, person)[0]
    response = post_form(first, f"/account/sessions/{first_row.id}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert signed_out(first)
    assert signed_in(second)


def test_sign_out_everywhere_else_keeps_this_one(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    third = app.test_client()
    sign_in(third, person)
    assert post_form(first, "/account/sessions/end-others").status_code == 303
    assert signed_out(second) and signed_out(third)
    assert signed_in(first)
    rows = sessions_of(db, person)
    assert rows[0].ended_at is None and all(row.ended_at is not None for row in rows[1:])
    assert session_events(db, person)[-1].details["count"] == 2


def test_an_admin_ends_every_session_of_a_person(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    refused = post_form(admin, f"/admin/people/{person.id}/sessions/end", {"end-reason": ""})
    assert refused.status_code == 422  # the reason is asked for: it goes in the log
    assert "Say why, for the event log" in text_of(refused)
    assert signed_in(first)
    response = post_form(admin, f"/admin/people/{person.id}/sessions/end", {"end-reason": "Laptop stolen"})
    assert response.status_code == 303
    assert signed_out(first) and signed_out(second)
    assert signed_in(admin)
    event = session_events(db, person)[-1]
    assert event.action == AuditAction.SESSIONS_ENDED and event.reason == "Laptop stolen"
    assert event.details["how"] == "by_admin" and event.details["count"] == 2


def test_a_password_change_ends_the_others_and_keeps_this_one(app, db, make_user):
    person, first, second = two_devices(app, make_user, role=Role.FAMILY)
    response = post_form(first, "/account/password", {"current_password": TEST_PASSWORD,
                                                      "password": "a new passphrase", "confirm": "a new passphrase"})
    assert response.status_code == 302
    assert signed_out(second)
    assert signed_in(first)
    first_row, second_row = sessions_of(db, person)
    assert first_row.ended_at is None and second_row.end_reason == "password_changed"


def test_a_second_step_reset_ends_every_session(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert post_form(admin, f"/admin/people/{person.id}/second-step/reset",
                     {"reset-reason": "Lost phone"}).status_code == 303
    assert signed_out(first) and signed_out(second)
    assert {row.end_reason for row in sessions_of(db, person)} == {"second_step_reset"}


def test_a_deactivation_ends_every_session(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    response = post_form(admin, f"/admin/people/{person.id}", {"role": person.role.value})  # "active" unticked
    assert response.status_code == 302
    assert signed_out(first) and signed_out(second)
    assert {row.end_reason for row in sessions_of(db, person)} == {"deactivated"}


def test_sign_out_ends_the_session_row(app, db, make_user):
    person, first, second = two_devices(app, make_user)
    assert post_form(first, "/logout").status_code == 302
    assert signed_out(first) and signed_in(second)
    assert sessions_of(db, person)[0].end_reason == "signed_out"


# -- The new-device email --------------------------------------------------------------------------------------------

def new_sign_in_mails(db, user: User) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == user.email, OutboxMessage.template == "new_sign_in").order_by(OutboxMessage.id)))


def test_a_new_device_is_told_by_email_in_the_persons_language(app, db, make_user):
    person = make_user(Role.HOMEFINDER, locale="es")
    first = app.test_client()
    sign_in(first, person)
    assert new_sign_in_mails(db, person) == []  # the first sign-in ever is no news

    again_here = app.test_client()  # the same browser later: only its device cookie is left
    again_here.set_cookie(DEVICE_COOKIE, first.get_cookie(DEVICE_COOKIE).value)
    sign_in(again_here, person)
    assert new_sign_in_mails(db, person) == []

    elsewhere = app.test_client()
    sign_in(elsewhere, person)
    mails = new_sign_in_mails(db, person)
    assert len(mails) == 1
    mail = mails[0]
    assert mail.locale == "es"
    assert "Hola" in mail.body_text
    link = urlsplit(re.search(r"https?://\S+/account/sessions/end/\S+", mail.body_text).group(0)).path
    new_row = sessions_of(db, person)[-1]

    # Opening the link (a mail scanner does) changes nothing; the button ends that session.
    reader = app.test_client()
    page = reader.get(link)
    assert page.status_code == 200
    assert signed_in(elsewhere)
    assert sessions_of(db, person)[-1].ended_at is None
    assert post_form(reader, link).status_code == 200
    assert signed_out(elsewhere)
    assert signed_in(first)
    row = sessions_of(db, person)[-1]
    assert row.id == new_row.id and row.end_reason == "from_email"
    assert "already ended" in text_of(reader.get(link))


def test_a_familys_new_device_sends_nothing(app, db, make_user):
    person = make_user(Role.FAMILY)
    sign_in(app.test_client(), person)
    sign_in(app.test_client(), person)
    assert new_sign_in_mails(db, person) == []


def test_a_tampered_end_link_is_refused(client, db):
    assert client.get("/account/sessions/end/not-a-token").status_code == 400


def test_a_session_idle_past_the_lifetime_is_over_even_with_a_fresh_cookie(app, db, make_user):
    """The loader's idle limit is the database's own (a cookie can be kept and replayed): a row last seen more than
    PERMANENT_SESSION_LIFETIME ago no longer signs anyone in, one seen just inside it still does."""
    person = make_user(Role.FAMILY)
    client = app.test_client()
    sign_in(client, person)
    lifetime = timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    (row,) = sessions_of(db, person)
    row.last_seen_at = now_utc() - lifetime + timedelta(minutes=5)
    db.session.commit()
    assert signed_in(client)
    (row,) = sessions_of(db, person)
    row.last_seen_at = now_utc() - lifetime - timedelta(minutes=5)
    db.session.commit()
    assert signed_out(client)
