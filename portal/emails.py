"""Email through an outbox table.

queue_email() renders the message in the recipient's language and adds it to the current transaction, so the email
exists exactly when the action that caused it was committed. deliver_due() sends what is due, after commit: inline in
development, and from `flask --app app send-mail` (cron) in production. SMTP failures are retried with back-off; no
user action fails because the mail server is down.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import BadHeaderError, Connection, email_dispatched
from markupsafe import Markup, escape
from sqlalchemy import bindparam, insert, select, update

from portal.database import begin_writes_immediately, call_after_commit, now_utc
from portal.extensions import db
from portal.mail_wire import OutboxMail, encode_address
from portal.models import OutboxMessage, OutboxStatus

log = logging.getLogger("portal.mail")

SUBJECTS = {
    "confirm_email": _l("Confirm your email address"),
    "reset_password": _l("Reset your password"),
    "invitation": _l("You are invited to the foster family portal"),
    "account_exists": _l("Someone tried to register with your email address"),
    "password_changed": _l("Your password was changed"),
    "new_sign_in": _l("A new sign-in to your account"),
}


def register_subjects(subjects: dict) -> None:
    """Feature packages add their email subjects (lazy strings) here, keyed by template name."""
    SUBJECTS.update(subjects)


def portal_url(endpoint: str, *, _anchor: str | None = None, **values: object) -> str:
    """An absolute link for an email, at the portal's public address (`PORTAL_URL`), never the address a request
    happened to come in on, and the same inside a request as in a command run from cron (`send-reminders`,
    `seed-demo`). Every emailed link is built here (tests/portal/test_email_links.py keeps Flask's external
    links out of the code)."""
    base = urlsplit(current_app.config["PORTAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(_anchor, safe='')}" if _anchor else url


# An http(s) address in text that is already escaped: it ends at a space or at an escaped quote or angle bracket.
_ADDRESS_IN_ESCAPED_TEXT = re.compile(r"https?://(?:(?!&lt;|&gt;|&#34;|&#39;|&quot;)\S)+")


def linkify(text: str | None) -> Markup:
    """Plain text (an email's body in the outbox view) as HTML with each http(s) address a link. The text is escaped
    first and only the addresses found in the escaped text become links, so nothing in a body becomes markup."""

    def link(match: re.Match[str]) -> str:
        address = match.group(0)
        trailing = len(address) - len(address.rstrip(".,;:!?)"))  # the sentence's period is not part of the link
        address, rest = address[:len(address) - trailing], address[len(address) - trailing:]
        return f'<a href="{address}" rel="noopener noreferrer">{address}</a>{rest}'

    return Markup(_ADDRESS_IN_ESCAPED_TEXT.sub(link, str(escape(text or ""))))  # noqa: S704 (escaped above)


def render_email(locale: str, template: str, *, subject: str | None = None, **context) -> tuple[str, str, str]:
    """`templates/emails/<template>.{txt,html}` rendered in `locale`: (subject, text, html). The subject is the
    template's registered one (SUBJECTS), unless `subject` gives words someone wrote (an announcement's)."""
    with force_locale(locale):
        if subject is None:
            subject = str(SUBJECTS[template]) % context.get("subject_values", {})
        context.setdefault("agency_name", current_app.config["AGENCY_NAME"])
        body_text = render_template(f"emails/{template}.txt", subject=subject, **context)
        body_html = render_template(f"emails/{template}.html", subject=subject, **context)
    return subject, body_text, body_html


def queue_email(recipient: str, locale: str, template: str, **context) -> OutboxMessage:
    """Render `templates/emails/<template>.{txt,html}` in `locale` and add it to the outbox (flush, no commit)."""
    subject, body_text, body_html = render_email(locale, template, **context)
    message = OutboxMessage(
        recipient=recipient,
        locale=locale,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    db.session.add(message)
    db.session.flush()
    if current_app.config["MAIL_DELIVER_INLINE"]:
        call_after_commit(lambda: deliver_due(only_ids=[message.id]))
    return message


def queue_each(messages: Iterable[tuple[str, str, str, dict]]) -> int:
    """Many personal emails at once, each (recipient, locale, template, context) rendered like queue_email's, the
    rows added by one INSERT (a job's thousands of reminders: one flush per message was half its time)."""
    created_at = now_utc()
    rows = []
    for recipient, locale, template, context in messages:
        subject, body_text, body_html = render_email(locale, template, **context)
        rows.append({"recipient": recipient, "locale": locale, "template": template, "subject": subject,
                     "body_text": body_text, "body_html": body_html, "created_at": created_at,
                     "next_attempt_at": created_at})
    return _insert_outbox_rows(rows)


def queue_rendered(template: str, recipients: Iterable[tuple[str, str]],
                   rendered: Mapping[str, tuple[str, str, str]]) -> int:
    """One outbox message per (address, locale) recipient, each the version of its locale from `rendered` (made once
    per locale by render_email): a message to many people. The rows go in as one Core INSERT ... RETURNING id over
    the table (batched by SQLAlchemy's "insertmanyvalues" on SQLite >= 3.35 and PostgreSQL; the ORM would insert
    row by row here: its batched RETURNING needs a sentinel column the outbox has not). Inline delivery sends
    exactly these ids: another batch of the same template queued at the same moment is not this one's to send.
    Returns how many were queued."""
    created_at = now_utc()  # one moment for the whole batch
    rows = [{"recipient": address, "locale": locale, "template": template, "subject": rendered[locale][0],
             "body_text": rendered[locale][1], "body_html": rendered[locale][2], "created_at": created_at,
             "next_attempt_at": created_at} for address, locale in recipients]
    return _insert_outbox_rows(rows)


def _insert_outbox_rows(rows: list[dict]) -> int:
    if not rows:
        return 0
    table = OutboxMessage.__table__
    ids = list(db.session.scalars(insert(table).returning(table.c.id), rows))
    if current_app.config["MAIL_DELIVER_INLINE"]:
        call_after_commit(lambda: deliver_due(limit=len(ids), only_ids=ids))
    return len(rows)


class _TimedConnection(Connection):
    """Flask-Mail's SMTP connection, with a socket timeout (MAIL_TIMEOUT seconds; Flask-Mail sets none): a mail server
    that takes the connection and never answers would otherwise hold `send-mail` (and its rows' locks), or the
    request of inline delivery, forever. A timeout is an OSError: the message is retried like any other failure."""

    def configure_host(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=current_app.config.get("MAIL_TIMEOUT", 10))
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def send(self, message, envelope_from=None) -> None:
        """Flask-Mail 0.10's send, the same checks and signal; for an outbox message the envelope's addresses come
        from mail_wire's encoder (a plain address as it is) instead of parsing both again for every message."""
        if not isinstance(message, OutboxMail) or envelope_from is not None or self.host is None or message.cc \
                or message.bcc or not isinstance(message.sender, str) or not message.sender or not message.recipients:
            # Flask-Mail's own send, with its checks (no sender, nobody to send to: an AssertionError, not a
            # message from <> to nobody).
            return super().send(message, envelope_from)
        if message.has_bad_headers():
            raise BadHeaderError
        if message.date is None:
            message.date = time.time()
        self.host.sendmail(encode_address(message.sender), [encode_address(r) for r in message.recipients],
                           message.as_bytes(), message.mail_options, message.rcpt_options)
        email_dispatched.send(current_app._get_current_object(), message=message)
        self.num_emails += 1
        if self.num_emails == self.mail.max_emails:
            self.num_emails = 0
            self.host.quit()
            self.host = self.configure_host()
        return None


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4, 8 ... minutes, at most six hours between tries.
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


# Messages are claimed this many at a time; a claim lasts CLAIM_LEASE (a sender that died mid-batch leaves its
# unsent messages to be claimed again after it). A sender stops LEASE_MARGIN before its claim runs out and gives
# the rest back: past the lease another sender may claim them.
CLAIM_BATCH = 100
CLAIM_LEASE = timedelta(minutes=15)
LEASE_MARGIN = timedelta(minutes=2)

# The columns a send needs, returned by the claim itself: nothing is read, and no transaction is open, while SMTP
# talks (on SQLite an open write transaction would lock every other writer out for the whole batch).
_OUTGOING = ("id", "recipient", "subject", "body_text", "body_html", "attempts")


@dataclass
class _Claim:
    rows: list  # claimed rows (_OUTGOING columns), in id order
    expires_at: datetime


@dataclass
class _Outcomes:
    """What happened to a claimed batch, written in one short transaction once the batch is done."""

    sent: list[dict] = field(default_factory=list)
    retry: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    given_back: list[int] = field(default_factory=list)


class _Disconnected(Exception):
    """The SMTP connection dropped and could not be opened again."""


def _claim_due(limit: int, only_ids: list[int] | None) -> _Claim:
    """Claim up to `limit` due messages for this sender and commit the claim: one UPDATE pushes their next attempt
    past the lease, and only the rows it changed (returned with what sending them needs) are ours. On PostgreSQL
    the candidates are read FOR UPDATE SKIP LOCKED, so a concurrent sender takes the next ones instead of waiting;
    on SQLite writers take turns. Either way two senders at the same moment (cron on two machines, or inline
    delivery beside cron) never both send one. No transaction is left open."""
    session = db.session
    table = OutboxMessage.__table__
    now = now_utc()
    due = (table.c.status == OutboxStatus.PENDING, table.c.next_attempt_at <= now)
    candidates = select(table.c.id).where(*due).order_by(table.c.id).limit(limit)
    if only_ids is not None:
        candidates = candidates.where(table.c.id.in_(only_ids))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with begin_writes_immediately():  # on SQLite: several senders at once wait for each other's claims
        claimed = list(session.execute(update(table).where(table.c.id.in_(candidates.scalar_subquery()), *due)
                                       .values(next_attempt_at=now + CLAIM_LEASE)
                                       .returning(*(table.c[name] for name in _OUTGOING))))
        session.commit()
    return _Claim(sorted(claimed, key=lambda row: row.id), now + CLAIM_LEASE)


def deliver_due(limit: int = 200, only_ids: list[int] | None = None) -> dict[str, int]:
    """Send up to `limit` due outbox messages over one SMTP connection, claiming them CLAIM_BATCH at a time (safe
    to run on several machines at once); commits its own progress, each batch's outcomes in one short transaction
    after its SMTP exchanges. Returns counts by outcome.

    A message that can't be sent costs an attempt (an SMTP or network error: retried with back-off; anything else,
    such as a header with a newline, can't succeed later: failed at once). A connection that drops mid-run is opened
    again once and the message retried, without an attempt counted; if it can't be opened, the rest of the batch is
    given back (due at once, no attempt counted) and the run stops, as it does when its claim is about to run out."""
    counts = {"sent": 0, "logged": 0, "failed": 0, "retry": 0}
    sender = _Sender()
    try:
        while limit > 0:
            claim = _claim_due(min(limit, CLAIM_BATCH), only_ids)
            if not claim.rows:
                break
            limit -= len(claim.rows)
            if not current_app.config["MAIL_SERVER"]:
                _log_instead(claim.rows, counts)
                continue
            if not sender.send_batch(claim, counts):
                break
    finally:
        sender.close()
    return counts


def _log_instead(rows: list, counts: dict[str, int]) -> None:
    outcomes = _Outcomes()
    for row in rows:
        log.info("mail (not sent: no MAIL_SERVER) to=%s subject=%s\n%s", row.recipient, row.subject, row.body_text)
        outcomes.sent.append({"_id": row.id, "status": OutboxStatus.LOGGED, "sent_at": now_utc(),
                              "attempts": row.attempts})
        counts["logged"] += 1
    _write(outcomes)


class _Sender:
    """One SMTP connection for the run, opened at the first message and opened again (once per message) when the
    server drops it (a relay that closes after N messages)."""

    def __init__(self) -> None:
        self.connection = None

    def send_batch(self, claim: _Claim, counts: dict[str, int]) -> bool:
        """Send the claimed rows; their outcomes are written when the batch ends, however it ends (an exception
        here still writes what was sent: nothing sent goes out again). False: stop the run."""
        outcomes = _Outcomes()
        rows = claim.rows
        try:
            if self.connection is None:
                try:
                    self._connect()
                except OSError as exc:  # the server is down: each message costs an attempt and backs off
                    for row in rows:
                        _record_failure(row, exc, counts, outcomes)
                    return False
            for index, row in enumerate(rows):
                if now_utc() >= claim.expires_at - LEASE_MARGIN:
                    log.warning("mail: claim about to run out; %d messages given back", len(rows) - index)
                    outcomes.given_back.extend(r.id for r in rows[index:])
                    return False
                try:
                    self._send(row)
                except _Disconnected as exc:
                    log.warning("mail: SMTP connection lost (%s); %d messages given back", exc, len(rows) - index)
                    outcomes.given_back.extend(r.id for r in rows[index:])
                    return False
                except Exception as exc:  # any error is this message's, recorded on it
                    _record_failure(row, exc, counts, outcomes)
                    if not isinstance(exc, OSError):
                        self._reset()
                else:
                    outcomes.sent.append({"_id": row.id, "status": OutboxStatus.SENT, "sent_at": now_utc(),
                                          "attempts": row.attempts + 1})
                    counts["sent"] += 1
            return True
        finally:
            _write(outcomes)

    def _send(self, row) -> None:
        message = _to_mail_message(row)
        if self.connection is not None:
            try:
                self.connection.send(message)
                return
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                log.warning("mail %s: SMTP connection dropped (%s); reconnecting", row.id, exc)
                self.close()
        try:
            self._connect()
        except OSError as exc:
            raise _Disconnected(f"{type(exc).__name__}: {exc}") from exc
        try:
            self.connection.send(message)  # dropped again on a fresh connection: this message's failure
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            raise

    def _connect(self) -> None:
        connection = _TimedConnection(current_app.extensions["mail"])
        connection.__enter__()
        self.connection = connection

    def _reset(self) -> None:
        """After an error that is not the server's (a header refused before sending, an address that can't be
        encoded halfway through the envelope): start a fresh SMTP transaction for the next message."""
        host = getattr(self.connection, "host", None)
        if host is not None:
            with contextlib.suppress(Exception):
                host.rset()

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.__exit__(None, None, None)
            except Exception:
                log.warning("SMTP connection did not close cleanly")


def _record_failure(row, exc: Exception, counts: dict[str, int], outcomes: _Outcomes) -> None:
    attempts = row.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    if not isinstance(exc, OSError):
        outcomes.failed.append({"_id": row.id, "attempts": attempts, "last_error": error})
        counts["failed"] += 1
        log.error("mail %s to %s can't be sent (%s): given up", row.id, row.recipient, error, exc_info=exc)
    elif attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        outcomes.failed.append({"_id": row.id, "attempts": attempts, "last_error": error})
        counts["failed"] += 1
        log.error("mail %s to %s given up after %s attempts: %s", row.id, row.recipient, attempts, exc)
    else:
        outcomes.retry.append({"_id": row.id, "attempts": attempts, "last_error": error,
                               "next_attempt_at": now_utc() + _retry_delay(attempts)})
        counts["retry"] += 1
        log.warning("mail %s to %s not sent yet (%s); will retry", row.id, row.recipient, exc)


def _write(outcomes: _Outcomes) -> None:
    """A batch's outcomes in one short transaction (one executemany per kind)."""
    table = OutboxMessage.__table__
    by_id = table.c.id == bindparam("_id")
    statements = [
        (update(table).where(by_id), outcomes.sent),
        (update(table).where(by_id).values(status=OutboxStatus.FAILED), outcomes.failed),
        (update(table).where(by_id), outcomes.retry),
        (update(table).where(by_id).values(next_attempt_at=now_utc()),
         [{"_id": message_id} for message_id in outcomes.given_back]),
    ]
    if not any(rows for _statement, rows in statements):
        return
    with begin_writes_immediately():
        for statement, rows in statements:
            if rows:
                db.session.execute(statement, rows)
        db.session.commit()


def _to_mail_message(row) -> OutboxMail:
    return OutboxMail(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
