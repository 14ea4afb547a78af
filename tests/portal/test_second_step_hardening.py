"""The second step against what a strict reviewer and a walkthrough tried: digits of other scripts, two requests
with one code, a passkey-only account offered a new app, a half-done sign-in left in a browser, guessing the
password at an open session, the "it wasn't me" link, the migration's way back."""

from __future__ import annotations

import hashlib
import time

import pyotp
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm.attributes import set_committed_value

from portal import two_step
from portal.database import Base, make_engine
from portal.extensions import db as portal_db
from portal.migrations import alembic_config
from portal.models import AuditEvent, Passkey, RecoveryCode, Role, SignedInSession, User
from portal.two_step import CodeResult
from tests.conftest import TEST_PASSWORD, post_form, sign_in
from tests.support import TEST_TOTP_SECRET, code_for, drop_isolated_schema, isolated_database_url


def password_step(client, user: User):
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.status_code
    return response


def test_a_code_in_another_scripts_digits_is_read_never_a_500(app, client, make_user):
    staff = make_user(Role.COORDINATOR)
    password_step(client, staff)
    code = code_for(app, staff.id)
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in code)
    assert post_form(client, "/login/code", {"code": arabic_indic}).status_code == 302  # signed in
    other = make_user(Role.HOMEFINDER)
    client2 = app.test_client()
    password_step(client2, other)
    full_width = "".join(chr(0xFF10 + d) for d in (1, 2, 3, 4, 5))
    bold = "".join(chr(0x1D7CF + d) for d in range(6))
    for odd in ("\u0661\u0662\u0663\u0664\u0665\u0666", full_width + "x", "\u00b2" * 6, "\u0000" * 6, bold):
        response = post_form(client2, "/login/code", {"code": odd})
        assert response.status_code in (400, 422), (odd, response.status_code)  # refused, never a 500


def test_one_code_sent_by_two_requests_at_once_signs_in_once(app, db, make_user):
    """The second request read the account before the first one's use of the code committed: the conditional
    UPDATE refuses it (on SQLite and on PostgreSQL)."""
    staff = make_user(Role.ADMIN)
    code = pyotp.TOTP(TEST_TOTP_SECRET).now()
    with app.test_request_context():
        user = portal_db.session.get(User, staff.id)
        read_step = user.totp_last_step
        assert two_step.verify_code(user, code) == (CodeResult.OK, "totp")
        set_committed_value(user, "totp_last_step", read_step)  # as the other request saw it
        assert two_step.verify_code(user, code)[0] == CodeResult.USED
        codes = two_step.new_recovery_codes(user)
        assert two_step.verify_code(user, codes[0]) == (CodeResult.OK, "recovery")
        assert two_step.verify_code(user, codes[0])[0] == CodeResult.USED
        portal_db.session.rollback()


def test_a_passkey_only_account_is_not_offered_a_new_app_instead(app, client, db, make_user):
    family = make_user(Role.FAMILY)
    db.session.add(Passkey(user_id=family.id, name="Phone", credential_id=b"k" * 32, public_key=b"p" * 77))
    db.session.commit()
    response = password_step(client, family)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/login/set-up").headers["Location"] == "/login/code"
    assert post_form(client, "/login/set-up", {"code": "123456"}).headers["Location"] == "/login/code"
    assert client.get("/dashboard").status_code == 302  # not signed in


def test_a_half_done_sign_in_does_not_outlive_someone_elses_sign_in(app, client, db, make_user):
    """Staff B's password passed in a browser, then A signs in there: B's pending step is gone, and wrong codes
    can't be counted against A's account instead of B's."""
    staff_b = make_user(Role.HOMEFINDER)
    applicant_a = make_user(Role.APPLICANT)
    password_step(client, staff_b)
    sign_in(client, applicant_a)
    assert post_form(client, "/login/code", {"code": "000000"}).headers["Location"] == "/dashboard"
    with client.session_transaction() as state:
        assert "signing_in" not in state and "enrolling_secret" not in state
    post_form(client, "/logout")
    assert client.get("/login/code").headers["Location"] == "/login"


