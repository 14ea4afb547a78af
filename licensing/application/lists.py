"""The homefinders' list of applications: filtered and searched in SQL, paged by portal/paging.py, and each row's
complete sections counted by one grouped COUNT for the page's ids only, instead of loading every section of every
application (a correlated subquery in the list's query would be computed for every filtered row before the sort on
SQLite)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from licensing.application.models import Application, ApplicationSection, ApplicationStatus, SectionStatus
from licensing.recruitment.models import Lead
from portal.extensions import db
from portal.models import Household, User
from portal.paging import matches
from portal.routing import parse_id

# Made once (as licensing/pipeline/board.py's): an alias built per call costs about a millisecond, its column
# proxies made again at every request, more than the rest of the query.
_HOMEFINDER = aliased(User)


def applications_query(me: User, status: str = "", assigned: str = "", q: str = "") -> Select:
    """Rows of (id, status, submitted_at, household name, homefinder name), newest first.
    `assigned`: "me", "none" or a homefinder's id; `q` searches the household's name and the lead's name, email and
    phone."""
    homefinder = _HOMEFINDER
    query = (select(Application.id, Application.status, Application.submitted_at,
                    Household.name.label("household_name"), homefinder.full_name.label("homefinder_name"))
             .join(Household, Household.id == Application.household_id)
             .outerjoin(homefinder, homefinder.id == Application.assigned_homefinder_id)
             .order_by(Application.created_at.desc(), Application.id.desc()))
    if status in {s.value for s in ApplicationStatus}:
        query = query.where(Application.status == ApplicationStatus(status))
    if assigned == "me":
        query = query.where(Application.assigned_homefinder_id == me.id)
    elif assigned == "none":
        query = query.where(Application.assigned_homefinder_id.is_(None))
    elif parse_id(assigned) is not None:
        query = query.where(Application.assigned_homefinder_id == parse_id(assigned))
    if q:
        query = (query.outerjoin(Lead, Lead.id == Application.lead_id)
                 .where(matches(q, Household.name, Lead.first_name, Lead.last_name,
                                Lead.first_name + " " + Lead.last_name, Lead.email, phone=Lead.phone)))
    return query


def complete_sections(application_ids: list[int]) -> dict[int, int]:
    """How many sections of each of these applications are complete (one statement; absent: none)."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        select(ApplicationSection.application_id, func.count())
        .where(ApplicationSection.application_id.in_(application_ids),
               ApplicationSection.status == SectionStatus.COMPLETE)
        .group_by(ApplicationSection.application_id)).all()
    return {application_id: count for application_id, count in rows}
