"""Two-step sign-in: staff pages out of reach after the password alone, single-use codes with a little clock drift,
recovery codes, the shared lockout, the one log, families' opt-in, and the demo's documented secret."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update

from portal import two_step
from portal.access import STAFF, rule_for
from portal.audit import AuditAction
from portal.demo import DEMO_PASSWORD
from portal.models import AuditEvent, RecoveryCode, Role, User
from tests.conftest import TEST_PASSWORD, post_form, sign_in, text_of
from tests.support import TEST_TOTP_SECRET, code_for

RECOVERY_CODE_RE = re.compile(r"\b([a-z2-9]{5}-[a-z2-9]{5})\b")
ALREADY_USED = "That code was already used."
WRONG_CODE = "That code isn't right."


def staff_endpoints(app: Flask) -> list[str]:
    """Every endpoint only staff roles may use, from the URL map (so a new staff route is covered at once)."""
    found = set()
    for rule in app.url_map.iter_rules():
        access = rule_for(app, rule.endpoint)
        if access is not None and not access.public and access.roles and access.roles <= set(STAFF):
            found.add(rule.endpoint)
    return sorted(found)


def _app_for_collection() -> Flask:
    from app import create_app
    from tests.conftest import config_for_tests

    return create_app(config_for_tests("sqlite://"))


STAFF_ENDPOINTS = staff_endpoints(_app_for_collection())


def test_the_staff_routes_are_found():
    """The guard of the parametrisation below: an empty list would pass vacuously."""
    assert len(STAFF_ENDPOINTS) >= 20
    assert {"portal.admin_people", "portal.admin_audit", "licensing.staff_leads"} <= set(STAFF_ENDPOINTS)


def url_with_dummy_ids(app: Flask, endpoint: str) -> tuple[str, str]:
    """A URL of the endpoint with made-up ids: access is enforced before any record is looked up."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if type(converter).__name__ in ("IntegerConverter", "IdConverter") else "x"
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    method = "GET" if "GET" in rule.methods else "POST"
    return method, url


def passed_the_password_only(client, user: User) -> None:
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"


@pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS)
def test_a_staff_page_needs_the_second_step(app, client, make_user, endpoint):
    admin = make_user(Role.ADMIN)  # every staff route's roles include an admin, or refuse them only after sign-in
    passed_the_password_only(client, admin)
    method, url = url_with_dummy_ids(app, endpoint)
    response = client.get(url) if method == "GET" else post_form(client, url, {"reason": "x"})
    assert response.status_code == 302, f"{method} {url}: {response.status_code}"
    assert response.headers["Location"].startswith("/login"), f"{method} {url}"


def test_after_the_code_the_staff_pages_open(client, make_user):
    """The control of the test above: the same person, code passed, gets the page."""
    admin = make_user(Role.ADMIN)
    passed_the_password_only(client, admin)
    assert client.get("/admin/people").status_code == 302
    response = post_form(client, "/login/code", {"code": code_for(client.application, admin.id)})
    assert response.status_code == 302
    assert client.get("/admin/people").status_code == 200


# -- Codes -----------------------------------------------------------------------------------------------------------

MID_STEP = datetime(2026, 11, 30, 9, 0, 10, tzinfo=UTC)  # ten seconds into a time step


