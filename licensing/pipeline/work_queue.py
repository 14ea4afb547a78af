"""The homefinder's work queue: what is waiting for someone today, counted in the database in one statement, each
count with the condition its filtered list uses (so the number on the home page is the number of rows behind it).

Counts are agency-wide: every homefinder covers for every other (licensing/roles.py::may_work_household)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, select

from licensing.application.models import Application, ApplicationDocument, ApplicationStatus, DocumentStatus
from licensing.pipeline.stages import Stage, pipeline_select, stage_column
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import ChecklistItem, HomeStudyVisit, ItemStatus, License, LicenseStatus, VisitStatus
from portal.clock import agency_today, business_day_cutoff, week_bounds
from portal.database import now_utc
from portal.extensions import db

RENEWALS_WITHIN_DAYS = 90
FOLLOW_UPS_SHOWN = 10


def uncontacted() -> ColumnElement[bool]:
    """A new inquiry nobody has logged a contact with yet."""
    return and_(Lead.status == LeadStatus.NEW, Lead.first_contact_at.is_(None))


def follow_up_due() -> ColumnElement[bool]:
    """A follow-up asked for today or earlier and not done (a new contact moves or clears it), on an open lead."""
    return and_(Lead.next_follow_up_on <= agency_today(), Lead.status != LeadStatus.CLOSED)


def stalled() -> ColumnElement[bool]:
    """Nothing happened to the family for PIPELINE_STALLED_AFTER_DAYS (over pipeline_select: licensed and closed
    families are not waiting for anything)."""
    days = current_app.config.get("PIPELINE_STALLED_AFTER_DAYS", 14)
    return and_(Lead.last_activity_at < now_utc() - timedelta(days=days),
                stage_column().not_in([Stage.LICENSED.value, Stage.CLOSED.value]))


_OPEN_APPLICATION = Application.status.not_in([ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN])


def _pending_document():
    return and_(ApplicationDocument.application_id == Application.id,
                ApplicationDocument.status == DocumentStatus.PENDING)


def _submitted_item():
    return and_(ChecklistItem.application_id == Application.id, ChecklistItem.status == ItemStatus.SUBMITTED)


def _visit_this_week():
    starts, ends = week_bounds(agency_today())
    return and_(HomeStudyVisit.application_id == Application.id, HomeStudyVisit.status == VisitStatus.SCHEDULED,
                HomeStudyVisit.starts_at >= starts, HomeStudyVisit.starts_at < ends)


def _renewal_due():
    return and_(License.application_id == Application.id, License.status == LicenseStatus.ACTIVE,
                License.expires_on <= agency_today() + timedelta(days=RENEWALS_WITHIN_DAYS))


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
    condition = APPLICATION_QUEUES.get(name)
    return and_(_OPEN_APPLICATION, exists().where(condition())) if condition else None


@dataclass(frozen=True)
class WorkQueue:
    new_inquiries: int
    late_inquiries: int  # of the new ones: waiting more than one business day
    follow_ups_due: int
    documents_to_review: int
    checklist_items_to_review: int
    visits_this_week: int
    stalled_families: int
    renewals_due: int
    follow_ups: list[Lead]  # the first FOLLOW_UPS_SHOWN, oldest due first


def _count(query) -> ColumnElement[int]:
    return query.scalar_subquery()


def work_queue() -> WorkQueue:
    """Every count in one statement of scalar subqueries, and the first follow-ups in a second: two statements
    whatever the number of families."""
    late_before = business_day_cutoff(now_utc())  # computed here once; the database compares a column with it

    counts = db.session.execute(select(
        _count(select(func.count()).select_from(Lead).where(uncontacted())),
        _count(select(func.count()).select_from(Lead).where(uncontacted(), Lead.created_at < late_before)),
        _count(select(func.count()).select_from(Lead).where(follow_up_due())),
        _count(select(func.count()).select_from(ApplicationDocument).join(Application)
               .where(_OPEN_APPLICATION, ApplicationDocument.status == DocumentStatus.PENDING)),
        _count(select(func.count()).select_from(ChecklistItem).join(Application, ChecklistItem.application_id ==
                                                                    Application.id)
               .where(_OPEN_APPLICATION, ChecklistItem.status == ItemStatus.SUBMITTED)),
        _count(select(func.count()).select_from(HomeStudyVisit).join(Application, HomeStudyVisit.application_id ==
                                                                     Application.id)
               .where(_OPEN_APPLICATION, _visit_this_week())),
        _count(pipeline_select(func.count()).where(stalled())),
        _count(select(func.count()).select_from(Application).where(application_queue("renewals"))),
    )).one()
    follow_ups = list(db.session.scalars(select(Lead).where(follow_up_due())
                                         .order_by(Lead.next_follow_up_on, Lead.id).limit(FOLLOW_UPS_SHOWN)))
    return WorkQueue(*counts, follow_ups=follow_ups)
