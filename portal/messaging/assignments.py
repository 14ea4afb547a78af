"""Who works with a household, both ways: the staff a family may write to, and the families a staff member may write
to. The core answers for coordinators (the children placed with the household); licensing answers for its
homefinder by connecting to `portal.signals.household_staff` and registering a household source here.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, select, union

from portal.children.models import Child, Placement, PlacementStatus
from portal.extensions import db
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


@household_staff.connect
def coordinators_of_placed_children(household_id, **_kwargs) -> list[int]:
    """The coordinators of the children placed with the household today (core reading core)."""
    return list(db.session.scalars(
        select(Child.coordinator_id).distinct().join(Placement, Placement.child_id == Child.id).where(
            Placement.household_id == household_id, Placement.status == PlacementStatus.ACTIVE,
            Child.coordinator_id.is_not(None))))


def _coordinator_households(user: User) -> Select:
    return select(Placement.household_id).join(Child, Child.id == Placement.child_id).where(
        Child.coordinator_id == user.id, Placement.status == PlacementStatus.ACTIVE)


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
        User.id.in_(ids), User.is_active.is_(True), User.role.in_(THREAD_STAFF_ROLES)).order_by(User.full_name)))


def households_for_staff(user: User) -> list[Household]:
    """The households this staff member works with (every registered source), by name."""
    queries = [source(user) for source in _household_sources]
    if not queries:
        return []
    ids = union(*queries).subquery()
    return list(db.session.scalars(select(Household).where(Household.id.in_(select(ids.c[0])))
                                   .order_by(Household.name)))