def code_at(offset_steps: int, secret: str = TEST_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(MID_STEP.timestamp() + offset_steps * two_step.STEP_SECONDS)


def test_a_code_works_once(client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    other_device = client.application.test_client()
    with time_machine.travel(MID_STEP, tick=False):
        code = code_at(0)
        passed_the_password_only(client, user)
        assert post_form(client, "/login/code", {"code": code}).status_code == 302
        passed_the_password_only(other_device, user)
        again = post_form(other_device, "/login/code", {"code": code})
        assert again.status_code == 422
        assert ALREADY_USED in text_of(again)
        assert other_device.get("/dashboard").status_code == 302
        # An older code of the drift window is refused too: the steps only move forward.
        older = post_form(other_device, "/login/code", {"code": code_at(-1)})
        assert older.status_code == 422 and ALREADY_USED in text_of(older)


@pytest.mark.parametrize("offset,accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_a_phone_clock_a_step_off_is_accepted(client, db, make_user, offset, accepted):
    user = make_user(Role.COORDINATOR)
    with time_machine.travel(MID_STEP, tick=False):
        passed_the_password_only(client, user)
        response = post_form(client, "/login/code", {"code": code_at(offset)})
    if accepted:
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    else:
        assert response.status_code == 422 and WRONG_CODE in text_of(response)


def secret_on(page) -> str:
    """The key the set-up page shows as text (for typing into an app that can't scan)."""
    return re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.get_data(as_text=True)).group(1).replace(" ", "")


def recovery_codes_for(client, user: User) -> list[str]:
    """Signed in: make new recovery codes (the page shows them once)."""
    response = post_form(client, "/account/two-step/recovery-codes", {"codes-password": TEST_PASSWORD})
    assert response.status_code == 200, response.status_code
    codes = RECOVERY_CODE_RE.findall(text_of(response))
    assert len(codes) == two_step.RECOVERY_CODE_COUNT
    return codes


def test_a_recovery_code_works_once_and_is_stored_hashed(app, client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    codes = recovery_codes_for(client, user)
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == len(codes)
    for code in codes:
        plain = code.replace("-", "")
        assert not any(plain in value or code in value for value in stored)

    phone_lost = app.test_client()
    passed_the_password_only(phone_lost, user)
    response = post_form(phone_lost, "/login/code", {"code": codes[0].upper()})  # typed as read, in capitals
    assert response.status_code == 302
    assert "You have 9 left." in text_of(phone_lost.get("/dashboard"))

    again = app.test_client()
    passed_the_password_only(again, user)
    refused = post_form(again, "/login/code", {"code": codes[0]})
    assert refused.status_code == 422 and ALREADY_USED in text_of(refused)
    assert again.get("/dashboard").status_code == 302
    assert post_form(again, "/login/code", {"code": codes[1]}).status_code == 302

    sign_ins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN,
                                                            AuditEvent.target_id == user.id)
                                  .order_by(AuditEvent.id)).all()
    assert [event.details.get("how") for event in sign_ins] == ["totp", "recovery", "recovery"]
    used = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.RECOVERY_CODE_USED)).all()
    assert [event.details["left"] for event in used] == [9, 8]


def test_new_recovery_codes_replace_the_old_ones(app, client, db, make_user):
    user = make_user(Role.ADMIN)
    sign_in(client, user)
    old = recovery_codes_for(client, user)
    recovery_codes_for(client, user)
    later = app.test_client()
    passed_the_password_only(later, user)
    response = post_form(later, "/login/code", {"code": old[0]})
    assert response.status_code == 422 and WRONG_CODE in text_of(response)


# -- Lockout ---------------------------------------------------------------------------------------------------------

def test_wrong_codes_and_wrong_passwords_share_one_lockout(app, client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    limit = app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]
    wrong_passwords = limit // 2
    for _ in range(wrong_passwords):
        assert post_form(client, "/login", {"email": user.email, "password": "guess"}).status_code == 422
    passed_the_password_only(client, user)  # a right password doesn't count, nor undo the count
    for _ in range(limit - wrong_passwords):
        assert post_form(client, "/login/code", {"code": "000000"}).status_code == 422
    right = post_form(client, "/login/code", {"code": code_for(app, user.id)})
    assert right.status_code == 429
    assert client.get("/dashboard").status_code == 302
    assert post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 429
    # Another account on the same browser and address is not locked out.
    other = make_user(Role.HOMEFINDER)
    assert post_form(client, "/login", {"email": other.email, "password": TEST_PASSWORD}).status_code == 302
    failed = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == user.id)).all()
    assert failed.count(AuditAction.SECOND_STEP_FAILED) == limit - wrong_passwords


def test_wrong_codes_alone_lock_the_password_step_too(app, client, db, make_user):
    user = make_user(Role.COORDINATOR)
    passed_the_password_only(client, user)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]):
        assert post_form(client, "/login/code", {"code": "123456"}).status_code == 422
    assert post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 429


def test_the_lockout_answers_the_same_for_an_unknown_email(app, client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    answers = {}
    for email in (user.email, "nobody@example.com"):
        for _ in range(app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]):
            post_form(client, "/login", {"email": email, "password": "guess"})
        answers[email] = post_form(client, "/login", {"email": email, "password": TEST_PASSWORD})
    known, unknown = answers[user.email], answers["nobody@example.com"]
    assert known.status_code == unknown.status_code == 429
    assert text_of(known).replace(user.email, "E") == text_of(unknown).replace("nobody@example.com", "E")