def test_guessing_the_password_at_an_open_session_counts_toward_the_lockout(app, client, db, make_user):
    family = make_user(Role.FAMILY)
    sign_in(client, family)
    limit = app.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]
    for _ in range(limit):
        assert post_form(client, "/account/two-step/off", {"off-password": "a guess"}).status_code == 422
    assert post_form(client, "/account/two-step/off", {"off-password": TEST_PASSWORD}).status_code == 429
    failed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "sign_in_failed", AuditEvent.target_id == family.id))
    assert failed == limit


def test_the_emailed_link_ends_every_session_of_that_device(app, db, make_user):
    staff = make_user(Role.HOMEFINDER)
    first = app.test_client()
    sign_in(first, staff)
    intruder = app.test_client()
    sign_in(intruder, staff)  # a new device: the email
    sign_in(intruder, staff)  # the same device again: no email, a second session
    db.session.expire_all()
    newest = db.session.scalars(select(SignedInSession).where(SignedInSession.user_id == staff.id)
                                .order_by(SignedInSession.id.desc())).first()
    mail = db.session.scalars(select(portal_db_outbox()).where(portal_db_outbox().template == "new_sign_in")).all()
    assert len(mail) == 1
    link = next(word for word in mail[0].body_text.split() if "/account/sessions/end/" in word)
    path = link.split("localhost", 1)[1]
    assert post_form(intruder, path).status_code == 200
    assert intruder.get("/dashboard").status_code == 302  # both of the intruder's sessions ended
    assert first.get("/dashboard").status_code == 200
    db.session.expire_all()
    assert db.session.get(SignedInSession, newest.id).ended_at is not None


def portal_db_outbox():
    from portal.models import OutboxMessage

    return OutboxMessage


def test_recovery_codes_are_keyed_hashes_not_the_codes(app, db, make_user):
    staff = make_user(Role.ADMIN)
    with app.test_request_context():
        codes = two_step.new_recovery_codes(portal_db.session.get(User, staff.id))
        portal_db.commit()
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)))
    for code in codes:
        raw = code.replace("-", "")
        assert raw not in stored and hashlib.sha256(raw.encode()).hexdigest() not in stored


def test_the_migration_goes_down_and_up_with_accounts_that_have_events(database_url, tmp_path):
    """A batch rebuild of user_account would be refused by the foreign keys of the tables naming accounts."""
    url = isolated_database_url(database_url, "second_step_migration", tmp_path)
    engine = make_engine(url)
    config = alembic_config(url)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        with engine.begin() as connection:
            config.attributes.update(connection=connection, skip_logging=True)
            command.upgrade(config, "b15e0001")
            connection.execute(text(
                "INSERT INTO user_account (id, email, full_name, role, preferred_locale, session_token, is_active, "
                "created_at, totp_last_step) VALUES (1, 'a@example.com', 'A', 'admin', 'en', 't', :yes, :now, 5)"),
                {"yes": True, "now": "2026-11-30 00:00:00+00:00"})
            connection.execute(text(
                "INSERT INTO audit_event (occurred_at, actor_id, action, reason, details) "
                "VALUES (:now, 1, 'sign_in', '', '{}')"), {"now": "2026-11-30 00:00:00+00:00"})
            command.downgrade(config, "a10e5a1f0005")
            columns = {c["name"] for c in inspect(connection).get_columns("user_account")}
            assert "totp_last_step" not in columns
            assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
            command.upgrade(config, "b15e0001")
            assert "signed_in_session" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
        drop_isolated_schema(database_url, "second_step_migration")


def test_codes_one_step_either_side_count_and_two_do_not(app, db, make_user):
    staff = make_user(Role.COORDINATOR)
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    now = time.time()
    with app.test_request_context():
        user = portal_db.session.get(User, staff.id)
        assert two_step.verify_code(user, totp.at(now - 60))[0] == CodeResult.WRONG
        assert two_step.verify_code(user, totp.at(now + 60))[0] == CodeResult.WRONG
        portal_db.session.rollback()
