"""Mail through a real SMTP server on loopback: rendered in the recipient's language, kept while the server is down."""

from __future__ import annotations

import email
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
