"""The caseload's query: one page of children with their current placement, then the next two appointments of each
child on the page in one statement (a window function, the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from portal.children.models import Appointment, AppointmentStatus, CaseStatus, Child, Placement, PlacementStatus
from portal.children.visibility import caseload_clause
from portal.database import now_utc
from portal.extensions import db
from portal.folding import fold
from portal.models import Household, User
from portal.paging import Page, matches, paginate

# Made once (as licensing/pipeline/board.py's): an alias built per call costs about a millisecond, its column
# proxies made again at every request, more than the rest of the query.
_COORDINATOR = aliased(User)


def caseload_page(user: User, q: str, status: CaseStatus | None = None) -> Page:
    """Rows of (Child, placed household's name, placement start, coordinator's name), by name; only open or closed
    cases when `status` says so."""
    coordinator = _COORDINATOR
    query = (select(Child, Household.name, Placement.starts_on, coordinator.full_name)
             .outerjoin(Placement, and_(Placement.child_id == Child.id, Placement.status == PlacementStatus.ACTIVE))
             .outerjoin(Household, Household.id == Placement.household_id)
             .outerjoin(coordinator, coordinator.id == Child.coordinator_id)
             .where(caseload_clause(user), matches(q, Child.first_name, Child.last_name, Child.school,
                                                   Child.sibling_group))
             .order_by(fold(Child.last_name), fold(Child.first_name), Child.id))
    if status is not None:
        query = query.where(Child.case_status == status)
    return paginate(query, scalars=False)


def next_appointments(child_ids: list[int], after: datetime | None = None, per_child: int = 2) -> dict[int, list]:
    """The next `per_child` scheduled appointments of each child, in one statement."""
    if not child_ids:
        return {}
    rank = func.row_number().over(partition_by=Appointment.child_id,
                                  order_by=(Appointment.starts_at, Appointment.id)).label("rank")
    ranked = (select(Appointment.id, Appointment.child_id, Appointment.kind, Appointment.title, Appointment.starts_at,
                     rank)
              .where(Appointment.child_id.in_(child_ids), Appointment.status == AppointmentStatus.SCHEDULED,
                     Appointment.starts_at >= (after or now_utc()))
              .subquery())
    rows = db.session.execute(select(ranked).where(ranked.c.rank <= per_child)
                              .order_by(ranked.c.child_id, ranked.c.starts_at, ranked.c.id)).all()
    found = defaultdict(list)
    for row in rows:
        found[row.child_id].append(row)
    return found
