"""Every write of placed children: a child's record, its coordinator, its case status, placements with licensed
households, and short stays away. Services flush, never commit; status changes go through `transition` with the
child's id on the event, so a child's whole trail is one query of the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.children.labels import ChildAction
from portal.children.licenses import LicensedHome, licensed_homes
from portal.children.models import (
    CASE_MOVES,
    FAMILY_VISIBLE_CHOICES,
    NEVER_FAMILY_VISIBLE,
    PLACEMENT_MOVES,
    CaseStatus,
    Child,
    Placement,
    PlacementEndReason,
    PlacementStatus,
    RespiteStay,
    StayKind,
)
from portal.children.visibility import family_children_query
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, Role, User
from portal.signals import child_reassigned, household_staff, staff_handover
from portal.transitions import ChangedMeanwhile, Refused, transition

# The fields of a child's record a coordinator edits on the child's form (everything but who works it and status).
EDITABLE_FIELDS = ("first_name", "last_name", "birth_date", "preferred_locale", "school", "needs", "needs_summary",
                   "health_needs", "education_needs", "visitation_plan", "permanency_goal", "sibling_group",
                   "case_notes", "reporter", "court_notes", "birth_family_notes")


class RefusedAt(Refused):
    """A refusal about one field of the form (`field`): the page says it next to that field."""

    def __init__(self, field: str, message) -> None:
        super().__init__(message)
        self.field = field


def allowed_family_fields(chosen) -> list[str]:
    """Only what may ever be family-visible, in a fixed order; anything else (a never-visible field, a made-up name)
    is dropped."""
    chosen = set(chosen or ())
    return [name for name in FAMILY_VISIBLE_CHOICES if name in chosen and name not in NEVER_FAMILY_VISIBLE]


def _apply(child: Child, values: dict) -> list[str]:
    changed = []
    for name in EDITABLE_FIELDS:
        if name in values and getattr(child, name) != values[name]:
            setattr(child, name, values[name])
            changed.append(name)
    if "family_visible" in values:
        visible = allowed_family_fields(values["family_visible"])
        if list(child.family_visible or []) != visible:
            child.family_visible = visible
            changed.append("family_visible")
    return changed


def create_child(actor: User, values: dict, coordinator_id: int | None = None) -> Child:
    """A new child on a caseload: the coordinator's own, or the one an administrator picks."""
    if coordinator_id is None and actor.role is Role.COORDINATOR:
        coordinator_id = actor.id
    child = Child(coordinator_id=coordinator_id, updated_by_id=actor.id, case_status=CaseStatus.OPEN,
                  family_visible=allowed_family_fields(values.get("family_visible", ())))
    _apply(child, values)
    db.session.add(child)
    db.session.flush()
    audit.record(ChildAction.CHILD_CREATED, actor=actor, target=child, child_id=child.id)
    return child


def update_child(actor: User, child: Child, values: dict, expected_version: int) -> Child:
    """Change a child's record; someone else's newer save first raises ChangedMeanwhile (nothing stored)."""
    if child.version != expected_version:
        raise ChangedMeanwhile
    changed = _apply(child, values)
    if changed:
        child.updated_by_id, child.updated_at = actor.id, now_utc()
        db.session.flush()
        # Which fields changed, never their values (the log is read by more people than the record).
        audit.record(ChildAction.CHILD_CHANGED, actor=actor, target=child, child_id=child.id, fields=changed)
    return child


def change_case_status(actor: User, child: Child, target: CaseStatus, reason: str, expected_version: int) -> None:
    """Close or reopen a child's case (CASE_MOVES); a case with a current placement can't be closed."""
    if target is CaseStatus.CLOSED and current_placement(child.id) is not None:
        raise RefusedAt("status", _l("End the current placement before closing the case."))
    transition(CASE_MOVES, child, target, actor=actor, household_id=None, reason=reason,
               expected_version=expected_version, child_id=child.id)
    child.updated_by_id, child.updated_at = actor.id, now_utc()
    db.session.flush()


