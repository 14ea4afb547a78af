"""The outbox's emails as the bytes that go over SMTP, written directly.

Flask-Mail's `Message.as_bytes()` builds `email.mime` objects and flattens them under `email.policy.SMTP`, which
parses and refolds every header again: about 2 ms of CPU per message, most of `send-mail`'s time for the 20,000
emails of a large agency's reminder day. The outbox sends one shape only (a text body and its HTML version, to one
person, no attachments), so it is written here in a few string operations, in the form Flask-Mail gives it:
multipart/mixed around multipart/alternative (text/plain, text/html), UTF-8 bodies sent as 7bit or 8bit (base64
where a line would pass SMTP's 998-octet limit), a non-ASCII subject as RFC 2047 encoded words, and the same
headers (Subject, From, To, Date, Message-ID). Any other message (an attachment, a copy, extra headers) is left to
Flask-Mail.
"""

from __future__ import annotations

import base64
import re
import secrets
from email.utils import formatdate
from functools import lru_cache

from flask_mail import BadHeaderError, Message, sanitize_address

CRLF = b"\r\n"
MIME_VERSION = "MIME-Version: 1.0\r\n"
MAX_LINE = 998  # octets in a line, without its CRLF (RFC 5321 4.5.3.1.6)
# A folded subject ("first line\r\n second"), which Flask-Mail lets through; and any other line break (a bare CR
# too), which must never reach the wire as one (a header of the attacker's own).
_FOLDING = re.compile(r"[\r\n]+[ \t]*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# UTF-8 octets in one encoded word: 42 give 56 base64 characters, a word of 68, a first line of 77 with "Subject: ".
_WORD_OCTETS = 42


class OutboxMail(Message):
    """A Flask-Mail message whose bytes are written by `wire_bytes` when it has the outbox's shape."""

    def as_bytes(self) -> bytes:
        if self.attachments or self.cc or self.bcc or self.reply_to or self.extra_headers or self.body is None \
                or set(self.alts) - {"html"} or len(self.recipients) != 1:
            return super().as_bytes()
        return wire_bytes(subject=self.subject, sender=self.sender, recipient=self.recipients[0], text=self.body,
                          html=self.alts.get("html"), date=self.date, message_id=self.msgId)


def wire_bytes(*, subject: str, sender: str, recipient: str, text: str, html: str | None, date: float | None,
               message_id: str) -> bytes:
    """One email, headers and MIME parts, with CRLF line ends, ready for `smtplib.SMTP.sendmail`."""
    if any(character in value for value in (sender, recipient, message_id) for character in "\r\n"):
        raise BadHeaderError  # a line break in an address would start a header of its own
    parts = [_part("plain", text)] if html is None else [_part("plain", text), _part("html", html)]
    headers = []
    if subject:
        headers.append(("Subject", encode_subject(subject)))
    headers += [("From", encode_address(sender)), ("To", encode_address(recipient)),
                ("Date", formatdate(date, localtime=True)), ("Message-ID", message_id)]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    if html is None:
        return parts[0][0] + head + CRLF + parts[0][1]
    alternative = _multipart("alternative", parts)
    mixed = _multipart("mixed", [alternative])
    return mixed[0] + head + CRLF + mixed[1]


@lru_cache(maxsize=512)  # a job's thousands of emails share a few subjects
def encode_subject(subject: str) -> str:
    """The subject as a header value, folded so that each line keeps within 78 characters: ASCII as it is (broken at
    spaces), anything else as UTF-8 encoded words (RFC 2047, "B" encoding), one a line. (email.header.Header does this
    too, but weighs quoted-printable against base64 for every piece: a millisecond a subject.)"""
    subject = _FOLDING.sub(" ", subject)
    # A word too long for one line (a pasted link) can't be broken at a space: encoded words can be broken anywhere.
    if subject.isascii() and all(len(word) <= 68 for word in subject.split(" ")):
        return _folded(subject)
    words, piece, size = [], [], 0
    for character in subject:
        length = len(character.encode("utf-8"))
        if size + length > _WORD_OCTETS:
            words.append("".join(piece))
            piece, size = [], 0
        piece.append(character)
        size += length
    words.append("".join(piece))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?=" for word in words)


def _folded(text: str) -> str:
    """ASCII words on lines within 78 characters (the first one after "Subject: "), broken at spaces."""
    lines, words, length = [], [], 0
    for word in text.split(" "):
        limit = 68 if not lines else 77
        if words and word and length + 1 + len(word) > limit:
            lines.append(" ".join(words))
            words, length = [word], len(word)
        else:
            length += len(word) + (1 if words else 0)
            words.append(word)
    return "\r\n ".join([*lines, " ".join(words)])


@lru_cache(maxsize=64)
def _address(address: str) -> str:
    return sanitize_address(address)


def encode_address(address: str) -> str:
    """A plain address as it is; one with a name or non-ASCII as Flask-Mail writes it."""
    return address if _PLAIN_ADDRESS.fullmatch(address) else _address(address)


def _part(subtype: str, text: str) -> tuple[bytes, bytes]:
    """A text part: (its Content-Type, MIME-Version and Content-Transfer-Encoding lines, its body)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8").split(b"\n")
    body = CRLF.join(lines)
    if max(map(len, lines)) > MAX_LINE:
        encoding, body = "base64", base64.encodebytes(body).rstrip(b"\n").replace(b"\n", CRLF)
    else:
        encoding = "7bit" if body.isascii() else "8bit"
    head = (f'Content-Type: text/{subtype}; charset="utf-8"\r\n{MIME_VERSION}'
            f"Content-Transfer-Encoding: {encoding}\r\n").encode("ascii")
    return head, body


def _multipart(subtype: str, parts: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """Parts under a boundary that none of them contains: (its Content-Type and MIME-Version lines, its body)."""
    while True:
        boundary = f"=_{secrets.token_hex(12)}"
        delimiter = b"--" + boundary.encode("ascii")
        if not any(delimiter in head or delimiter in body for head, body in parts):
            break
    body = b"".join(delimiter + CRLF + head + CRLF + part_body + CRLF for head, part_body in parts)
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n{MIME_VERSION}'.encode("ascii")
    return head, body + delimiter + b"--" + CRLF
