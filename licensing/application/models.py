"""Application records: the household's application, its sections, people, references, documents and signatures."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models import Household, User, enum_column
from portal.storage import register_stored_names
from portal.tokens import new_nonce
from portal.transitions import StateMachine, moves


class ApplicationStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # a section was reopened by staff
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.IN_PROGRESS: _l("In progress"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.RETURNED: _l("Returned for changes"),
    ApplicationStatus.APPROVED: _l("Approved"),
    ApplicationStatus.DENIED: _l("Denied"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}
# Submission needs every section, document and signature (application/services.py); approval comes with the license.
APPLICATION_MOVES = StateMachine("Application", moves({
    ApplicationStatus.IN_PROGRESS: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.SUBMITTED: {ApplicationStatus.RETURNED, ApplicationStatus.APPROVED, ApplicationStatus.DENIED,
                                  ApplicationStatus.WITHDRAWN},
    ApplicationStatus.RETURNED: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.DENIED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}), needs_reason=frozenset({ApplicationStatus.RETURNED, ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN}),
    labels=APPLICATION_STATUS_LABELS)


class Application(Base):
    """The household's application to become a licensed foster home."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.IN_PROGRESS, index=True
    )
    assigned_homefinder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    household: Mapped[Household] = relationship(lazy="raise")
    assigned_homefinder: Mapped[User | None] = relationship(lazy="raise")
    sections: Mapped[list[ApplicationSection]] = relationship(back_populates="application", lazy="raise")
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="application", lazy="raise", order_by="HouseholdMember.position"
    )
    references: Mapped[list[Reference]] = relationship(
        back_populates="application", lazy="raise", order_by="Reference.position"
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", lazy="raise", order_by="ApplicationDocument.id"
    )
    signatures: Mapped[list[Signature]] = relationship(back_populates="application", lazy="raise")

    @property
    def is_editable_by_family(self) -> bool:
        return self.status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.RETURNED)


class SectionStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    REOPENED = "reopened"  # staff asked for a change after submission


SECTION_STATUS_LABELS = {
    SectionStatus.IN_PROGRESS: _l("Not finished"),
    SectionStatus.COMPLETE: _l("Complete"),
    SectionStatus.REOPENED: _l("Changes requested"),
}
# The family finishes a section and may change it until submission; after it, only staff reopen one.
SECTION_MOVES = StateMachine("ApplicationSection", moves({
    SectionStatus.IN_PROGRESS: {SectionStatus.COMPLETE, SectionStatus.REOPENED},
    SectionStatus.COMPLETE: {SectionStatus.IN_PROGRESS, SectionStatus.REOPENED},
    SectionStatus.REOPENED: {SectionStatus.COMPLETE},
}), needs_reason=frozenset({SectionStatus.REOPENED}), labels=SECTION_STATUS_LABELS)


class ApplicationSection(Base):
    """One section's answers. `draft` keeps what was typed even when it did not validate."""

    __tablename__ = "application_section"
    __table_args__ = (UniqueConstraint("application_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    draft: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[SectionStatus] = mapped_column(
        enum_column(SectionStatus, "section_status"), default=SectionStatus.IN_PROGRESS
    )
    reopen_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)

    application: Mapped[Application] = relationship(back_populates="sections", lazy="raise")


ADULT_AGE = 18


class MemberRole(enum.StrEnum):
    PRIMARY = "primary"
    CO_APPLICANT = "co_applicant"
    OTHER = "other"


class HouseholdMember(Base):
    """Everyone who lives in the home. Adults (18+) need background checks later."""

    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "member_role"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    relationship_to_applicant: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_locale: Mapped[str] = mapped_column(String(8), default="en")
    # Other adults complete their own part (states lived in, consent) through an emailed link.
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    own_part: Mapped[dict] = mapped_column(JSON, default=dict)
    own_part_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A co-applicant signs the application through their own emailed link (the account holder signs signed in).
    signature_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    signature_link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong dates of birth typed on the current signing link (after too many the link stops working).
    signature_link_failures: Mapped[int] = mapped_column(default=0)
    # The primary applicant is the account that created them (never inferred from an email that can change).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    application: Mapped[Application] = relationship(back_populates="members", lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def is_applicant(self) -> bool:
        return self.role in (MemberRole.PRIMARY, MemberRole.CO_APPLICANT)

    def is_adult_on(self, day: date) -> bool:
        """An adult of the home on that day (background checks, photo ID): the applicants, and everyone 18 or over."""
        return self.is_applicant or self.age_on(day) >= ADULT_AGE


