"""After submission: the household's checklist, background checks, home study, license and renewals."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import agency_today
from portal.database import Base, UTCDateTime, now_utc
from portal.models import User, Versioned, enum_column
from portal.transitions import StateMachine, moves


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


# In the words of an item ("requisito", masculine in Spanish: "Aprobado"); an application ("solicitud") is "Aprobada".
ITEM_STATUS_LABELS = {
    ItemStatus.NOT_STARTED: lazy_pgettext("checklist item", "Not started"),
    ItemStatus.IN_PROGRESS: lazy_pgettext("checklist item", "In progress"),
    ItemStatus.SUBMITTED: lazy_pgettext("checklist item", "Submitted"),
    ItemStatus.APPROVED: lazy_pgettext("checklist item", "Approved"),
    ItemStatus.RETURNED: lazy_pgettext("checklist item", "Returned"),
    ItemStatus.WAIVED: lazy_pgettext("checklist item", "Waived"),
    ItemStatus.EXPIRED: lazy_pgettext("checklist item", "Expired"),
}
# Approval and waiving also need what the requirement's type asks for (tracker/services/checklists.py).
ITEM_MOVES = StateMachine("ChecklistItem", moves({
    ItemStatus.NOT_STARTED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.WAIVED},
    ItemStatus.IN_PROGRESS: {ItemStatus.NOT_STARTED, ItemStatus.SUBMITTED, ItemStatus.APPROVED, ItemStatus.WAIVED},
    ItemStatus.SUBMITTED: {ItemStatus.APPROVED, ItemStatus.RETURNED, ItemStatus.WAIVED},
    ItemStatus.RETURNED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.WAIVED},
    ItemStatus.APPROVED: {ItemStatus.RETURNED, ItemStatus.EXPIRED},
    ItemStatus.WAIVED: {ItemStatus.NOT_STARTED},
    ItemStatus.EXPIRED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED},
}), needs_reason=frozenset({ItemStatus.RETURNED, ItemStatus.WAIVED}), labels=ITEM_STATUS_LABELS)


class ChecklistItem(Versioned, Base):
    """One requirement for one household (or one of its adults). Saved with optimistic locking (version)."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("application_id", "template_id", "member_id", "cycle"),
                      # The items in one status across every application (the work queue's "checklist items waiting
                      # for review": applications with an item submitted), without reading every item.
                      Index("ix_checklist_item_status_application", "status", "application_id"))

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

    template: Mapped[RequirementTemplate] = relationship(lazy="raise")
    updated_by: Mapped[User | None] = relationship(lazy="raise")


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


CHECK_STATUS_LABELS = {
    CheckStatus.REQUESTED: _l("Requested"),
    CheckStatus.PENDING: _l("Pending"),
    CheckStatus.NEEDS_REVIEW: _l("Needs review"),
    CheckStatus.CLEARED: _l("Cleared"),
    CheckStatus.EXEMPTION_REQUIRED: _l("Exemption required"),
    CheckStatus.EXEMPTION_GRANTED: _l("Exemption granted"),
    CheckStatus.EXEMPTION_DENIED: _l("Exemption denied"),
    CheckStatus.NON_EXEMPTIBLE: _l("Non-exemptible offence"),
    CheckStatus.NOT_APPLICABLE: _l("Not applicable"),
}
# A result can always go back to "needs review" (new information arrives, a wrong click is put right), and from
# there to any open status: recorded, never lost. Fingerprints are often rejected and taken again, so pending can go
# back to requested. A cleared check never jumps straight to an exemption.
CHECK_MOVES = StateMachine("BackgroundCheck", moves({
    CheckStatus.REQUESTED: {CheckStatus.PENDING, CheckStatus.NEEDS_REVIEW, CheckStatus.CLEARED,
                            CheckStatus.NOT_APPLICABLE},
    CheckStatus.PENDING: {CheckStatus.REQUESTED, CheckStatus.NEEDS_REVIEW, CheckStatus.CLEARED,
                          CheckStatus.NOT_APPLICABLE},
    CheckStatus.NEEDS_REVIEW: {CheckStatus.REQUESTED, CheckStatus.PENDING, CheckStatus.CLEARED,
                               CheckStatus.EXEMPTION_REQUIRED, CheckStatus.NON_EXEMPTIBLE},
    CheckStatus.CLEARED: {CheckStatus.NEEDS_REVIEW},
    CheckStatus.EXEMPTION_REQUIRED: {CheckStatus.NEEDS_REVIEW, CheckStatus.EXEMPTION_GRANTED,
                                     CheckStatus.EXEMPTION_DENIED},
    CheckStatus.EXEMPTION_GRANTED: {CheckStatus.NEEDS_REVIEW},
    CheckStatus.EXEMPTION_DENIED: {CheckStatus.NEEDS_REVIEW},
    CheckStatus.NON_EXEMPTIBLE: {CheckStatus.NEEDS_REVIEW},
    CheckStatus.NOT_APPLICABLE: {CheckStatus.REQUESTED},
}), labels=CHECK_STATUS_LABELS)


