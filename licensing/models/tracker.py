"""After submission: the household's checklist, background checks, home study, license and renewals."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models import User, enum_column

__all__ = [
    "BackgroundCheck", "CheckStatus", "CheckType", "ChecklistEvent", "ChecklistItem", "HomeStudyReport",
    "HomeStudyVisit", "ItemStatus", "License", "LicenseType", "ReminderSent", "RequirementScope",
    "RequirementStage", "RequirementTemplate", "RequirementType", "SafetyCheck", "SafetyResult", "VisitKind",
    "VisitSlot", "VisitStatus",
]


class RequirementType(enum.StrEnum):
    DOCUMENT = "document"
    TRAINING_HOURS = "training_hours"
    BACKGROUND_CHECK = "background_check"
    INSPECTION = "inspection"
    VISIT = "visit"
    SIGNATURE = "signature"
    FEE = "fee"


class RequirementScope(enum.StrEnum):
    HOUSEHOLD = "household"
    EACH_APPLICANT = "each_applicant"
    EACH_ADULT = "each_adult"


class RequirementStage(enum.StrEnum):
    """Checklist groups, in the order a family meets them."""

    APPLICATION = "application"
    TRAINING = "training"
    BACKGROUND = "background"
    DOCUMENTS = "documents"
    HOME_SAFETY = "home_safety"
    HOME_STUDY = "home_study"
    FEES = "fees"
    RENEWAL = "renewal"


class RequirementTemplate(Base):
    """One licensing requirement as the agency defines it; admins edit these without a code change."""

    __tablename__ = "requirement_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    type: Mapped[RequirementType] = mapped_column(enum_column(RequirementType, "requirement_type"))
    scope: Mapped[RequirementScope] = mapped_column(enum_column(RequirementScope, "requirement_scope"))
    stage: Mapped[RequirementStage] = mapped_column(enum_column(RequirementStage, "requirement_stage"))
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    explanation_es: Mapped[str] = mapped_column(Text, default="")
    hours_required: Mapped[int | None] = mapped_column()
    due_days: Mapped[int | None] = mapped_column()  # after submission (or after licensing, for renewal items)
    renews_every_months: Mapped[int | None] = mapped_column()  # None: met once
    for_renewal: Mapped[bool] = mapped_column(default=False)  # generated when the license is issued
    # Only for some households: "pets" (they said they have pets), "transport" (they will drive children).
    applies_if: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    def title(self, language: str) -> str:
        return self.title_es if language == "es" and self.title_es else self.title_en

    def explanation(self, language: str) -> str:
        return self.explanation_es if language == "es" and self.explanation_es else self.explanation_en


class ItemStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    WAIVED = "waived"
    EXPIRED = "expired"


class ChecklistItem(Base):
    """One requirement for one household (or one of its adults). Saved with optimistic locking (version)."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("application_id", "template_id", "member_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("requirement_template.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(default=0)  # 0: initial licensing; 1, 2...: renewal cycles
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus, "item_status"), default=ItemStatus.NOT_STARTED)
    due_date: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    hours_completed: Mapped[int | None] = mapped_column()
    payment_method: Mapped[str] = mapped_column(String(20), default="")
    receipt_number: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(40), default="")  # e.g. "safety:smoke_detectors"
    custom_title: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    template: Mapped[RequirementTemplate] = relationship(lazy="raise")
    updated_by: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class ChecklistEvent(Base):
    """Every status change of an item: who, when, from what to what, and why. Append-only."""

    __tablename__ = "checklist_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="raise")


class CheckType(enum.StrEnum):
    STATE_CRIMINAL = "state_criminal"
    FBI = "fbi"
    STATE_REGISTRY = "state_registry"
    OUT_OF_STATE_REGISTRY = "out_of_state_registry"
    SEX_OFFENDER = "sex_offender"


class CheckStatus(enum.StrEnum):
    REQUESTED = "requested"
    PENDING = "pending"
    NEEDS_REVIEW = "needs_review"
    CLEARED = "cleared"
    EXEMPTION_REQUIRED = "exemption_required"
    EXEMPTION_GRANTED = "exemption_granted"
    EXEMPTION_DENIED = "exemption_denied"
    NON_EXEMPTIBLE = "non_exemptible"
    NOT_APPLICABLE = "not_applicable"


class BackgroundCheck(Base):
    """Status only: the portal never stores what a check found."""

    __tablename__ = "background_check"
    __table_args__ = (UniqueConstraint("member_id", "check_type", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"))
    check_type: Mapped[CheckType] = mapped_column(enum_column(CheckType, "check_type"))
    state: Mapped[str] = mapped_column(String(2), default="")  # out-of-state registry checks only
    status: Mapped[CheckStatus] = mapped_column(enum_column(CheckStatus, "check_status"),
                                                default=CheckStatus.REQUESTED)
    requested_on: Mapped[date] = mapped_column(Date, default=date.today)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class VisitKind(enum.StrEnum):
    INDIVIDUAL_INTERVIEW = "individual_interview"
    JOINT_INTERVIEW = "joint_interview"
    HOME_SAFETY_INSPECTION = "home_safety_inspection"


class VisitStatus(enum.StrEnum):
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HomeStudyVisit(Base):
    __tablename__ = "home_study_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[VisitKind] = mapped_column(enum_column(VisitKind, "visit_kind"))
    status: Mapped[VisitStatus] = mapped_column(enum_column(VisitStatus, "visit_status"),
                                                default=VisitStatus.PROPOSED)
    homefinder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=90)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str] = mapped_column(Text, default="")

    slots: Mapped[list[VisitSlot]] = relationship(lazy="raise", order_by="VisitSlot.starts_at")
    homefinder: Mapped[User] = relationship(lazy="raise")


class VisitSlot(Base):
    __tablename__ = "visit_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("home_study_visit.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SafetyResult(enum.StrEnum):
    PASS = "pass"
    NEEDS_CORRECTION = "needs_correction"
    NOT_APPLICABLE = "not_applicable"


class SafetyCheck(Base):
    """One line of the home safety checklist: the inspection's (staff) or the family's self-check."""

    __tablename__ = "safety_check"
    __table_args__ = (UniqueConstraint("application_id", "item_code", "self_check"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    self_check: Mapped[bool] = mapped_column(default=False)
    result: Mapped[SafetyResult] = mapped_column(enum_column(SafetyResult, "safety_result"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class HomeStudyReport(Base):
    """The homefinder's write-up, filled over time; staff only until a supervisor approves it."""

    __tablename__ = "home_study_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class LicenseType(enum.StrEnum):
    FOSTER = "foster"
    FOSTER_ADOPT = "foster_adopt"
    KINSHIP = "kinship"
    RESPITE = "respite"


class License(Base):
    __tablename__ = "license"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[LicenseType] = mapped_column(enum_column(LicenseType, "license_type"))
    capacity: Mapped[int]
    age_min: Mapped[int]
    age_max: Mapped[int]
    effective_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class ReminderSent(Base):
    """Which reminder went out for which item at which threshold: the reminder job sends each at most once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("item_key", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60))  # "item:12" or "license:3"
    threshold: Mapped[str] = mapped_column(String(10))  # "90", "60", "30", "7", "overdue"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
