"""The homefinder's work queue: what is waiting for someone today, counted in the database in one statement, each
count with the condition its filtered list uses (so the number on the home page is the number of rows behind it).

Counts are agency-wide: every homefinder covers for every other (licensing/roles.py::may_work_household)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, select

from licensing.application.models import Application, ApplicationDocument, ApplicationStatus, DocumentStatus
from licensing.pipeline.stages import late_first_contact, stalled_condition, uncontacted
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import ChecklistItem, HomeStudyVisit, ItemStatus, License, LicenseStatus, VisitStatus
from portal.clock import agency_today, week_bounds
from portal.database import now_utc
from portal.extensions import db

RENEWALS_WITHIN_DAYS = 90
FOLLOW_UPS_SHOWN = 10


def follow_up_due() -> ColumnElement[bool]:
    """A follow-up asked for today or earlier and not done (a new contact moves or clears it), on an open lead."""
    return and_(Lead.next_follow_up_on <= agency_today(), Lead.status != LeadStatus.CLOSED)


_OPEN_APPLICATION = Application.status.not_in([ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN])


# Each queue as the ids of the applications it holds, read from the small table of what waits (pending documents,
# submitted items, this week's visits, licenses near their date) through its status index: `Application.id IN (...)`
# is read once, where a correlated EXISTS ran once per application (thousands at 10,000 families).
def _pending_document():
    return select(ApplicationDocument.application_id).where(ApplicationDocument.status == DocumentStatus.PENDING)


def _submitted_item():
    return select(ChecklistItem.application_id).where(ChecklistItem.status == ItemStatus.SUBMITTED)


def _visit_this_week():
    starts, ends = week_bounds(agency_today())
    return select(HomeStudyVisit.application_id).where(HomeStudyVisit.status == VisitStatus.SCHEDULED,
                                                       HomeStudyVisit.starts_at >= starts,
                                                       HomeStudyVisit.starts_at < ends)


def _renewal_due():
    """An active license expiring from today to 90 days ahead (one already past its date is not "due within 90
    days": it is overdue, a different job)."""
    today = agency_today()
    return select(License.application_id).where(
        License.status == LicenseStatus.ACTIVE, License.expires_on >= today,
        License.expires_on <= today + timedelta(days=RENEWALS_WITHIN_DAYS))


# The applications list's `?queue=` filters: the applications behind each count of the queue.
APPLICATION_QUEUES = {
    "documents": _pending_document,
    "checklist": _submitted_item,
    "visits": _visit_this_week,
    "renewals": _renewal_due,
}


APPLICATION_QUEUE_LABELS = {
    "documents": _l("Applications with documents waiting for review"),
    "checklist": _l("Applications with checklist items waiting for review"),
    "visits": _l("Applications with a home study visit this week"),
    "renewals": _l("Licensed families whose license is due for renewal within 90 days"),
}


def application_queue(name: str) -> ColumnElement[bool] | None:
    """The condition on Application of the named queue, or None for no (or an unknown) queue."""
    application_ids = APPLICATION_QUEUES.get(name)
    return and_(_OPEN_APPLICATION, Application.id.in_(application_ids())) if application_ids else None


@dataclass(frozen=True)
class WorkQueue:
    new_inquiries: int
    late_inquiries: int  # of the new ones: waiting more than one business day
    follow_ups_due: int
    documents_to_review: int  # applications with documents waiting, not documents: the link lists applications
    checklist_items_to_review: int  # applications with items waiting
    visits_this_week: int  # applications with a visit this week
    stalled_families: int
    renewals_due: int
    follow_ups: list[Lead]  # the first FOLLOW_UPS_SHOWN, oldest due first


def _count(query) -> ColumnElement[int]:
    return query.scalar_subquery()


def _applications(queue: str) -> ColumnElement[int]:
    # Applications, not documents or items: the link opens the applications list filtered by the same condition.
    return _count(select(func.count()).select_from(Application).where(application_queue(queue)))


def work_queue() -> WorkQueue:
    """Every count in one statement of scalar subqueries, and the first follow-ups in a second: two statements
    whatever the number of families. Each count uses the condition of the list its link opens."""
    now = now_utc()
    # The new inquiries and the late ones among them in one pass over the new inquiries.
    new = select(func.count().label("new"),
                 func.coalesce(func.sum(case((late_first_contact(now), 1), else_=0)), 0).label("late")
                 ).select_from(Lead).where(uncontacted()).subquery()
    counts = db.session.execute(select(
        new.c.new,
        new.c.late,
        _count(select(func.count()).select_from(Lead).where(follow_up_due())),
        _applications("documents"),
        _applications("checklist"),
        _applications("visits"),
        _count(select(func.count()).select_from(Lead).where(stalled_condition())),
        _applications("renewals"),
    ).select_from(new)).one()
    follow_ups = list(db.session.scalars(select(Lead).where(follow_up_due())
                                         .order_by(Lead.next_follow_up_on, Lead.id).limit(FOLLOW_UPS_SHOWN)))
    return WorkQueue(*counts, follow_ups=follow_ups)
