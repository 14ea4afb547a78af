"""Recruitment records: leads (people who asked about fostering), their inquiries, information sessions and RSVPs."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.folding import fold_text
from portal.models import Household, enum_column
from portal.tokens import new_nonce
from portal.transitions import StateMachine, moves


class Interest(enum.StrEnum):
    FOSTER = "foster"
    FOSTER_ADOPT = "foster_adopt"
    RESPITE = "respite"
    KINSHIP = "kinship"


class LeadSource(enum.StrEnum):
    EVENT = "event"
    FOSTER_PARENT_REFERRAL = "foster_parent_referral"
    FAITH_COMMUNITY = "faith_community"
    SOCIAL_MEDIA = "social_media"
    SEARCH = "search"
    OTHER = "other"


class LeadStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    RSVPED = "rsvped"
    ATTENDED = "attended"
    INVITED = "invited"
    APPLYING = "applying"
    CLOSED = "closed"


LEAD_STATUS_LABELS = {
    LeadStatus.NEW: _l("New"),
    LeadStatus.CONTACTED: _l("Contacted"),
    LeadStatus.RSVPED: _l("Signed up for a session"),
    LeadStatus.ATTENDED: _l("Attended a session"),
    LeadStatus.INVITED: _l("Invited to apply"),
    LeadStatus.APPLYING: _l("Applying"),
    LeadStatus.CLOSED: _l("Closed"),
}
# The pipeline only moves forward (a family may skip steps: invited without a session, say); a closed lead that
# asks again is new again.
PIPELINE = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.RSVPED, LeadStatus.ATTENDED, LeadStatus.INVITED,
            LeadStatus.APPLYING]
LEAD_MOVES = StateMachine("Lead", moves({
    **{status: {*PIPELINE[i + 1:], LeadStatus.CLOSED} for i, status in enumerate(PIPELINE)},
    LeadStatus.CLOSED: {LeadStatus.NEW},
}), needs_reason=frozenset({LeadStatus.CLOSED}), labels=LEAD_STATUS_LABELS)


class ClosedReason(enum.StrEnum):
    """Why a family left the pipeline: agencies report closures by reason."""

    WITHDREW = "withdrew"
    DENIED = "denied"
    MOVED = "moved"
    NOT_ELIGIBLE = "not_eligible"
    NO_RESPONSE = "no_response"
    OTHER = "other"


class EventKind(enum.StrEnum):
    FAIR = "fair"
    FAITH_TALK = "faith_talk"
    SCHOOL_TALK = "school_talk"
    COMMUNITY_TALK = "community_talk"
    ONLINE_CAMPAIGN = "online_campaign"
    PRINT_CAMPAIGN = "print_campaign"
    OTHER = "other"


class RecruitmentEvent(Base):
    """A recruitment effort beyond information sessions (a fair, a talk at a church or school, an online campaign),
    with a short source code: inquiries that name it (a link `?source=CODE`, or the code typed) count for it."""

    __tablename__ = "recruitment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    # Upper-case letters, digits and dashes ("FAIR-2026-SPRING"): printed on flyers, typed in links.
    source_code: Mapped[str] = mapped_column(String(40), unique=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8), default="en")
    county: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Lead(Base):
    """A person or couple who asked about fostering; stays linked to their account and application."""

    __tablename__ = "lead"
    # The stalled count (licensing/pipeline/stages.py::stalled_condition) reads the families on their way by when
    # they were last active, from this index alone.
    # The board's default order (days in the stage) walks ix_lead_status_changed; "my families" reads who works
    # each family and its order from ix_lead_board_homefinder alone, not from the lead's wide rows.
    __table_args__ = (Index("ix_lead_finished_activity", "finished", "last_activity_at"),
                      Index("ix_lead_status_changed", "status_changed_at", "id"),
                      Index("ix_lead_board_homefinder", "household_id", "assigned_homefinder_id", "status_changed_at",
                            "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_locale: Mapped[str] = mapped_column(String(8), default="en")
    county: Mapped[str] = mapped_column(String(100), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    source: Mapped[LeadSource] = mapped_column(enum_column(LeadSource, "lead_source"))
    interest: Mapped[Interest] = mapped_column(enum_column(Interest, "interest"))
    status: Mapped[LeadStatus] = mapped_column(
        enum_column(LeadStatus, "lead_status"), default=LeadStatus.NEW, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    # Set only by a logged contact that reached the family (the earliest): the hours to first contact are measured
    # by it.
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # One business day after the inquiry arrived (portal/clock.py::first_contact_due), set when the lead is made:
    # not contacted by then is late (dashboard, leads list), contacted by then is "within one business day" (metrics).
    first_contact_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # When a homefinder invited them to apply: once only, shown instead of the button afterwards.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the invitation was last sent again (a new link: the first one expires or gets lost); invited_at stays.
    invitation_resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Links in emails to this lead (RSVP, create account) carry this value; rotating it retires them.
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    assigned_homefinder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The recruitment event the family came from (by its source code), when they named one.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_event.id"), index=True)
    # When the lead's own status last changed (days in the current stage), and when anything last happened to the
    # lead or its household (an event in the one log): the board's "stalled" flag. Both kept by
    # licensing/recruitment/activity.py from the event log, never by hand.
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    # Licensed or closed (the stage is one of FINISHED_STAGES): the lead's, its application's and its license's
    # statuses in one column, written in the same flush as any of them by licensing/pipeline/finished.py, never by
    # hand. Read in SQL only (an object loaded before that flush keeps the value it was loaded with).
    finished: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A closed family: why, and when (closures are reported by reason).
    closed_reason: Mapped[ClosedReason | None] = mapped_column(enum_column(ClosedReason, "closed_reason"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The follow-up the latest logged contact asked for (the homefinder's "due today"), kept with each contact.
    next_follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    # What the staff search reads (portal/paging.py::matches, `folded=`): the name and email folded once on write
    # (lead_search_text), so a search over every family compares stored text instead of folding three columns of
    # every row at every request. Kept by the column default (any INSERT, bulk ones too) and _refold_search on ORM
    # updates; a Core UPDATE of a name or email must set it as well (none does).
    search_folded: Mapped[str] = mapped_column(Text, default=lambda context: _search_text_of(context))

    inquiries: Mapped[list[LeadInquiry]] = relationship(back_populates="lead", lazy="raise", order_by="LeadInquiry.id")
    rsvps: Mapped[list[SessionRsvp]] = relationship(back_populates="lead", lazy="raise")
    household: Mapped[Household | None] = relationship(lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def set_first_contact_due(self) -> None:
        """The lead's first-contact deadline from its arrival (created_at, now when not set yet)."""
        import os
        from zoneinfo import ZoneInfo

        from flask import has_app_context

        from portal.clock import first_contact_due

        if self.created_at is None:
            self.created_at = now_utc()
        # Outside the app (a script's own session, a test's) the zone is the one the app's config would read.
        zone = None if has_app_context() else ZoneInfo(os.environ.get("PORTAL_TIMEZONE", "America/Los_Angeles"))
        self.first_contact_due_at = first_contact_due(self.created_at, zone)


