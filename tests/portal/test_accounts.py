"""Registration, confirmation, sign-in, lockout, sign-out, password reset and change, invitations, roles."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import time_machine
from sqlalchemy import func, select

from portal.audit import AuditAction
from portal.database import now_utc
from portal.models import AuditEvent, OutboxMessage, Role, User
from tests.conftest import TEST_PASSWORD, post_form, sign_in, text_of

NO_MATCH = "That email and password don&#39;t match an account"


def latest_mail(db, recipient: str) -> OutboxMessage:
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no mail to {recipient}"
    return message


def link_in(message: OutboxMessage) -> str:
    url = re.search(r"https?://\S+", message.body_text).group(0)
    return urlsplit(url).path


def audit_actions(db, user: User | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        query = query.where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id)
    return list(db.session.scalars(query))


def register(client, email="new.family@example.com", **overrides):
    data = {"full_name": "Ana Torres", "email": email, "password": "a long passphrase",
            "confirm": "a long passphrase", "preferred_locale": "es"}
    data.update(overrides)
    return post_form(client, "/register", data)


def test_registration_confirmation_and_first_sign_in(client, db):
    response = register(client)
    assert response.status_code == 200
    assert "new.family@example.com" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new.family@example.com"))
    assert user.role is Role.APPLICANT and user.household_id is not None and user.preferred_locale == "es"

    # Not confirmed yet: sign-in explains and offers to resend.
    response = post_form(client, "/login", {"email": user.email, "password": "a long passphrase"})
    assert response.status_code == 422
    assert "resend" in response.get_data(as_text=True)

    mail = latest_mail(db, user.email)
    assert mail.subject == "Confirme su dirección de correo electrónico"
    response = client.get(link_in(mail))
    assert response.status_code == 302
    assert client.get(link_in(mail)).status_code == 302  # following it twice is harmless

    response = post_form(client, "/login", {"email": "New.Family@Example.com ", "password": "a long passphrase"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert AuditAction.SIGN_IN in audit_actions(db, user)


def test_registration_with_a_taken_email_looks_the_same_and_warns_the_owner(client, db, make_user):
    owner = make_user(Role.FAMILY, email="taken@example.com")
    fresh = register(client, email="fresh@example.com")
    taken = register(client, email="taken@example.com")
    assert fresh.status_code == taken.status_code == 200
    assert text_of(fresh).replace("fresh", "X") == text_of(taken).replace("taken", "X")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == owner.email)) == 1
    assert latest_mail(db, owner.email).template == "account_exists"


def test_registration_keeps_what_was_typed_and_explains_each_field(client, db):
    response = register(client, email="not-an-email", password="short", confirm="different", full_name="Ana Torres")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Ana Torres"' in body and 'value="not-an-email"' in body
    assert "Enter an email address like name@example.com." in body
    assert "Use between 8 and 256 characters." in body
    assert "The two passwords are not the same." in body
    assert 'value="short"' not in body  # passwords are never sent back
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_refuses_absurdly_long_input_without_storing_anything(client, db):
    response = register(client, full_name="x" * 5000, email="a" * 300 + "@example.com")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "A name can have at most 200 characters." in body
    assert "An email address can have at most 254 characters." in body
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_wrong_password_and_unknown_email_get_the_same_answer(client, db, make_user):
    user = make_user(Role.FAMILY)
    wrong = post_form(client, "/login", {"email": user.email, "password": "not the password"})
    unknown = post_form(client, "/login", {"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert NO_MATCH in wrong.get_data(as_text=True)
    assert text_of(wrong).replace(user.email, "E") == text_of(unknown).replace("nobody@example.com", "E")
    assert audit_actions(db).count(AuditAction.SIGN_IN_FAILED) == 2


def test_repeated_failures_lock_the_account_temporarily(client, db, make_user, app):
    user = make_user(Role.FAMILY)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]):
        assert post_form(client, "/login", {"email": user.email, "password": "guess"}).status_code == 422
    locked = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_data(as_text=True)
    # Another account from the same address is not locked out.
    other = make_user(Role.FAMILY)
    assert post_form(client, "/login", {"email": other.email, "password": TEST_PASSWORD}).status_code == 302


def test_lockout_ends_after_the_lockout_period(client, db, make_user, app):
    user = make_user(Role.FAMILY)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]):
        post_form(client, "/login", {"email": user.email, "password": "guess"})
    assert post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 429
    later = now_utc() + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    with time_machine.travel(later, tick=False):
        assert post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 302


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, db, make_user):
    user = make_user(Role.COORDINATOR)
    sign_in(client, user)
    stolen = app.test_client()
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert stolen.get("/dashboard").status_code == 200
    assert post_form(client, "/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert stolen.get("/dashboard").status_code == 302  # the session token rotated


def test_next_parameter_only_follows_local_paths(client, make_user):
    user = make_user(Role.FAMILY)
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD,
                                            "next": "https://evil.example/phish"})
    assert response.headers["Location"] == "/dashboard"
    post_form(client, "/logout")
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD, "next": "/account"})
    assert response.headers["Location"] == "/account"


def test_password_reset_link_works_once(client, db, make_user):
    user = make_user(Role.FAMILY, locale="es")
    unknown = post_form(client, "/password/forgot", {"email": "nobody@example.com"})
    known = post_form(client, "/password/forgot", {"email": user.email})
    assert unknown.status_code == known.status_code == 200
    assert text_of(unknown).replace("nobody@example.com", "E") == text_of(known).replace(user.email, "E")
    mail = latest_mail(db, user.email)
    assert mail.template == "reset_password" and mail.subject == "Restablezca su contraseña"
    link = link_in(mail)

    assert client.get(link).status_code == 200
    mismatch = post_form(client, link, {"password": "brand new secret", "confirm": "something else"})
    assert mismatch.status_code == 422
    response = post_form(client, link, {"password": "brand new secret", "confirm": "brand new secret"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302  # no automatic sign-in
    used_again = post_form(client, link, {"password": "another secret", "confirm": "another secret"})
    assert used_again.status_code == 400
    assert post_form(client, "/login", {"email": user.email, "password": "brand new secret"}).status_code == 302
    assert AuditAction.PASSWORD_RESET in audit_actions(db, user)


def test_reset_link_expires_after_an_hour(client, db, make_user):
    user = make_user(Role.FAMILY)
    post_form(client, "/password/forgot", {"email": user.email})
    link = link_in(latest_mail(db, user.email))
    with time_machine.travel(now_utc() + timedelta(minutes=61), tick=False):
        response = client.get(link)
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def test_tampered_tokens_get_a_clear_400(client):
    for url in ["/password/reset/abc.def.ghi", "/invitation/" + "x" * 600, "/confirm/%00%ff"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "This link no longer works" in response.get_data(as_text=True)


def test_change_password_signs_out_other_devices(app, client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    other_device = app.test_client()
    sign_in(other_device, user)
    wrong = post_form(client, "/account/password", {"current_password": "nope", "password": "a new passphrase",
                                                    "confirm": "a new passphrase"})
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.get_data(as_text=True)
    response = post_form(client, "/account/password", {"current_password": TEST_PASSWORD,
                                                       "password": "a new passphrase", "confirm": "a new passphrase"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert latest_mail(db, user.email).template == "password_changed"


def test_profile_language_choice_is_saved_and_used(client, db, make_user):
    user = make_user(Role.FAMILY)
    sign_in(client, user)
    response = post_form(client, "/account", {"full_name": "Jordan R.", "preferred_locale": "es"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.preferred_locale == "es" and user.full_name == "Jordan R."
    assert "Mi cuenta" in client.get("/account").get_data(as_text=True)


def test_admin_invites_staff_who_sets_a_password(app, client, db, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    bad = post_form(client, "/admin/people/invite", {"full_name": "", "email": "x", "role": "family",
                                                     "preferred_locale": "es"})
    assert bad.status_code == 422
    assert "Not a valid choice." in bad.get_data(as_text=True)
    response = post_form(client, "/admin/people/invite", {"full_name": "Lucía Pérez",
                                                          "email": "lucia@agency.example.com",
                                                          "role": "coordinator", "preferred_locale": "es"})
    assert response.status_code == 302
    invited = db.session.scalar(select(User).where(User.email == "lucia@agency.example.com"))
    assert invited.role is Role.COORDINATOR and invited.password_hash is None
    mail = latest_mail(db, invited.email)
    assert mail.locale == "es" and "Coordinador" in mail.body_text

    duplicate = post_form(client, "/admin/people/invite", {"full_name": "Again", "email": "LUCIA@agency.example.com",
                                                           "role": "homefinder", "preferred_locale": "en"})
    assert duplicate.status_code == 422

    newcomer = app.test_client()
    link = link_in(mail)
    assert "Lucía Pérez" in newcomer.get(link).get_data(as_text=True)
    assert post_form(newcomer, link, {"password": "coordinator pass", "confirm": "coordinator pass"}).status_code == 302
    signed = post_form(newcomer, "/login", {"email": invited.email, "password": "coordinator pass"})
    # Staff set up the second step at their first sign-in, before any page of theirs opens.
    assert signed.status_code == 302 and signed.headers["Location"] == "/login/set-up"
    assert newcomer.get("/dashboard").status_code == 302
    set_up = newcomer.get("/login/set-up").get_data(as_text=True)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', set_up).group(1).replace(" ", "")
    codes_page = post_form(newcomer, "/login/set-up", {"code": pyotp.TOTP(secret).now()})
    assert codes_page.status_code == 200
    assert len(re.findall(r"<li>[a-z2-9]{5}-[a-z2-9]{5}</li>", codes_page.get_data(as_text=True))) == 10
    assert "Mi lista de casos" in newcomer.get("/dashboard").get_data(as_text=True)
    assert post_form(newcomer, link, {"password": "x" * 10, "confirm": "x" * 10}).status_code == 400


def test_role_change_is_audited_and_takes_effect_at_once(app, client, db, make_user):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.APPLICANT)
    their_device = app.test_client()
    sign_in(their_device, person)
    sign_in(client, admin)
    response = post_form(client, f"/admin/people/{person.id}", {"role": "family", "active": "y"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.role is Role.FAMILY
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.ROLE_CHANGED)).one()
    assert event.actor_id == admin.id and event.details == {"old": "applicant", "new": "family"}
    assert their_device.get("/dashboard").status_code == 302  # signed out, signs in again with the new role
    page = client.get(f"/admin/people/{person.id}")
    assert "Role changed" in page.get_data(as_text=True)


def test_admin_cannot_remove_their_own_access(client, db, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    response = post_form(client, f"/admin/people/{admin.id}", {"role": "family", "active": "y"})
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN


def test_deactivated_account_cannot_sign_in(client, db, make_user):
    user = make_user(Role.FAMILY, active=False)
    assert post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 422


def test_unknown_person_id_is_404_for_admin(client, db, make_user):
    sign_in(client, make_user(Role.ADMIN))
    assert client.get("/admin/people/999999").status_code == 404
