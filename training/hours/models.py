"""Hours credited to a person: completed courses, support-group meetings the agency counts, and outside trainings."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime, now_utc
from portal.models import Versioned, enum_column
from portal.storage import register_stored_names
from portal.transitions import StateMachine, moves
from training.catalog.models import CourseCategory


class CreditSource(enum.StrEnum):
    COURSE = "course"  # a completed course of the catalog
    SUPPORT_GROUP = "support_group"  # an attended meeting, where the agency counts them
    OUTSIDE = "outside"  # another agency's class, an online course, a book or video the agency credits


class CreditStatus(enum.StrEnum):
    PENDING = "pending"  # a family's outside hours, waiting for staff
    APPROVED = "approved"
    REJECTED = "rejected"
    # Taken back: the attendance it stood on was corrected to absent (a new credit is written if it is corrected back).
    WITHDRAWN = "withdrawn"


CREDIT_STATUS_LABELS = {CreditStatus.PENDING: _l("Waiting for approval"), CreditStatus.APPROVED: _l("Approved"),
                        CreditStatus.REJECTED: _l("Not accepted"), CreditStatus.WITHDRAWN: _l("Withdrawn")}
CREDIT_MOVES = StateMachine("TrainingCredit", moves({
    CreditStatus.PENDING: {CreditStatus.APPROVED, CreditStatus.REJECTED},
    CreditStatus.APPROVED: {CreditStatus.WITHDRAWN},
    CreditStatus.REJECTED: set(),
    CreditStatus.WITHDRAWN: set(),
}), needs_reason=frozenset({CreditStatus.REJECTED, CreditStatus.WITHDRAWN}), labels=CREDIT_STATUS_LABELS)


class CreditFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    BOOK = "book"
    VIDEO = "video"


class TrainingCredit(Base):
    """Hours on one person's training record. Only approved credits count toward requirements."""

    __tablename__ = "training_credit"
    __table_args__ = (Index("ix_training_credit_member", "member_id", "status", "completed_on"),
                      Index("ix_training_credit_household", "household_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"))
    source: Mapped[CreditSource] = mapped_column(enum_column(CreditSource, "credit_source"))
    category: Mapped[CourseCategory] = mapped_column(enum_column(CourseCategory, "course_category"))
    status: Mapped[CreditStatus] = mapped_column(enum_column(CreditStatus, "credit_status"),
                                                 default=CreditStatus.APPROVED)
    title: Mapped[str] = mapped_column(String(200))
    # The Spanish title of a course's or a support group's credit (outside hours keep what was typed, in `title`).
    title_es: Mapped[str] = mapped_column(String(200), default="")
    hours_tenths: Mapped[int] = mapped_column()  # 1.5 hours = 15
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)  # CPR/First Aid
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    # Certificates of completion: a short code staff can check (course credits only).
    certificate_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Outside hours: the proof's stored file (licensing/uploads.py rules) and who said what.
    proof_path: Mapped[str] = mapped_column(String(200), default="")
    proof_filename: Mapped[str] = mapped_column(String(200), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    # How it was taken: "in_person", "online", "book", "video" (online CPR counts only where the agency's rule says).
    format: Mapped[str] = mapped_column(String(20), default="in_person")
    reason: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    def title_in(self, language: str) -> str:
        return self.title_es if language == "es" and self.title_es else self.title


# The agency's defaults for a typical state (../shared/domain.md): an admin edits them (training.admin_rules).
DEFAULT_PRESERVICE_HOURS = 27
DEFAULT_INSERVICE_HOURS = 12
DEFAULT_INSERVICE_CATEGORIES = [CourseCategory.IN_SERVICE.value, CourseCategory.SPECIALTY.value]
DEFAULT_CPR_VALID_MONTHS = 24


class TrainingRule(Versioned, Base):
    """The agency's training requirements: one row (id 1), edited by an admin; the defaults until it is saved."""

    __tablename__ = "training_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    preservice_hours: Mapped[int] = mapped_column(default=DEFAULT_PRESERVICE_HOURS)
    inservice_hours: Mapped[int] = mapped_column(default=DEFAULT_INSERVICE_HOURS)  # per license year, per parent
    # Which course categories count toward the annual in-service hours (course_category values).
    inservice_categories: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_INSERVICE_CATEGORIES))
    support_groups_count: Mapped[bool] = mapped_column(default=True)  # support-group meetings count as in-service
    cpr_valid_months: Mapped[int] = mapped_column(default=DEFAULT_CPR_VALID_MONTHS)
    online_cpr_counts: Mapped[bool] = mapped_column(default=False)

    def counts_in_service(self, source: CreditSource, category: CourseCategory) -> bool:
        if source is CreditSource.SUPPORT_GROUP:
            return self.support_groups_count
        return category.value in (self.inservice_categories or [])


# The keys of stored files (portal/storage.py): what `flask remove-orphan-files` keeps.
register_stored_names(TrainingCredit.proof_path)
