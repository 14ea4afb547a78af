"""Where a family is, from first inquiry to license: one stage per lead, computed in the database.

A lead's own status covers the start (inquiry, contacted, orientation, invited); once the household applies, its
application's status and its license say the rest. Closed wins over everything: the lead was closed (withdrew,
moved, not eligible, no response), or the application was denied or withdrawn, or the license closed.

`stage_column()` is a SQL CASE over a query that outer-joins Application and License to Lead (`pipeline_select`),
so the board filters, sorts and counts by stage in the database and metrics group by it, without loading rows."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, literal, or_, select

from licensing.application.models import Application, ApplicationStatus
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import License, LicenseStatus


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


def stage_column():
    """The stage as a SQL expression over Lead, Application and License (outer-joined: see pipeline_select)."""
    return case(
        (or_(Lead.status == LeadStatus.CLOSED,
             Application.status.in_([ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN]),
             License.status == LicenseStatus.CLOSED), literal(Stage.CLOSED.value)),
        (License.status.in_([LicenseStatus.ACTIVE, LicenseStatus.EXPIRED]), literal(Stage.LICENSED.value)),
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