def assign_coordinator(actor: User, child: Child, coordinator: User) -> None:
    """An administrator puts a child on a coordinator's caseload."""
    if child.coordinator_id == coordinator.id:
        return
    previous = child.coordinator_id
    child.coordinator_id = coordinator.id
    child.updated_by_id, child.updated_at = actor.id, now_utc()
    db.session.flush()
    audit.record(ChildAction.CHILD_ASSIGNED, actor=actor, target=child, child_id=child.id,
                 coordinator_id=coordinator.id, previous_coordinator_id=previous)
    child_reassigned.send(child.id, previous=previous, successor=coordinator.id, actor=actor)


def hand_over(actor: User, leaving: User, successor: User) -> None:
    """A coordinator leaves (or hands over): everyone listening to `staff_handover` moves their part — children
    their caseload (below), messaging its threads."""
    if leaving.id == successor.id:
        raise RefusedAt("successor", _l("Choose another coordinator to take over."))
    staff_handover.send(leaving, successor=successor, actor=actor)


@staff_handover.connect
def move_caseload(leaving: User, successor: User, actor: User | None = None, **_kwargs) -> None:
    """Every child of the leaving coordinator goes to the successor: one UPDATE, one event per child moved (each
    child's trail says who works it since when)."""
    if successor.role is not Role.COORDINATOR:
        return
    child_ids = db.session.scalars(select(Child.id).where(Child.coordinator_id == leaving.id)).all()
    if not child_ids:
        return
    db.session.execute(update(Child).where(Child.id.in_(child_ids))
                       .values(coordinator_id=successor.id, version=Child.version + 1, updated_at=now_utc(),
                               updated_by_id=actor.id if actor is not None else None)
                       .execution_options(synchronize_session="fetch"))
    for child_id in child_ids:
        audit.record(ChildAction.CHILD_ASSIGNED, actor=actor, child_id=child_id, coordinator_id=successor.id,
                     previous_coordinator_id=leaving.id, handover=True)
    audit.record(ChildAction.CASELOAD_HANDED_OVER, actor=actor, target=leaving, successor_id=successor.id,
                 children=len(child_ids))
    db.session.flush()


@household_staff.connect
def coordinators_of_household(household_id: int, **_kwargs) -> list[int]:
    """The coordinators of the children a household sees today (messaging lets the family write to them): the one
    rule of `visibility.family_children_query` — a placement once begun, a respite stay during its days."""
    rows = family_children_query(household_id).subquery()
    return list(db.session.scalars(
        select(Child.coordinator_id).distinct().join(rows, rows.c.child_id == Child.id)
        .where(Child.coordinator_id.is_not(None)).order_by(Child.coordinator_id)).all())


# -- placements -----------------------------------------------------------------------------------------------------

def current_placement(child_id: int) -> Placement | None:
    return db.session.scalar(select(Placement).where(Placement.child_id == child_id,
                                                     Placement.status == PlacementStatus.ACTIVE))


def active_counts(household_ids: list[int]) -> dict[int, int]:
    """How many children are placed in each household now (one statement)."""
    if not household_ids:
        return {}
    rows = db.session.execute(select(Placement.household_id, func.count(Placement.id))
                              .where(Placement.household_id.in_(household_ids),
                                     Placement.status == PlacementStatus.ACTIVE)
                              .group_by(Placement.household_id)).all()
    return {household_id: count for household_id, count in rows}


def licensed_home(household_id: int, on: date) -> LicensedHome | None:
    return next(iter(licensed_homes(on, [household_id])), None)


@dataclass(frozen=True)
class PlacementCheck:
    home: LicensedHome
    placed: int


