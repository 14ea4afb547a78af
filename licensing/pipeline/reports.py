"""The monthly and quarterly statistical reports: what happened in a calendar month or quarter (inquiries, sessions
held and attended, applications sent, licenses issued, closures by reason, trainings completed) and where the
agency stands (active licensed homes, their capacity, renewals due). Three statements whatever the data size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select

from licensing.application.models import Application
from licensing.pipeline.metrics import Period

# Closures by reason: the same words as the board's close action.
from licensing.recruitment.labels import CLOSED_REASON_LABELS  # noqa: F401
from licensing.recruitment.models import ClosedReason, InfoSession, Lead, LeadInquiry, RecruitmentEvent, SessionRsvp
from licensing.tracker.models import ChecklistItem, License, LicenseStatus, RequirementTemplate, RequirementType
from portal.database import now_utc
from portal.extensions import db
from portal.models import AuditEvent

RENEWAL_WINDOW_DAYS = 90
# "2026-11" (a month) or "2026-Q4" (a quarter); ASCII digits only, years a report can be about.
_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])", re.ASCII)
_QUARTER = re.compile(r"(?P<year>[0-9]{4})-Q(?P<quarter>[1-4])", re.ASCII)
MIN_YEAR, MAX_YEAR = 2000, 2999


@dataclass(frozen=True)
class ReportPeriod:
    code: str  # as in the URL: "2026-11", "2026-Q4"
    kind: str  # "month" or "quarter"
    year: int
    number: int  # the month (1-12) or the quarter (1-4)
    period: Period


def parse_period(code: str) -> ReportPeriod | None:
    """The month or quarter a URL names, or None for anything else (the view answers 404)."""
    if match := _MONTH.fullmatch(code):
        year, month = int(match["year"]), int(match["month"])
        first_month, months, kind, number = month, 1, "month", month
    elif match := _QUARTER.fullmatch(code):
        year, quarter = int(match["year"]), int(match["quarter"])
        first_month, months, kind, number = 3 * quarter - 2, 3, "quarter", quarter
    else:
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    first = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return ReportPeriod(code, kind, year, number, Period(first, after - timedelta(days=1)))


def neighbours(report: ReportPeriod) -> tuple[str | None, str | None]:
    """The codes of the previous and next report of the same kind (for links), None past the years allowed."""
    if report.kind == "month":
        index = report.year * 12 + report.number - 1
        codes = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in (index - 1, index + 1)]
    else:
        index = report.year * 4 + report.number - 1
        codes = [f"{i // 4:04d}-Q{i % 4 + 1}" for i in (index - 1, index + 1)]
    previous, following = (code if parse_period(code) else None for code in codes)
    return previous, following


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    inquiries: int  # interest forms received (a family that asks twice counts twice)
    new_families: int  # leads whose first inquiry arrived in the period
    sessions_held: int
    sessions_attended: int  # families marked present at those sessions
    applications_submitted: int
    licenses_issued: int
    trainings_completed: int  # training checklist items approved in the period
    active_homes: int  # today, whatever the period
    active_capacity: int
    renewals_due: int  # active licenses expiring within 90 days after the period's last day
    closures: list[tuple[ClosedReason, int]]
    by_event: list[tuple[str, int]]  # inquiries by recruitment event's name


def build(report_period: ReportPeriod) -> Report:
    period = report_period.period
    held_until = min(period.end_utc, now_utc())  # a session later this month hasn't been held yet
    held = and_(InfoSession.starts_at >= period.start_utc, InfoSession.starts_at < held_until)
    renewal_after = period.last + timedelta(days=RENEWAL_WINDOW_DAYS)
    counts = select(
        select(func.count(LeadInquiry.id)).where(period.holds(LeadInquiry.created_at))
        .scalar_subquery().label("inquiries"),
        select(func.count(Lead.id)).where(period.holds(Lead.created_at)).scalar_subquery().label("new_families"),
        select(func.count(InfoSession.id)).where(held).scalar_subquery().label("sessions_held"),
        select(func.count(SessionRsvp.id)).join(InfoSession, InfoSession.id == SessionRsvp.session_id)
        .where(held, SessionRsvp.attended.is_(True)).scalar_subquery().label("sessions_attended"),
        select(func.count(Application.id)).where(period.holds(Application.submitted_at))
        .scalar_subquery().label("applications_submitted"),
        select(func.count(License.id)).where(period.holds(License.issued_at))
        .scalar_subquery().label("licenses_issued"),
        # A training is completed when a homefinder approves its checklist item (the event log says when).
        select(func.count(AuditEvent.id))
        .join(ChecklistItem, and_(AuditEvent.target_type == "ChecklistItem", ChecklistItem.id == AuditEvent.target_id))
        .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
        .where(period.holds(AuditEvent.occurred_at), AuditEvent.to_status == "approved",
               RequirementTemplate.type == RequirementType.TRAINING_HOURS)
        .scalar_subquery().label("trainings_completed"),
        select(func.count(License.id)).where(License.status == LicenseStatus.ACTIVE)
        .scalar_subquery().label("active_homes"),
        select(func.coalesce(func.sum(License.capacity), 0)).where(License.status == LicenseStatus.ACTIVE)
        .scalar_subquery().label("active_capacity"),
        select(func.count(License.id))
        .where(License.status == LicenseStatus.ACTIVE, License.expires_on > period.last,
               License.expires_on <= renewal_after)
        .scalar_subquery().label("renewals_due"),
    )
    row = db.session.execute(counts).one()
    closures = db.session.execute(
        select(Lead.closed_reason, func.count(Lead.id))
        .where(period.holds(Lead.closed_at), Lead.closed_reason.is_not(None))
        .group_by(Lead.closed_reason)
    ).all()
    closed = dict(closures)
    by_event = db.session.execute(
        select(RecruitmentEvent.name, func.count(Lead.id))
        .join(Lead, Lead.event_id == RecruitmentEvent.id)
        .where(period.holds(Lead.created_at))
        .group_by(RecruitmentEvent.id, RecruitmentEvent.name)
        .order_by(func.count(Lead.id).desc(), RecruitmentEvent.name)
    ).all()
    return Report(
        period=report_period,
        **{name: int(getattr(row, name)) for name in (
            "inquiries", "new_families", "sessions_held", "sessions_attended", "applications_submitted",
            "licenses_issued", "trainings_completed", "active_homes", "active_capacity", "renewals_due")},
        closures=[(reason, int(closed.get(reason, 0))) for reason in ClosedReason],
        by_event=[(name, int(count)) for name, count in by_event],
    )