class Reference(Base):
    """A personal reference; answers through an emailed, single-use link. Answers are for staff only."""

    __tablename__ = "reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_applicant: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_relative: Mapped[bool] = mapped_column(default=False)
    preferred_locale: Mapped[str] = mapped_column(String(8), default="en")
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[dict] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship(back_populates="references", lazy="raise")


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


DOCUMENT_STATUS_LABELS = {
    DocumentStatus.PENDING: _l("Waiting for review"),
    DocumentStatus.ACCEPTED: _l("Accepted"),
    DocumentStatus.RETURNED: _l("Returned"),
}
# A reviewed document can be reviewed again (a second look, a mistake put right): recorded each time.
DOCUMENT_MOVES = StateMachine("ApplicationDocument", moves({
    DocumentStatus.PENDING: {DocumentStatus.ACCEPTED, DocumentStatus.RETURNED},
    DocumentStatus.ACCEPTED: {DocumentStatus.RETURNED},
    DocumentStatus.RETURNED: {DocumentStatus.ACCEPTED},
}), needs_reason=frozenset({DocumentStatus.RETURNED}), labels=DOCUMENT_STATUS_LABELS)


class ApplicationDocument(Base):
    """An uploaded file, stored outside the web root under an unguessable name."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_member.id", ondelete="SET NULL"))
    # Set when the file was sent for a licensing checklist item (e.g. a CPR card) rather than with the application.
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id", ondelete="SET NULL"),
                                                          index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus, "document_status"), default=DocumentStatus.PENDING
    )
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # The work queue's "documents waiting for review": the few pending ones found without reading every document.
    __table_args__ = (Index("ix_application_document_status_application", "status", "application_id"),)

    application: Mapped[Application] = relationship(back_populates="documents", lazy="raise")
    # The document's own file is its first page; photos of further pages sent with it are kept with it, in order.
    more_pages: Mapped[list[DocumentPage]] = relationship(
        back_populates="document", lazy="raise", order_by="DocumentPage.position", cascade="all, delete-orphan"
    )

    @property
    def page_count(self) -> int:
        return 1 + len(self.more_pages)


class DocumentPage(Base):
    """A further page (2, 3, ...) of a document sent as several files at once (photos of each page of a lease):
    reviewed, accepted or returned together with the document it belongs to."""

    __tablename__ = "application_document_page"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("application_document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 2 for the second page: the document's own file is page 1
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    document: Mapped[ApplicationDocument] = relationship(back_populates="more_pages", lazy="raise")


class Signature(Base):
    """An applicant's typed-name signature of the attestations, with what exactly was signed and through what: the
    account holder's signed-in account (`signed_by_id`), or the emailed link that named this member (`link_sha256`,
    the SHA-256 of the link's token; the token itself is never stored)."""

    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"))
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    link_sha256: Mapped[str | None] = mapped_column(String(64))
    document_sha256: Mapped[str] = mapped_column(String(64))

    application: Mapped[Application] = relationship(back_populates="signatures", lazy="raise")


class StaffNote(Base):
    """A note about an application that only agency staff can read."""

    __tablename__ = "staff_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="raise")



class ReturnReason(Base):
    """A short reason staff reuse when they return something to a family (a document, a section, a checklist item),
    kept by administrators in both languages so the family reads it in theirs."""

    __tablename__ = "return_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_en: Mapped[str] = mapped_column(String(500))
    text_es: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)

    def text(self, language: str) -> str:
        return self.text_es if language == "es" and self.text_es else self.text_en


# The keys of stored files (portal/storage.py): what `flask remove-orphan-files` keeps.
register_stored_names(ApplicationDocument.stored_name, DocumentPage.stored_name)
