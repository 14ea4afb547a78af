"""Who works with a household, both ways: the staff a family may write to, and the families a staff member may write
to. Who works with a household is asked of every receiver of `portal.signals.household_staff`: the children package
answers for coordinators (`portal.children.services.coordinators_of_household`, the one rule, imported below so it is
always connected), licensing for its homefinder (which also registers a household source here).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, select, union

from portal.children import services as _children_services  # noqa: F401  (connects the coordinators' receiver)
from portal.children.models import Child, Placement, PlacementStatus
from portal.clock import agency_today
from portal.extensions import db
from portal.folding import fold
from portal.models import Household, Role, User
from portal.signals import household_staff

# Staff who may be party to a thread: the people who answer families. Administrators supervise: they read a thread
# only by giving a reason (permissions.py), and are never a thread's staff member.
THREAD_STAFF_ROLES = (Role.COORDINATOR, Role.HOMEFINDER)

#: Functions giving, for a staff member, a SELECT of the household ids they work with (one column).
HouseholdSource = Callable[[User], Select]
_household_sources: list[HouseholdSource] = []


def register_household_source(source: HouseholdSource) -> None:
    if source not in _household_sources:
        _household_sources.append(source)


def _coordinator_households(user: User) -> Select:
    """The households where a child of this coordinator's caseload lives today (a placement starting later is not
    yet theirs to write to)."""
    return select(Placement.household_id).join(Child, Child.id == Placement.child_id).where(
        Child.coordinator_id == user.id, Placement.status == PlacementStatus.ACTIVE,
        Placement.starts_on <= agency_today())


register_household_source(_coordinator_households)


def staff_for_household(household_id: int) -> list[User]:
    """The active staff members assigned to the household (every receiver of `household_staff`), by name: the
    only people a family may start a thread with."""
    ids: set[int] = set()
    for _receiver, answer in household_staff.send(household_id):
        ids.update(int(i) for i in (answer or ()) if i is not None)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(
        User.id.in_(ids), User.is_active.is_(True), User.role.in_(THREAD_STAFF_ROLES))
        .order_by(fold(User.full_name), User.id)))


def households_for_staff(user: User) -> list[Household]:
    """The households this staff member works with (every registered source), by name."""
    queries = [source(user) for source in _household_sources]
    if not queries:
        return []
    ids = union(*queries).subquery()
    return list(db.session.scalars(select(Household).where(Household.id.in_(select(ids.c[0])))
                                   .order_by(fold(Household.name), Household.id)))


def caseload_children_placed(user: User) -> list:
    """The children of this staff member's caseload placed with a household today (primary placements), with the
    household's name, for a staff member's new thread about one child (one statement; none for a homefinder, who
    has no caseload)."""
    if user.role is not Role.COORDINATOR:
        return []
    return list(db.session.execute(
        select(Child.id, Child.first_name, Child.last_name, Placement.household_id, Household.name.label("household"))
        .join(Placement, Placement.child_id == Child.id).join(Household, Household.id == Placement.household_id)
        .where(Child.coordinator_id == user.id, Placement.status == PlacementStatus.ACTIVE,
               Placement.starts_on <= agency_today())
        .order_by(fold(Household.name), fold(Child.first_name), fold(Child.last_name), Child.id)).all())
