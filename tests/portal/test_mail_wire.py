"""The outbox's emails as written on the wire (portal/mail_wire.py): what a mail reader gets from them is what
Flask-Mail's own `email`-package message gives (headers, the text and HTML parts, a Spanish subject), and every line
keeps within SMTP's limits."""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header

import pytest
from flask_mail import BadHeaderError

from portal.mail_wire import MAX_LINE, OutboxMail, encode_subject, wire_bytes

SPANISH = "Recordatorio: mañana es la visita de estudio del hogar con Ñandú Pérez-Güemes, ¿está lista la familia?"
TEXT = "Hola, Marta Ruiz:\n\nMañana a las 10:00 a. m. es la visita.\n.\nUna línea que empieza con un punto.\n"
HTML = "<p>Hola, Marta Ruiz:</p>\n<p>Mañana a las 10:00 a.\u00a0m. es la visita.</p>"


def _message(subject=SPANISH, text=TEXT, html=HTML, recipient="marta@example.com", sender="agency@example.com"):
    message = OutboxMail(subject=subject, recipients=[recipient], body=text, html=html, sender=sender)
    message.date = 1_796_000_000.0
    return message


def _flask_mail_bytes(message) -> bytes:
    return super(OutboxMail, message).as_bytes()  # Flask-Mail's own path, through the email package


def _read(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def _summary(data: bytes) -> dict:
    message = _read(data)
    return {
        "headers": {name: str(make_header(decode_header(value))) for name, value in message.items()
                    if name != "Content-Type"},
        "structure": [part.get_content_type() for part in message.walk()],
        "contents": [part.get_content().replace("\r\n", "\n") for part in message.walk()
                     if not part.is_multipart()],
        "charsets": [part.get_content_charset() for part in message.walk() if not part.is_multipart()],
    }


@pytest.mark.parametrize("subject", [SPANISH, "Picnic", "Confirme su dirección de correo electrónico",
                                     "A plain English subject that is long enough to be folded over two lines of it",
                                     "Ñ" * 90, "Emoji 🎉 and ñ", "Folded\r\n subject"])
def test_a_reader_gets_what_flask_mails_own_message_gives(app, subject):
    with app.app_context():
        message = _message(subject=subject)
        ours, theirs = _summary(message.as_bytes()), _summary(_flask_mail_bytes(message))
    assert ours["headers"]["Subject"] == subject.replace("\r\n ", " ")
    theirs["headers"]["Subject"] = theirs["headers"]["Subject"].lstrip()  # Flask-Mail folds a long one before it
    assert ours == theirs
    assert ours["structure"] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
    assert ours["contents"] == [TEXT, HTML]
    assert set(ours["headers"]) == {"MIME-Version", "Subject", "From", "To", "Date", "Message-ID"}


def test_a_text_only_message_and_a_named_sender(app):
    with app.app_context():
        message = _message(html=None, sender=("Agencia Niños Felices", "agency@example.com"))
        ours, theirs = _summary(message.as_bytes()), _summary(_flask_mail_bytes(message))
    assert ours == theirs and ours["structure"] == ["text/plain"]
    assert ours["headers"]["From"] == "Agencia Niños Felices <agency@example.com>"


def test_every_line_on_the_wire_keeps_within_smtps_limit(app):
    """A body with a line longer than SMTP's 998 octets (an HTML email with no line breaks) goes as base64, so no
    server cuts or refuses it; the reader still gets it whole."""
    long_html = "<p>" + "Mañana es la visita. " * 200 + "</p>"
    with app.app_context():
        data = _message(html=long_html).as_bytes()
    assert max(len(line) for line in data.split(b"\r\n")) <= MAX_LINE
    assert max(len(line) for line in data.split(b"\r\n")[:12]) <= 78  # the headers, folded
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only
    assert _summary(data)["contents"] == [TEXT, long_html]


def test_encoded_subject_lines_stay_short_and_keep_every_character():
    for subject in (SPANISH, "ñ" * 200, "a" * 30 + "é" + "🎉" * 40, "Plain words " * 20, "Two  spaces " * 12):
        encoded = encode_subject(subject)
        lines = ("Subject: " + encoded).split("\r\n")
        assert all(len(line) <= 78 for line in lines), lines
        unfolded = encoded.replace("\r\n ", " ")  # as a reader unfolds it (RFC 5322 2.2.3)
        assert str(make_header(decode_header(unfolded))) == subject


def test_the_envelope_names_the_same_people_as_flask_mails_own_send(app):
    """The outbox's connection writes the envelope (MAIL FROM, RCPT TO) itself: the same addresses Flask-Mail's own
    send gives, for a plain sender and for one with a Spanish name."""
    from flask_mail import Connection

    from portal.emails import _TimedConnection

    class Host:
        def __init__(self):
            self.calls = []

        def sendmail(self, sender, recipients, data, *_options):
            self.calls.append((sender, recipients, data))

    with app.app_context():
        mail = app.extensions["mail"]
        for sender in ("agency@example.com", ("Agencia Niños Felices", "agency@example.com")):
            ours, theirs = _TimedConnection(mail), Connection(mail)
            ours.host, theirs.host = Host(), Host()
            ours.send(_message(sender=sender))
            theirs.send(_message(sender=sender))
            assert ours.host.calls[0][:2] == theirs.host.calls[0][:2]
            ours_read, theirs_read = _summary(ours.host.calls[0][2]), _summary(theirs.host.calls[0][2])
            assert ours_read["headers"].pop("Message-ID") != theirs_read["headers"].pop("Message-ID")  # two messages
            assert ours_read == theirs_read


@pytest.mark.parametrize("subject", ["Hola\rBcc: evil@example.com", "Hola\n\rBcc: evil@example.com",
                                     "Hola\r\nBcc: evil@example.com"])
def test_no_line_break_of_a_subject_reaches_the_wire_as_one(subject):
    encoded = encode_subject(subject)
    assert "\r" not in encoded.replace("\r\n ", "") and "\n" not in encoded.replace("\r\n ", "")
    assert str(make_header(decode_header(encoded.replace("\r\n ", " ")))) == "Hola Bcc: evil@example.com"


def test_a_word_too_long_for_a_line_is_encoded_so_it_can_be_broken():
    subject = "Read this: https://portal.example.org/" + "x" * 200
    encoded = encode_subject(subject)
    assert all(len(line) <= 78 for line in ("Subject: " + encoded).split("\r\n"))
    assert str(make_header(decode_header(encoded.replace("\r\n ", " ")))) == subject


@pytest.mark.parametrize("field", ["sender", "recipient"])
def test_a_line_break_in_an_address_is_refused(field):
    addresses = {"sender": "agency@example.com", "recipient": "marta@example.com"}
    addresses[field] = "marta@example.com\r\nBcc: evil@example.com"
    with pytest.raises(BadHeaderError):
        wire_bytes(subject="Hola", text="Hola", html=None, date=None, message_id="<1@example.com>", **addresses)


def test_the_outbox_connection_refuses_a_header_injection_and_writes_nothing(app):
    from portal.emails import _TimedConnection

    class Host:
        def __init__(self):
            self.calls = []

        def sendmail(self, *args):
            self.calls.append(args)

    with app.app_context():
        connection = _TimedConnection(app.extensions["mail"])
        connection.host = Host()
        for message in (_message(subject="Hola\rBcc: evil@example.com"),
                        _message(recipient="marta@example.com\nBcc: evil@example.com")):
            with pytest.raises(BadHeaderError):
                connection.send(message)
        assert connection.host.calls == []