# -- Events ----------------------------------------------------------------------------------------------------------

def events_about(db, user: User) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "User", AuditEvent.target_id == user.id).order_by(AuditEvent.id)))


def test_each_step_is_an_event_and_admins_filter_by_person(app, client, db, make_user):
    person = make_user(Role.HOMEFINDER, full_name="Pat Homefinder")
    bystander = make_user(Role.COORDINATOR, full_name="Sam Bystander")
    admin = make_user(Role.ADMIN)
    post_form(client, "/login", {"email": person.email, "password": "guess"})
    passed_the_password_only(client, person)
    post_form(client, "/login/code", {"code": "000000"})
    assert post_form(client, "/login/code", {"code": code_for(app, person.id)}).status_code == 302
    sign_in(app.test_client(), bystander)

    admin_client = app.test_client()
    sign_in(admin_client, admin)
    assert post_form(admin_client, f"/admin/people/{person.id}/second-step/reset",
                     {"reset-reason": "Lost phone, confirmed by a call"}).status_code == 303

    actions = [event.action for event in events_about(db, person)]
    for action in (AuditAction.SIGN_IN_FAILED, AuditAction.SECOND_STEP_FAILED, AuditAction.SIGN_IN,
                   AuditAction.SECOND_STEP_RESET, AuditAction.SESSIONS_ENDED):
        assert action in actions, action
    reset = next(e for e in events_about(db, person) if e.action == AuditAction.SECOND_STEP_RESET)
    assert reset.actor_id == admin.id and reset.reason == "Lost phone, confirmed by a call"
    sign_in_event = next(e for e in events_about(db, person) if e.action == AuditAction.SIGN_IN)
    assert sign_in_event.details["how"] == "totp"

    page = admin_client.get(f"/admin/audit?person={person.id}")
    assert page.status_code == 200
    body = text_of(page)
    assert set(map(int, re.findall(r"Person #(\d+)", body))) == {person.id}
    assert "Wrong sign-in code" in body and "Lost phone, confirmed by a call" in body
    assert "Sam Bystander" not in body
    assert admin_client.get("/admin/audit?person=999999").status_code == 404
    everyone = text_of(admin_client.get("/admin/audit"))
    assert f"Person #{bystander.id}" in everyone


