"""Named loaders for children's records. Staff loaders answer 404 to anyone who doesn't work the child (its own
coordinator, or an administrator: `visibility.may_work_child`) and record every read of a child's record in the event
log; the family loader asks the one visibility rule (`visibility.family_view_of`), so a child that is not theirs
today — another household's, or a placement that ended — is simply not found."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal import audit
from portal.children.models import Child, Placement, PlacementStatus, RespiteStay
from portal.children.visibility import FamilyView, family_view_of, may_work_child
from portal.extensions import db
from portal.models import Role, User

CHILD_VIEWED = "child_viewed"


def _staff_may_enter(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.COORDINATOR, Role.ADMIN)


def get_child_for_staff(user: User, child_id: int, *, record_read: bool = True) -> Child:
    """The child, for its coordinator or an administrator; the read is recorded (who, which child, when)."""
    child = db.session.get(Child, child_id) if _staff_may_enter(user) else None
    if child is None or not may_work_child(user, child):
        abort(404)
    if record_read:
        audit.record(CHILD_VIEWED, actor=user, target=child, child_id=child.id)
    return child


def get_placement_for_staff(user: User, placement_id: int) -> Placement:
    """A placement of a child the user works (its child loaded); 404 otherwise."""
    row = db.session.execute(select(Placement, Child).join(Child, Child.id == Placement.child_id)
                             .where(Placement.id == placement_id)).first() if _staff_may_enter(user) else None
    if row is None or not may_work_child(user, row[1]):
        abort(404)
    return row[0]


def get_active_placement_for_staff(user: User, placement_id: int) -> Placement:
    placement = get_placement_for_staff(user, placement_id)
    if placement.status is not PlacementStatus.ACTIVE:
        abort(404)
    return placement


def get_stay_for_staff(user: User, stay_id: int) -> tuple[RespiteStay, Placement]:
    """A respite stay (with its placement) of a child the user works; 404 otherwise."""
    row = db.session.execute(select(RespiteStay, Placement, Child)
                             .join(Placement, Placement.id == RespiteStay.placement_id)
                             .join(Child, Child.id == Placement.child_id)
                             .where(RespiteStay.id == stay_id)).first() if _staff_may_enter(user) else None
    if row is None or not may_work_child(user, row[2]):
        abort(404)
    return row[0], row[1]


def get_coordinator_for_admin(user: User, coordinator_id: int | None) -> User:
    """An active coordinator, for an administrator assigning children; 404 otherwise."""
    if not (_staff_may_enter(user) and user.role is Role.ADMIN) or coordinator_id is None:
        abort(404)
    coordinator = db.session.get(User, coordinator_id)
    if coordinator is None or coordinator.role is not Role.COORDINATOR:
        abort(404)
    return coordinator


def get_child_for_audit(user: User, child_id: int | None) -> Child:
    """The child whose events an administrator reads in the audit log (the log itself is the record of reads)."""
    child = db.session.get(Child, child_id) if child_id is not None and user.role is Role.ADMIN else None
    if child is None:
        abort(404)
    return child


def get_child_for_family(user: User, child_id: int) -> tuple[Child, FamilyView]:
    """The child and how this family may see it today (placed with them, or staying with them for respite);
    404 whenever the one visibility rule says no."""
    if not (user.is_authenticated and user.role in (Role.FAMILY, Role.APPLICANT)) or user.household_id is None:
        abort(404)
    view = family_view_of(user.household_id, child_id)
    if view is None:
        abort(404)
    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    return child, view