def check_placement(child: Child, household_id: int, starts_on: date) -> PlacementCheck:
    """The rules a placement must meet, each refusal said next to its field: a licensed household on that date,
    room under its licensed capacity, the child's age inside the license's range, and no current placement."""
    if current_placement(child.id) is not None:
        raise RefusedAt("household", _l("This child already has a current placement: end it first."))
    if child.case_status is CaseStatus.CLOSED:
        raise RefusedAt("household", _l("This child's case is closed: reopen it before placing the child."))
    if starts_on < child.birth_date:
        raise RefusedAt("starts_on", _l("The placement can't start before the child's date of birth."))
    home = licensed_home(household_id, starts_on)
    if home is None:
        raise RefusedAt("household", _l("This household is not licensed on that date."))
    placed = active_counts([household_id]).get(household_id, 0)
    if placed >= home.capacity:
        raise RefusedAt("household", _l("This household is licensed for %(capacity)d children and already has "
                                        "%(placed)d placed.", capacity=home.capacity, placed=placed))
    age = child.age_on(starts_on)
    if not home.age_min <= age <= home.age_max:
        raise RefusedAt("household", _l("This household is licensed for ages %(low)d to %(high)d; the child is "
                                        "%(age)d on that date.", low=home.age_min, high=home.age_max, age=age))
    return PlacementCheck(home=home, placed=placed)


def place_child(actor: User, child: Child, household_id: int, starts_on: date, reason: str) -> Placement:
    """Place the child with a licensed household (checked by `check_placement`). Two coordinators placing two
    children in a household's last place at once: PostgreSQL makes the second wait on the household's row; and on
    any database the count is taken again after the insert, refusing (the request rolls back) when over capacity."""
    db.session.execute(select(Household.id).where(Household.id == household_id).with_for_update())
    check = check_placement(child, household_id, starts_on)
    placement = Placement(child_id=child.id, household_id=household_id, status=PlacementStatus.ACTIVE,
                          starts_on=starts_on, start_reason=reason.strip(), placed_by_id=actor.id)
    try:
        with db.session.begin_nested():  # the partial unique index: someone placed the child a moment ago
            db.session.add(placement)
    except IntegrityError:
        raise RefusedAt("household", _l("This child already has a current placement: end it first.")) from None
    placed = db.session.scalar(select(func.count(Placement.id)).where(Placement.household_id == household_id,
                                                                      Placement.status == PlacementStatus.ACTIVE))
    if placed > check.home.capacity:  # someone else took the last place meanwhile
        raise RefusedAt("household", _l("This household is licensed for %(capacity)d children and already has "
                                        "%(placed)d placed.", capacity=check.home.capacity, placed=placed - 1))
    audit.record(ChildAction.CHILD_PLACED, actor=actor, target=placement, household_id=household_id,
                 child_id=child.id, to_status=PlacementStatus.ACTIVE.value, reason=reason.strip())
    return placement


def end_placement(actor: User, placement: Placement, ends_on: date, end_reason: PlacementEndReason,
                  note: str = "") -> None:
    """End a placement (PLACEMENT_MOVES): the family's access to the child ends with it, at once."""
    if ends_on < placement.starts_on:
        raise RefusedAt("ends_on", _l("The end date can't be before the placement started."))
    if ends_on > agency_today():
        # Ending takes the family's access away at once: it is recorded on the day, not ahead of time.
        raise RefusedAt("ends_on", _l("A placement is ended on the day it ends, not ahead of time."))
    placement.ends_on, placement.end_reason, placement.end_note = ends_on, end_reason, note.strip()
    transition(PLACEMENT_MOVES, placement, PlacementStatus.ENDED, actor=actor, household_id=placement.household_id,
               reason=note.strip() or end_reason.value, child_id=placement.child_id, end_reason=end_reason.value)
    db.session.flush()


def cancel_placement(actor: User, placement: Placement, note: str) -> None:
    """A placement that hasn't started (entered ahead, or by mistake) can't be ended — no day is both on or after its
    start and not after today — so it is cancelled: ended on its own start date with reason "other" and the note,
    which frees the household's place at once."""
    if placement.starts_on <= agency_today():
        raise RefusedAt("note", _l("This placement has started: end it instead."))
    placement.ends_on, placement.end_reason, placement.end_note = (placement.starts_on, PlacementEndReason.OTHER,
                                                                   note.strip())
    transition(PLACEMENT_MOVES, placement, PlacementStatus.ENDED, actor=actor, household_id=placement.household_id,
               reason=note.strip(), child_id=placement.child_id, end_reason=PlacementEndReason.OTHER.value,
               cancelled_before_start=True)
    db.session.flush()


# -- respite and short stays ----------------------------------------------------------------------------------------

