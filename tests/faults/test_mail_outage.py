"""The mail server down (issue 14, "Faults"): the person's request succeeds, the message stays in the outbox with the
attempt recorded and a later try planned, and `flask send-mail` sends it, once, when the server is back. With the real
SMTP server on loopback (aiosmtpd, as tests/portal/test_mail.py), on a database that really commits.

Inline delivery (development) runs after the commit: neither a mail server that never answers nor a database that is
gone by then may hold the request or turn its answer into an error."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from app import create_app
from portal.database import now_utc
from portal.models import OutboxMessage, OutboxStatus
from tests.conftest import CSRF_RE, config_for_tests
from tests.portal.test_mail import SMTPServer, subject_of


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def development_app(outage, smtp_port: int) -> Flask:
    """Development's settings: mail goes out right after the commit (MAIL_DELIVER_INLINE)."""
    return create_app(config_for_tests(outage.app_url, PROPAGATE_EXCEPTIONS=False, MAIL_SERVER="127.0.0.1",
                                       MAIL_PORT=smtp_port, MAIL_SUPPRESS_SEND=False, MAIL_DELIVER_INLINE=True,
                                       MAIL_DEFAULT_SENDER="agency@example.com", MAIL_TIMEOUT=1))


@pytest.fixture
def mail_app(outage, smtp) -> Iterator[Flask]:
    app = development_app(outage, smtp.port)
    try:
        yield app
    finally:
        outage.up()
        app.extensions["database"].engine.dispose()


def registration(app: Flask, email: str):
    """A browser on the registration page, and the form it will send."""
    client = app.test_client()
    token = CSRF_RE.search(client.get("/register").get_data(as_text=True)).group(1)
    return client, {"csrf_token": token, "full_name": "Lee Park", "email": email, "password": "a long passphrase",
                    "confirm": "a long passphrase", "preferred_locale": "en"}


def register(app: Flask, email: str):
    client, form = registration(app, email)
    return client.post("/register", data=form)


def outbox_row(outage, email: str) -> OutboxMessage:
    engine = create_engine(outage.direct_url)
    try:
        with Session(engine) as session:
            return session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).one()
    finally:
        engine.dispose()


def send_mail(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def wait_for_inbox(smtp: SMTPServer, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(smtp.inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_smtp_down_keeps_the_mail_queued_and_send_mail_sends_it_once_when_it_is_back(outage, mail_app, smtp):
    smtp.stop()
    started = now_utc()
    assert register(mail_app, "down@example.com").status_code == 200  # the person's action doesn't wait for mail

    queued = outbox_row(outage, "down@example.com")
    assert queued.status is OutboxStatus.PENDING and queued.attempts == 1 and queued.last_error
    assert queued.next_attempt_at.replace(tzinfo=started.tzinfo) > started  # backs off before trying again

    smtp.start()
    assert "sent: 0" in send_mail(mail_app)  # not due yet
    with time_machine.travel(now_utc() + timedelta(minutes=2), tick=True):
        assert "sent: 1" in send_mail(mail_app)
        assert "sent: 0" in send_mail(mail_app)  # a second run has nothing left to send
    wait_for_inbox(smtp, 1)
    time.sleep(0.2)
    assert [subject_of(message) for message in smtp.inbox.messages] == ["Confirm your email address"]
    sent = outbox_row(outage, "down@example.com")
    assert sent.status is OutboxStatus.SENT and sent.attempts == 2


class SilentServer:
    """Takes SMTP connections and never says a word (a mail server hung, or a firewall that swallows the traffic)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_mail_server_that_never_answers_does_not_hold_the_request(outage):
    silent = SilentServer()
    mail_app = development_app(outage, silent.port)
    answers: list[int] = []
    request = threading.Thread(target=lambda: answers.append(register(mail_app, "silent@example.com").status_code))
    try:
        request.start()
        request.join(timeout=30)
        assert not request.is_alive(), "the request waited on the silent mail server"
    finally:
        silent.close()
        request.join(timeout=30)
        mail_app.extensions["database"].engine.dispose()
    assert answers == [200]
    queued = outbox_row(outage, "silent@example.com")
    assert queued.status is OutboxStatus.PENDING and queued.attempts == 1 and "timed out" in queued.last_error


def test_the_database_gone_after_the_commit_does_not_fail_the_request(outage, mail_app, smtp):
    """The registration committed; inline delivery, after the commit, finds the database gone: the answer is still
    the registration's, and the mail, committed with it, goes out with `send-mail` once the database is back."""
    gone = []

    def _go_away_after_the_commit(_session) -> None:
        if not gone:
            gone.append(True)
            outage.down()

    client, form = registration(mail_app, "committed@example.com")
    event.listen(Session, "after_commit", _go_away_after_the_commit)
    try:
        response = client.post("/register", data=form)
    finally:
        event.remove(Session, "after_commit", _go_away_after_the_commit)
    assert gone
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)

    outage.up()
    queued = outbox_row(outage, "committed@example.com")
    assert queued.status is OutboxStatus.PENDING and queued.attempts == 0
    assert "sent: 1" in send_mail(mail_app)
    wait_for_inbox(smtp, 1)
    assert [subject_of(message) for message in smtp.inbox.messages] == ["Confirm your email address"]
