"""Named loaders of trips and claims.

A family: trips only of children placed with it today (the one visibility rule, in the query: an ended placement is a
404 at once); its own claims always (its money records, kept after a placement ends). Staff: a claim or trip of a
child on their caseload (`caseload_clause`: the child's coordinator, or an administrator); anyone else gets 404.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.children.models import Child
from portal.children.permissions import CHILD_VIEWED
from portal.children.visibility import FamilyAccess, caseload_clause, family_children_query
from portal.extensions import db
from portal.mileage.models import MileageClaim, Trip
from portal.models import Role, User


def placed_children(user: User):
    """The children placed with the user's household today (primary placements), as a subquery of ids."""
    views = family_children_query(user.household_id).subquery()
    return select(views.c.child_id).where(views.c.access == FamilyAccess.PRIMARY.value)


def get_trip_for_family(user: User, trip_id: int) -> Trip:
    """One of the household's trips of a child placed with it today, with its claim (to know if it may change)."""
    if user.household_id is None:
        abort(404)
    trip = db.session.scalar(select(Trip).where(
        Trip.id == trip_id, Trip.household_id == user.household_id, Trip.child_id.in_(placed_children(user)))
        .options(joinedload(Trip.claim), joinedload(Trip.child).load_only(Child.id, Child.first_name)))
    if trip is None:
        abort(404)
    return trip


def get_claim_for_family(user: User, claim_id: int) -> MileageClaim:
    if user.household_id is None:
        abort(404)
    claim = db.session.scalar(select(MileageClaim).where(
        MileageClaim.id == claim_id, MileageClaim.household_id == user.household_id).options(_claim_trips()))
    if claim is None:
        abort(404)
    return claim


def _claim_trips():
    return selectinload(MileageClaim.trips).options(joinedload(Trip.child).load_only(Child.id, Child.first_name))


def staff_claim_clause(user: User):
    """A claim staff may work: it has trips, and every one of them is of a child on their caseload (a coordinator
    never opens a claim that names another coordinator's child; an administrator's caseload is every child)."""
    mine = exists(select(Trip.id).join(Child, Child.id == Trip.child_id)
                  .where(Trip.claim_id == MileageClaim.id, caseload_clause(user)))
    if user.role is Role.ADMIN:
        return mine
    others = exists(select(Trip.id).join(Child, Child.id == Trip.child_id)
                    .where(Trip.claim_id == MileageClaim.id, ~caseload_clause(user)))
    return and_(mine, ~others)


def staff_claims_query(user: User) -> Select:
    return select(MileageClaim).where(staff_claim_clause(user)).options(joinedload(MileageClaim.household))


def get_claim_for_staff(user: User, claim_id: int, *, record_read: bool = False) -> MileageClaim:
    """A claim of children on the staff member's caseload; `record_read`: the page shows the children's trips, so
    each child's record read goes to the event log (as the children's pages do)."""
    claim = db.session.scalar(staff_claims_query(user).where(MileageClaim.id == claim_id).options(_claim_trips()))
    if claim is None:
        abort(404)
    if record_read:
        for child_id in sorted({trip.child_id for trip in claim.trips}):
            audit.record(CHILD_VIEWED, actor=user, target=claim, child_id=child_id,
                         household_id=claim.household_id)
    return claim