# A stay is a few days away while the placement goes on (respite, a hospital, a camp). Longer than a month, the child
# no longer lives with the family: that is a change of placement (end this one, place the child), not a stay.
MAX_STAY_DAYS = 30


def _check_respite_home(home: LicensedHome, placement: Placement, starts_on: date, ends_on: date) -> None:
    """The respite home's license, as for a placement: the child's age inside its range on every day of the stay,
    and room under its capacity — the children placed with it plus those staying with it on any of these days."""
    child = db.session.get(Child, placement.child_id)
    for age in {child.age_on(starts_on), child.age_on(ends_on)}:
        if not home.age_min <= age <= home.age_max:
            raise RefusedAt("household", _l("This household is licensed for ages %(low)d to %(high)d; the child is "
                                            "%(age)d on that date.", low=home.age_min, high=home.age_max, age=age))
    placed = active_counts([home.household_id]).get(home.household_id, 0)
    staying = db.session.scalar(select(func.count(RespiteStay.id)).join(
        Placement, Placement.id == RespiteStay.placement_id).where(
        RespiteStay.household_id == home.household_id, RespiteStay.cancelled_at.is_(None),
        Placement.status == PlacementStatus.ACTIVE,
        RespiteStay.starts_on <= ends_on, RespiteStay.ends_on >= starts_on))
    if placed + staying >= home.capacity:
        raise RefusedAt("household", _l("This respite home is licensed for %(capacity)d children and already has "
                                        "%(count)d during those days.", capacity=home.capacity,
                                        count=placed + staying))


def record_stay(actor: User, placement: Placement, kind: StayKind, starts_on: date, ends_on: date, reason: str,
                household_id: int | None = None, place_name: str = "") -> RespiteStay:
    """A few days away while the placement stays with the primary family: with another licensed household (who
    then sees the child's respite fields during those days only), or in a hospital, a camp or elsewhere."""
    if placement.status is not PlacementStatus.ACTIVE:
        raise RefusedAt("kind", _l("A stay can only be recorded during a current placement."))
    if ends_on < starts_on:
        raise RefusedAt("ends_on", _l("The stay can't end before it starts."))
    if starts_on < placement.starts_on:
        raise RefusedAt("starts_on", _l("The stay can't start before the placement did."))
    if (ends_on - starts_on).days + 1 > MAX_STAY_DAYS:
        raise RefusedAt("ends_on", _l("A stay lasts at most %(days)d days.", days=MAX_STAY_DAYS))
    if kind is StayKind.RESPITE_HOME:
        if household_id is None:
            raise RefusedAt("household", _l("Choose the respite home."))
        if household_id == placement.household_id:
            raise RefusedAt("household", _l("The respite home must be another household than the child's own."))
        home = licensed_home(household_id, starts_on)
        if home is None or licensed_home(household_id, ends_on) is None:
            raise RefusedAt("household", _l("This household is not licensed for all the days of the stay."))
        _check_respite_home(home, placement, starts_on, ends_on)
        place_name = ""
    else:
        household_id = None
        if not place_name.strip():
            raise RefusedAt("place_name", _l("Say where the child will stay."))
    stay = RespiteStay(placement_id=placement.id, kind=kind, household_id=household_id,
                       place_name=place_name.strip(), starts_on=starts_on, ends_on=ends_on, reason=reason.strip(),
                       created_by_id=actor.id)
    db.session.add(stay)
    db.session.flush()
    audit.record(ChildAction.STAY_RECORDED, actor=actor, target=stay, household_id=household_id,
                 child_id=placement.child_id, reason=reason.strip(), kind=kind.value,
                 starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(),
                 primary_household_id=placement.household_id)
    return stay


def cancel_stay(actor: User, stay: RespiteStay, placement: Placement, reason: str = "") -> None:
    """Cancel a stay: a respite household loses the child's page at once."""
    if stay.cancelled_at is not None:
        return
    stay.cancelled_at = now_utc()
    db.session.flush()
    audit.record(ChildAction.STAY_CANCELLED, actor=actor, target=stay, household_id=stay.household_id,
                 child_id=placement.child_id, reason=reason.strip())