class BackgroundCheck(Versioned, Base):
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
    requested_on: Mapped[date] = mapped_column(Date, default=agency_today)


class VisitKind(enum.StrEnum):
    INDIVIDUAL_INTERVIEW = "individual_interview"
    JOINT_INTERVIEW = "joint_interview"
    HOME_SAFETY_INSPECTION = "home_safety_inspection"


class VisitStatus(enum.StrEnum):
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


VISIT_STATUS_LABELS = {
    VisitStatus.PROPOSED: _l("Choose a time"),
    VisitStatus.SCHEDULED: _l("Scheduled"),
    VisitStatus.COMPLETED: _l("Completed"),
    VisitStatus.CANCELLED: _l("Cancelled"),
}
VISIT_MOVES = StateMachine("HomeStudyVisit", moves({
    VisitStatus.PROPOSED: {VisitStatus.SCHEDULED, VisitStatus.CANCELLED},
    VisitStatus.SCHEDULED: {VisitStatus.COMPLETED, VisitStatus.CANCELLED},
    VisitStatus.COMPLETED: set(),
    VisitStatus.CANCELLED: set(),
}), needs_reason=frozenset({VisitStatus.CANCELLED}), labels=VISIT_STATUS_LABELS)


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

    # The work queue's "visits this week": scheduled visits by date, not every visit ever made.
    __table_args__ = (Index("ix_home_study_visit_status_starts", "status", "starts_at"),)


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


class HomeStudyStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


HOME_STUDY_STATUS_LABELS = {HomeStudyStatus.DRAFT: _l("Draft"), HomeStudyStatus.APPROVED: _l("Approved")}
# Changing an approved write-up sends it back to draft: it needs a supervisor's approval again. The approval that was
# given stays in the event log (and in approved_at/approved_by_id until the next approval).
HOME_STUDY_MOVES = StateMachine("HomeStudyReport", moves({
    HomeStudyStatus.DRAFT: {HomeStudyStatus.APPROVED},
    HomeStudyStatus.APPROVED: {HomeStudyStatus.DRAFT},
}), labels=HOME_STUDY_STATUS_LABELS)


class HomeStudyReport(Versioned, Base):
    """The homefinder's write-up, filled over time; staff only until a supervisor approves it."""

    __tablename__ = "home_study_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[HomeStudyStatus] = mapped_column(enum_column(HomeStudyStatus, "home_study_status"),
                                                    default=HomeStudyStatus.DRAFT)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def is_approved(self) -> bool:
        return self.status is HomeStudyStatus.APPROVED


class LicenseType(enum.StrEnum):
    FOSTER = "foster"
    FOSTER_ADOPT = "foster_adopt"
    KINSHIP = "kinship"
    RESPITE = "respite"


class LicenseStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    CLOSED = "closed"


LICENSE_STATUS_LABELS = {LicenseStatus.ACTIVE: _l("Active"), LicenseStatus.EXPIRED: _l("Expired"),
                         LicenseStatus.CLOSED: _l("Closed")}
# Issued active; the reminder job marks it expired the day after it expires; a renewal makes it active again.
LICENSE_MOVES = StateMachine("License", moves({
    LicenseStatus.ACTIVE: {LicenseStatus.EXPIRED, LicenseStatus.CLOSED},
    LicenseStatus.EXPIRED: {LicenseStatus.ACTIVE, LicenseStatus.CLOSED},
    LicenseStatus.CLOSED: set(),
}), needs_reason=frozenset({LicenseStatus.CLOSED}), labels=LICENSE_STATUS_LABELS)


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
    status: Mapped[LicenseStatus] = mapped_column(enum_column(LicenseStatus, "license_status"),
                                                  default=LicenseStatus.ACTIVE)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    # The work queue's renewals due: active licenses by expiry date, not every license the agency ever issued.
    __table_args__ = (Index("ix_license_status_expires", "status", "expires_on"),)


class ReminderSent(Base):
    """Which reminder went out for which item at which threshold: the reminder job sends each at most once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("item_key", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60))  # "item:12" or "license:3"
    threshold: Mapped[str] = mapped_column(String(10))  # "90", "60", "30", "7", "overdue"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
