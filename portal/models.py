"""Core records: people and their roles, households, the mail outbox and the audit trail."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    FAMILY = "family"
    HOMEFINDER = "homefinder"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self in STAFF_ROLES


STAFF_ROLES = frozenset({Role.HOMEFINDER, Role.COORDINATOR, Role.ADMIN})

ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.FAMILY: _l("Foster family"),
    Role.HOMEFINDER: _l("Homefinder"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
}


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as the value (lower-case words) in a VARCHAR, so adding a member is not a PostgreSQL type migration.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Household(Base):
    """The people who apply together and, once licensed, foster together."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    members: Mapped[list[User]] = relationship(back_populates="household", lazy="raise")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), index=True)
    preferred_locale: Mapped[str] = mapped_column(String(8), default="en")
    # Null until the person sets one (staff invitations).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated whenever the password is set or every session ends: reset and invitation links carry a fingerprint of
    # it, so each works once. (Sessions themselves are SignedInSession rows.)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The second sign-in step (portal/two_step.py): the authenticator app's secret, encrypted with a key derived from
    # SECRET_KEY (a copy of the database alone gives no codes); the last time step used, so a code works once.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    household: Mapped[Household | None] = relationship(back_populates="members", lazy="raise")

    # Set by the session loader and at sign-in: the key of the session this request belongs to (never stored).
    session_key = None  # str | None (not an annotation: not a column)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the session cookie: the signed-in session's random key, never the account's id.
        return self.session_key

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def has_authenticator(self) -> bool:
        return self.totp_enabled_at is not None


class SignedInSession(Base):
    """One place a person is signed in: a browser on a device. The cookie carries a random key; only its SHA-256 is
    stored, so a copy of the database signs nobody in. Ending a session (sign-out, "sign out everywhere", an admin,
    a password change) makes its cookie useless on the next request."""

    __tablename__ = "signed_in_session"
    __table_args__ = (Index("ix_signed_in_session_user_live", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the browser's long-lived device cookie: a sign-in from a device never seen before is told by email.
    device_hash: Mapped[str] = mapped_column(String(64), index=True)
    # How the second step was passed: "" (not asked: a family without it), "totp", "recovery", "passkey".
    second_step: Mapped[str] = mapped_column(String(16), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    ip_address: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    end_reason: Mapped[str] = mapped_column(String(32), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")


class RecoveryCode(Base):
    """Ten single-use codes for when the authenticator app is lost. Stored as a keyed hash (HMAC-SHA256 with the
    app's secret): the codes are long random strings, so a slow password hash would add nothing but waiting."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Passkey(Base):
    """A WebAuthn credential (a passkey) a person registered as their second step."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Versioned:
    """Who last changed a record staff edit, and a version for optimistic locking: saving over someone else's newer
    change raises StaleDataError (shown as "someone else changed this meanwhile")."""

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class AuditEvent(Base):
    """The one event log: every state change and every read of a sensitive record, for audits and court.

    Append-only: never updated, never deleted. Written only by portal.audit.record (directly, or through
    portal.transitions.transition for status changes)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The household the event is about, so each household's history (application, checklist) is one indexed query.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # The child the event is about (a child's record read, an appointment, a placement), so "everything about this
    # child" is one indexed query for an audit or a court.
    child_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Status changes (portal.transitions): from what, to what, and why.
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    ip_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise")


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"  # development without an SMTP server: written to the log instead
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS


OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("waiting to be sent"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.LOGGED: _l("written to the log"),
    OutboxStatus.FAILED: _l("not delivered"),
}


def outbox_status_label(status: OutboxStatus | str) -> str:
    return str(OUTBOX_STATUS_LABELS[OutboxStatus(status)])


class OutboxMessage(Base):
    """An email written in the same transaction as the action that caused it, delivered after commit."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    template: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)


class PendingSubmission(Base):
    """What someone typed into a form when their session had ended, kept until they sign in again (one day).

    Only the random key travels in the new session cookie; the typed values stay on the server.
    """

    __tablename__ = "pending_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # The person whose session ended while typing: the only one it is given back to (portal/pending.py).
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    form_data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)


class CalendarFeed(Base):
    """A private calendar subscription URL: a person's secret token for one kind of feed ("children" for the placed
    children's appointments, "training" for enrolled sessions and support-group meetings). Only the token's SHA-256
    is stored; revoking (or making a new one) kills the old URL at once. What a feed shows is decided on every fetch
    by the same rules as the pages (portal/children/visibility.py for children)."""

    __tablename__ = "calendar_feed"
    __table_args__ = (Index("ix_calendar_feed_user_scope", "user_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="raise")