def test_a_reset_staff_member_sets_up_the_app_again(app, client, db, make_user):
    person = make_user(Role.HOMEFINDER)
    admin_client = app.test_client()
    sign_in(admin_client, make_user(Role.ADMIN))
    post_form(admin_client, f"/admin/people/{person.id}/second-step/reset", {"reset-reason": "Lost phone"})
    response = post_form(client, "/login", {"email": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/set-up"
    assert client.get("/dashboard").status_code == 302  # not signed in while setting it up
    with client.session_transaction() as session:
        secret = session.get("enrolling_secret")
    assert secret is None
    page = client.get("/login/set-up")
    assert page.status_code == 200
    secret = secret_on(page)
    wrong = post_form(client, "/login/set-up", {"code": "000000"})
    assert wrong.status_code == 422
    done = post_form(client, "/login/set-up", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert len(RECOVERY_CODE_RE.findall(text_of(done))) == two_step.RECOVERY_CODE_COUNT
    assert client.get("/dashboard").status_code == 200
    enrolled = next(e for e in events_about(db, person) if e.action == AuditAction.SECOND_STEP_ENROLLED)
    assert enrolled.details["method"] == "totp"


# -- Families --------------------------------------------------------------------------------------------------------

def test_a_family_may_turn_the_second_step_on_and_off(app, client, db, make_user):
    family = make_user(Role.FAMILY)
    response = post_form(client, "/login", {"email": family.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/dashboard"  # never required of them

    page = client.get("/login/set-up")
    assert page.status_code == 200
    secret = secret_on(page)
    # Signed in, turning it on asks for the password again (an unattended open browser is not enough).
    assert post_form(client, "/login/set-up", {"code": pyotp.TOTP(secret).now()}).status_code == 422
    assert post_form(client, "/login/set-up", {"code": pyotp.TOTP(secret).now(), "password": "not it"}
                     ).status_code == 422
    assert post_form(client, "/login/set-up", {"code": pyotp.TOTP(secret).now(), "password": TEST_PASSWORD}
                     ).status_code == 200
    db.session.refresh(family)
    assert family.has_authenticator

    post_form(client, "/logout")
    response = post_form(client, "/login", {"email": family.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/login/code"
    assert client.get("/dashboard").status_code == 302
    assert post_form(client, "/login/code", {"code": code_for(app, family.id, secret)}).status_code == 302
    assert client.get("/dashboard").status_code == 200

    wrong = post_form(client, "/account/two-step/off", {"off-password": "not it"})
    assert wrong.status_code == 422
    assert post_form(client, "/account/two-step/off", {"off-password": TEST_PASSWORD}).status_code == 303
    db.session.refresh(family)
    assert not family.has_authenticator
    assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == family.id)).all()
    post_form(client, "/logout")
    response = post_form(client, "/login", {"email": family.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/dashboard"
    actions = [event.action for event in events_about(db, family)]
    assert AuditAction.SECOND_STEP_ENROLLED in actions and AuditAction.SECOND_STEP_TURNED_OFF in actions


def test_staff_cannot_turn_the_second_step_off(client, db, make_user):
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    response = post_form(client, "/account/two-step/off", {"off-password": TEST_PASSWORD})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.has_authenticator


# -- The demo's secret -----------------------------------------------------------------------------------------------

def enrol_with_demo_secret(app, db, user: User) -> None:
    with app.app_context():
        encrypted = two_step.encrypt_secret(two_step.DEMO_SECRET)
    db.session.execute(update(User).where(User.id == user.id).values(totp_secret_encrypted=encrypted))
    db.session.commit()


def test_production_refuses_the_demo_secret(app, client, db, make_user, monkeypatch):
    user = make_user(Role.HOMEFINDER)
    enrol_with_demo_secret(app, db, user)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    passed_the_password_only(client, user)
    response = post_form(client, "/login/code", {"code": pyotp.TOTP(two_step.DEMO_SECRET).now()})
    assert response.status_code == 422
    assert client.get("/dashboard").status_code == 302

    # The control: the same account and code in development.
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    limit_free = app.test_client()
    passed_the_password_only(limit_free, user)
    response = post_form(limit_free, "/login/code", {"code": pyotp.TOTP(two_step.DEMO_SECRET).now()})
    assert response.status_code == 302


def test_demo_code_prints_the_current_code(app, db):
    with time_machine.travel(MID_STEP, tick=False):
        result = app.test_cli_runner().invoke(args=["demo-code"])
        expected = pyotp.TOTP(two_step.DEMO_SECRET).now()
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d{6}", result.output.strip())
    assert result.output.strip() == expected


def test_demo_code_refuses_production(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["demo-code"])
    assert result.exit_code != 0 and "refuses" in result.output
    assert not re.search(r"^\d{6}$", result.output, re.MULTILINE)


def test_the_demo_staff_sign_in_with_the_demo_code(app, client, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    response = post_form(client, "/login", {"email": "homefinder@demo.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    code = app.test_cli_runner().invoke(args=["demo-code"]).output.strip()
    assert post_form(client, "/login/code", {"code": code}).status_code == 302
    assert client.get("/licensing/staff/leads").status_code == 200
    # Every demo staff account has it; the families don't need it.
    staff = db.session.scalars(select(User).where(User.email.like("%@demo.test"))).all()
    assert all(u.has_authenticator == u.is_staff for u in staff)


def test_the_readme_documents_the_demo_secret():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert f"Demo authenticator secret: {two_step.DEMO_SECRET}" in [line.strip() for line in readme.splitlines()]
    assert "flask --app app demo-code" in readme


def test_a_reset_without_a_reason_is_refused(app, client, db, make_user):
    person = make_user(Role.HOMEFINDER)
    sign_in(client, make_user(Role.ADMIN))
    refused = post_form(client, f"/admin/people/{person.id}/second-step/reset", {"reset-reason": "  "})
    assert refused.status_code == 422
    assert "Say why, for the event log" in text_of(refused)
    db.session.refresh(person)
    assert person.has_authenticator
