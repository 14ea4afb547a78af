"""Mail through a real SMTP server on loopback: rendered in the recipient's language, kept while the server is down."""

from __future__ import annotations

import email
import smtplib
import socket
import time
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import create_app
from portal import emails
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import OutboxMessage, OutboxStatus
from tests.conftest import config_for_tests, post_form


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """aiosmtpd on 127.0.0.1 (it can't take port 0, so a free port is chosen first)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(engine, database_url, smtp, db):
    app = create_app(config_for_tests(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                                      MAIL_SUPPRESS_SEND=False, MAIL_DEFAULT_SENDER="agency@example.com"))
    # Share the test's connection so the rolled-back transaction holds everything this test writes.
    state = app.extensions["database"]
    state.bind = db.connection
    state.session_options = {"join_transaction_mode": "create_savepoint"}
    return app


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def parts_of(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
            for part in message.walk() if not part.is_multipart()}


def test_spanish_confirmation_arrives_through_smtp(mail_app, smtp, db):
    client = mail_app.test_client()
    response = post_form(client, "/register", {"full_name": "Marta Ruiz", "email": "marta@example.com",
                                               "password": "a long passphrase", "confirm": "a long passphrase",
                                               "preferred_locale": "es"})
    assert response.status_code == 200
    with mail_app.app_context():
        counts = emails.deliver_due()
    assert counts["sent"] == 1
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == "marta@example.com"
    assert subject_of(message) == "Confirme su dirección de correo electrónico"
    parts = parts_of(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert "Hola, Marta Ruiz:" in parts["text/plain"] and "/confirm/" in parts["text/plain"]
    assert "Confirmar mi correo electrónico" in parts["text/html"]
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.status is OutboxStatus.SENT and stored.sent_at is not None


def test_outbox_keeps_mail_while_smtp_is_down_and_delivers_it_later(mail_app, smtp, db):
    smtp.stop()
    client = mail_app.test_client()
    response = post_form(client, "/password/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 200  # the person's action doesn't depend on the mail server
    with mail_app.app_context():
        emails.queue_email("family@example.com", "en", "password_changed",
                           user={"full_name": "Sam"}, reset_link="http://localhost/password/forgot")
        from portal.extensions import db as portal_db

        portal_db.commit()
        counts = emails.deliver_due()
    assert counts == {"sent": 0, "logged": 0, "failed": 0, "retry": 1}
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.status is OutboxStatus.PENDING and stored.attempts == 1
    assert "Connection refused" in stored.last_error or "Errno" in stored.last_error

    smtp.start()
    with mail_app.app_context():
        assert emails.deliver_due()["sent"] == 0  # not due yet: retries back off
        with time_machine.travel(now_utc() + timedelta(minutes=2), tick=True):
            assert emails.deliver_due()["sent"] == 1
    deadline = time.monotonic() + 5
    while not smtp.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert subject_of(smtp.inbox.messages[0]) == "Your password was changed"
    db.session.expire_all()
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.status is OutboxStatus.SENT and stored.attempts == 2


def test_mail_is_given_up_after_the_configured_attempts(mail_app, smtp, db):
    smtp.stop()
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 2
    with mail_app.app_context():
        emails.queue_email("family@example.com", "es", "password_changed",
                           user={"full_name": "Sam"}, reset_link="http://localhost/password/forgot")
        from portal.extensions import db as portal_db

        portal_db.commit()
        emails.deliver_due()
        with time_machine.travel(now_utc() + timedelta(hours=1), tick=True):
            assert emails.deliver_due()["failed"] == 1
    assert db.session.scalars(select(OutboxMessage)).one().status is OutboxStatus.FAILED


def test_without_a_mail_server_mail_is_logged_and_shown_to_admins(client, db, app, make_user, caplog):
    from tests.conftest import sign_in

    admin = make_user("admin")
    post_form(client, "/password/forgot", {"email": admin.email})
    with app.app_context(), caplog.at_level("INFO", logger="portal.mail"):
        assert emails.deliver_due()["logged"] == 1
    assert "Reset your password" in caplog.text
    sign_in(client, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reset your password" in page and "/password/reset/" in page


def test_in_development_mail_goes_out_right_after_the_commit(mail_app, smtp, db):
    mail_app.config["MAIL_DELIVER_INLINE"] = True
    client = mail_app.test_client()
    post_form(client, "/register", {"full_name": "Lee Park", "email": "lee@example.com",
                                    "password": "a long passphrase", "confirm": "a long passphrase",
                                    "preferred_locale": "en"})
    deadline = time.monotonic() + 5
    while not smtp.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert subject_of(smtp.inbox.messages[0]) == "Confirm your email address"


def test_inline_delivery_sends_its_own_batch_only(app, db, monkeypatch):
    """Two batches of one template queued at the same moment: each delivers its own rows (their ids come back from
    the INSERT), not every row that shares the template and the time."""
    rendered = {"en": ("Picnic", "Come along.", "<p>Come along.</p>")}
    delivered: list[list[int]] = []
    monkeypatch.setattr(emails, "deliver_due", lambda limit, only_ids: delivered.append(sorted(only_ids)))
    monkeypatch.setitem(app.config, "MAIL_DELIVER_INLINE", False)  # the session's app gets its setting back after
    with app.app_context(), time_machine.travel(now_utc(), tick=False):
        from flask import g

        app.config["MAIL_DELIVER_INLINE"] = False
        assert emails.queue_rendered("announcement", [("a@example.com", "en"), ("b@example.com", "en")],
                                     rendered) == 2
        app.config["MAIL_DELIVER_INLINE"] = True
        assert emails.queue_rendered("announcement", [("c@example.com", "en")], rendered) == 1
        for callback in g.get("after_commit", []):
            callback()
        ours = list(portal_db.session.scalars(select(OutboxMessage.id)
                                              .where(OutboxMessage.recipient == "c@example.com")))
    assert delivered == [ours]


# The sender's failures, with a stand-in for the SMTP connection where the loopback server can't misbehave on cue.


class FakeSMTP:
    """Replaces emails._TimedConnection: records what is sent; `on_send(fake, message)` runs before each send (raise
    there to fail it), `on_open(fake)` before each connection is opened."""

    def __init__(self, on_send=None, on_open=None) -> None:
        self.sent: list[str] = []
        self.opened = 0
        self.on_send = on_send
        self.on_open = on_open
        self.connection_sent = 0  # on the connection opened last

    def __call__(self, _mail):
        fake = self

        class Connection:
            def __enter__(self):
                if fake.on_open is not None:
                    fake.on_open(fake)
                fake.opened += 1
                fake.connection_sent = 0
                return self

            def __exit__(self, *_exc):
                return None

            def send(self, message):
                if fake.on_send is not None:
                    fake.on_send(fake, message)
                fake.sent.append(message.recipients[0])
                fake.connection_sent += 1

        return Connection()


def queue_plain(count: int, subject: str = "Picnic") -> None:
    rendered = {"en": (subject, "Come along.", "<p>Come along.</p>")}
    emails.queue_rendered("announcement", [(f"family{n}@example.com", "en") for n in range(count)], rendered)
    portal_db.commit()


def outbox_by_recipient(db) -> dict[str, OutboxMessage]:
    db.session.expire_all()
    return {message.recipient: message for message in db.session.scalars(select(OutboxMessage))}


def test_a_message_that_cannot_be_sent_fails_alone_and_the_batch_is_not_sent_again(mail_app, smtp, db):
    """A newline in a subject (flask_mail's BadHeaderError, not an SMTP error): that message fails at once, the
    others of its batch are recorded as sent, and nothing goes out a second time after the claim's lease."""
    with mail_app.app_context():
        queue_plain(1)
        emails.queue_rendered("announcement", [("bad@example.com", "en")],
                              {"en": ("Picnic\nBcc: everyone@example.com", "Come along.", "<p>Come along.</p>")})
        portal_db.commit()
        emails.queue_rendered("announcement", [("after@example.com", "en")],
                              {"en": ("Picnic", "Come along.", "<p>Come along.</p>")})
        portal_db.commit()
        assert emails.deliver_due() == {"sent": 2, "logged": 0, "failed": 1, "retry": 0}
        with time_machine.travel(now_utc() + timedelta(hours=1), tick=True):
            assert emails.deliver_due()["sent"] == 0
    deadline = time.monotonic() + 5
    while len(smtp.inbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert sorted(message["To"] for message in smtp.inbox.messages) == ["after@example.com", "family0@example.com"]
    rows = outbox_by_recipient(db)
    assert rows["family0@example.com"].status is OutboxStatus.SENT and rows["family0@example.com"].attempts == 1
    assert rows["after@example.com"].status is OutboxStatus.SENT
    assert rows["bad@example.com"].status is OutboxStatus.FAILED and rows["bad@example.com"].attempts == 1
    assert rows["bad@example.com"].last_error.startswith("BadHeaderError")


def test_what_was_sent_is_recorded_even_when_the_sender_is_interrupted(mail_app, db, monkeypatch):
    def interrupt_the_third(fake, _message):
        if len(fake.sent) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(emails, "_TimedConnection", FakeSMTP(on_send=interrupt_the_third))
    with mail_app.app_context():
        queue_plain(4)
        with pytest.raises(KeyboardInterrupt):
            emails.deliver_due()
    rows = outbox_by_recipient(db)
    assert [rows[f"family{n}@example.com"].status for n in range(4)] == [
        OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.PENDING]


def test_a_relay_that_closes_the_connection_costs_no_attempt(mail_app, db, monkeypatch):
    """The server drops the connection after every 2 messages: the sender connects again and sends them all, each
    with one attempt (none backs off, none drifts towards MAIL_MAX_ATTEMPTS)."""

    def close_after_two(fake, _message):
        if fake.connection_sent == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    fake = FakeSMTP(on_send=close_after_two)
    monkeypatch.setattr(emails, "_TimedConnection", fake)
    with mail_app.app_context():
        queue_plain(5)
        assert emails.deliver_due() == {"sent": 5, "logged": 0, "failed": 0, "retry": 0}
    assert fake.sent == [f"family{n}@example.com" for n in range(5)] and fake.opened == 3
    assert {(row.status, row.attempts) for row in outbox_by_recipient(db).values()} == {(OutboxStatus.SENT, 1)}


def test_a_connection_that_cannot_be_opened_again_gives_the_rest_back(mail_app, db, monkeypatch):
    def refuse_again(fake):
        if fake.opened >= 1:
            raise ConnectionRefusedError(111, "Connection refused")

    def close_after_one(fake, _message):
        if fake.connection_sent == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(emails, "_TimedConnection", FakeSMTP(on_send=close_after_one, on_open=refuse_again))
    with mail_app.app_context():
        queue_plain(3)
        assert emails.deliver_due() == {"sent": 1, "logged": 0, "failed": 0, "retry": 0}
        rows = outbox_by_recipient(db)
        for n in (1, 2):
            row = rows[f"family{n}@example.com"]
            assert row.status is OutboxStatus.PENDING and row.attempts == 0 and row.next_attempt_at <= now_utc()
        monkeypatch.setattr(emails, "_TimedConnection", FakeSMTP())
        assert emails.deliver_due()["sent"] == 2  # due again at once: the next run sends them


def test_a_sender_stops_before_its_claim_runs_out(mail_app, db, monkeypatch):
    """Each message takes five minutes: the sender stops before the 15-minute claim ends (another sender could
    claim the rest after it) and gives the unsent ones back, due at once and without an attempt."""
    with mail_app.app_context(), time_machine.travel(now_utc(), tick=False) as clock:
        monkeypatch.setattr(emails, "_TimedConnection",
                            FakeSMTP(on_send=lambda _fake, _message: clock.shift(timedelta(minutes=5))))
        queue_plain(5)
        assert emails.deliver_due()["sent"] == 3
        rows = outbox_by_recipient(db)
        assert [rows[f"family{n}@example.com"].status for n in range(5)] == [OutboxStatus.SENT] * 3 + [
            OutboxStatus.PENDING] * 2
        assert all(rows[f"family{n}@example.com"].attempts == 0 for n in (3, 4))
        assert all(rows[f"family{n}@example.com"].next_attempt_at <= now_utc() for n in (3, 4))


def test_delivery_does_not_leave_the_context_taking_the_write_lock(mail_app, db):
    """Inline delivery runs in the request's context after its commit: what runs after it there keeps its own
    kind of transaction (on SQLite, a plain BEGIN for a read)."""
    from flask import g

    with mail_app.app_context():
        emails.deliver_due()
        assert not g.get("begin_writes_immediately", False)
