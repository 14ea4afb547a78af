"""Where a family is, from first inquiry to license: one stage per lead, computed in the database.

A lead's own status covers the start (inquiry, contacted, orientation, invited); once the household applies, its
application's status and its license say the rest. Closed wins over everything: the lead was closed (withdrew,
moved, not eligible, no response), or the application was denied or withdrawn, or the license closed.

`stage_column()` is a SQL CASE over a query that outer-joins Application and License to Lead (`pipeline_select`),
so the board filters, sorts and counts by stage in the database and metrics group by it, without loading rows."""

from __future__ import annotations

import enum
import functools
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from licensing.application.models import Application, ApplicationStatus
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import License, LicenseStatus
from portal.database import now_utc
from portal.extensions import db


class Stage(enum.StrEnum):
    INQUIRY = "inquiry"
    CONTACTED = "contacted"
    ORIENTATION = "orientation"
    INVITED = "invited"
    APPLYING = "applying"
    HOME_STUDY = "home_study"  # the application is sent: checks, trainings, visits, the home study
    LICENSED = "licensed"
    CLOSED = "closed"


STAGES = list(Stage)
# The stages a family moves through, in order (closed is where any of them can end).
OPEN_STAGES = STAGES[:-1]

STAGE_LABELS = {
    Stage.INQUIRY: _l("Inquiry"),
    Stage.CONTACTED: _l("Contacted"),
    Stage.ORIENTATION: _l("Information session"),
    Stage.INVITED: _l("Invited to apply"),
    Stage.APPLYING: _l("Applying"),
    Stage.HOME_STUDY: _l("Application sent, home study"),
    Stage.LICENSED: _l("Licensed"),
    Stage.CLOSED: _l("Closed"),
}


def stage_label(stage: Stage | str) -> str:
    return str(STAGE_LABELS[Stage(stage)])


# What ends a family's way (closed), and what licenses it: the stage's first two cases, and the lead's `finished`
# flag's rule (licensing/pipeline/finished.py::finished_now).
CLOSING_APPLICATION = (ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN)
CLOSING_LICENSE = (LicenseStatus.CLOSED,)
LICENSED_LICENSE = (LicenseStatus.ACTIVE, LicenseStatus.EXPIRED)


@functools.cache
def stage_column():
    """The stage as a SQL expression over Lead, Application and License (outer-joined: see pipeline_select). Built
    once (an expression is immutable, and every statement may share it): it has some thirty parts."""
    return case(
        (or_(Lead.status == LeadStatus.CLOSED,
             Application.status.in_(CLOSING_APPLICATION),
             License.status.in_(CLOSING_LICENSE)), literal(Stage.CLOSED.value)),
        (License.status.in_(LICENSED_LICENSE), literal(Stage.LICENSED.value)),
        (Application.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED,
                                 ApplicationStatus.APPROVED]), literal(Stage.HOME_STUDY.value)),
        (Application.status == ApplicationStatus.IN_PROGRESS, literal(Stage.APPLYING.value)),
        (Lead.status == LeadStatus.INVITED, literal(Stage.INVITED.value)),
        (Lead.status.in_([LeadStatus.RSVPED, LeadStatus.ATTENDED]), literal(Stage.ORIENTATION.value)),
        (Lead.status == LeadStatus.CONTACTED, literal(Stage.CONTACTED.value)),
        else_=literal(Stage.INQUIRY.value),
    )


def pipeline_select(*columns) -> Select:
    """SELECT columns FROM lead, with the household's application and license outer-joined (one row per lead)."""
    return (select(*columns).select_from(Lead)
            .outerjoin(Application, and_(Application.household_id == Lead.household_id,
                                         Lead.household_id.is_not(None)))
            .outerjoin(License, License.application_id == Application.id))


def stage_of(lead_id: int) -> tuple[Stage, int | None]:
    """One family's stage and who works it, as the board and the metrics compute them (one statement): the lead's
    page says the same (the application's homefinder once there is one, else the lead's)."""
    stage, homefinder_id = db.session.execute(
        pipeline_select(stage_column(), homefinder_column()).where(Lead.id == lead_id)).one()
    return Stage(stage), homefinder_id


def homefinder_column():
    """Who works the family: the application's homefinder once there is one, else the lead's (over pipeline_select).
    The board, the announcements and the metrics all group and filter by this one."""
    return func.coalesce(Application.assigned_homefinder_id, Lead.assigned_homefinder_id)


# Families who reached the end (licensed, or closed) are never "stalled".
FINISHED_STAGES = (Stage.LICENSED.value, Stage.CLOSED.value)


def stalled_after() -> timedelta:
    return timedelta(days=current_app.config["PIPELINE_STALLED_AFTER_DAYS"])


def stalled_condition() -> ColumnElement[bool]:
    """Nothing happened to the family for PIPELINE_STALLED_AFTER_DAYS and it is still on its way (neither licensed
    nor closed: the lead's `finished` flag, kept by licensing/pipeline/finished.py). The board's filter and the work
    queue's count; on Lead alone (no join needed), read from its index of (finished, last_activity_at)."""
    return and_(Lead.finished.is_(False), Lead.last_activity_at < now_utc() - stalled_after())


def uncontacted() -> ColumnElement[bool]:
    """A new inquiry nobody has made a first contact with yet: the work queue's count and the leads list's
    `?queue=uncontacted`."""
    return and_(Lead.status == LeadStatus.NEW, Lead.first_contact_at.is_(None))


def late_first_contact(now) -> ColumnElement[bool]:
    """No first contact, and its deadline (one business day after the inquiry, Lead.first_contact_due_at) passed:
    the dashboard's "past one business day" (with uncontacted()) and the leads list's badge."""
    return and_(Lead.first_contact_at.is_(None), Lead.first_contact_due_at < now)