@event.listens_for(Lead, "before_insert")
def _first_contact_due_on_insert(_mapper, _connection, lead: Lead) -> None:
    # The services set it where they make leads (record_inquiry, applications, the demo); this catches any other
    # lead made through the ORM (a script, a test) so no lead is left without a deadline. Bulk inserts (the scale
    # demo) bypass it and set the column themselves.
    if lead.first_contact_due_at is None:
        lead.set_first_contact_due()


def lead_search_text(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """Lead.search_folded: "first last" and the email, case and accents folded (portal/folding.py), on two lines.
    A searched word has no whitespace, so it is found in the stored text exactly when it is in the name (the first,
    the last, or across them) or in the email: never across the line break."""
    return fold_text(f"{first_name or ''} {last_name or ''}\n{email or ''}")


def _search_text_of(context) -> str:
    values = context.get_current_parameters()
    return lead_search_text(values.get("first_name"), values.get("last_name"), values.get("email"))


@event.listens_for(Lead, "before_update")
def _refold_search(_mapper, _connection, lead: Lead) -> None:
    folded = lead_search_text(lead.first_name, lead.last_name, lead.email)
    if lead.search_folded != folded:
        lead.search_folded = folded


class LeadInquiry(Base):
    """Each time the interest form is sent: a second inquiry with the same email attaches here."""

    __tablename__ = "lead_inquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    interest: Mapped[Interest] = mapped_column(enum_column(Interest, "interest"))
    source: Mapped[LeadSource] = mapped_column(enum_column(LeadSource, "lead_source"))
    questions: Mapped[str] = mapped_column(Text, default="")

    lead: Mapped[Lead] = relationship(back_populates="inquiries", lazy="raise")


class SessionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class InfoSession(Base):
    """An information session / orientation that homefinders publish."""

    __tablename__ = "info_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat, "session_format"))
    address: Mapped[str] = mapped_column(String(300), default="")
    meeting_link: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    capacity: Mapped[int] = mapped_column(default=20)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    rsvps: Mapped[list[SessionRsvp]] = relationship(back_populates="session", lazy="raise")


class SessionRsvp(Base):
    __tablename__ = "session_rsvp"
    __table_args__ = (UniqueConstraint("session_id", "lead_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("info_session.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    attended: Mapped[bool | None] = mapped_column(default=None)

    session: Mapped[InfoSession] = relationship(back_populates="rsvps", lazy="raise")
    lead: Mapped[Lead] = relationship(back_populates="rsvps", lazy="raise")


class ContactKind(enum.StrEnum):
    CALL = "call"
    TEXT = "text"
    EMAIL = "email"
    VISIT = "visit"


class ContactOutcome(enum.StrEnum):
    REACHED = "reached"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    NOT_INTERESTED = "not_interested"


class LeadContact(Base):
    """A homefinder's call, text, email or visit with a family, its outcome and the next follow-up. The earliest one
    that reached the family sets the lead's first_contact_at (services.FIRST_CONTACT_OUTCOMES)."""

    __tablename__ = "lead_contact"
    __table_args__ = (Index("ix_lead_contact_lead_when", "lead_id", "contacted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    homefinder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, "contact_kind"))
    outcome: Mapped[ContactOutcome] = mapped_column(enum_column(ContactOutcome, "contact_outcome"))
    notes: Mapped[str] = mapped_column(Text, default="")
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Announcement(Base):
    """A message staff wrote to a filtered group of families; each recipient's copy goes through the outbox in
    their language (the Spanish version when the author wrote one and the recipient reads Spanish)."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The audience as chosen (stage, language, homefinder...), kept to say later who it went to.
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    subject_es: Mapped[str] = mapped_column(String(200), default="")
    body_es: Mapped[str] = mapped_column(Text, default="")
    recipient_count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    # The key the preview handed out (SHA-256 of it): unique, so what was previewed is sent once, whatever the
    # browser sends again.
    send_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_announcement_send_key", "send_key", unique=True),)
