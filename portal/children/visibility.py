"""Who may see a child: the one rule, in one place (domain.md, "Privacy and records").

A family sees a child, and the child's appointments, only while a placement with that household is active, and only
the fields the child's record marks family-visible. A respite household sees the child only during its stay's days,
and only what it needs for them (`RESPITE_FIELDS`, the appointments inside the stay). When a placement or a stay ends,
access ends with it: every family-facing loader, page and calendar feed asks here, in the query itself, so a child
that is not theirs today is simply not found (404).

Staff: the child's coordinator and administrators work a child's record; no one else (need-to-know).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import Select, and_, false, literal, or_, select, union_all

from portal.children.models import (
    FAMILY_VISIBLE_CHOICES,
    Appointment,
    CaseStatus,
    Child,
    Placement,
    PlacementStatus,
    RespiteStay,
)
from portal.clock import agency_today, agency_zone
from portal.models import Role, User

# What a respite household needs for a few days: who the child is, the health needs, the language.
RESPITE_FIELDS = ("birth_date", "preferred_locale", "health_needs")


class FamilyAccess(enum.StrEnum):
    PRIMARY = "primary"  # the child is placed with this household
    RESPITE = "respite"  # the child is staying with this household for a few days


@dataclass(frozen=True)
class FamilyView:
    """What one household may see of one child today."""

    child_id: int
    access: FamilyAccess
    placement_id: int
    # The respite stay's days (respite access only): the appointments shown are those inside them.
    stay_starts_on: date | None = None
    stay_ends_on: date | None = None


def _primary(day: date, *, household_id: int | None = None, child_ids=None) -> Select:
    """Placements with a household, active and begun by `day`: the household sees the child as its own."""
    query = select(Placement.child_id.label("child_id"), literal(FamilyAccess.PRIMARY.value).label("access"),
                   Placement.id.label("placement_id"), literal(None).label("stay_starts_on"),
                   literal(None).label("stay_ends_on"), Placement.household_id.label("household_id")).where(
        Placement.status == PlacementStatus.ACTIVE, Placement.starts_on <= day)
    if household_id is not None:
        query = query.where(Placement.household_id == household_id)
    if child_ids is not None:
        query = query.where(Placement.child_id.in_(child_ids))
    return query


def _respite(stay_from: date, stay_until: date, *, household_id: int | None = None, child_ids=None) -> Select:
    """Respite stays (not cancelled, of an active placement, with another household) overlapping the days
    `stay_from`..`stay_until` (one day for "today")."""
    query = select(Placement.child_id, literal(FamilyAccess.RESPITE.value), Placement.id, RespiteStay.starts_on,
                   RespiteStay.ends_on, RespiteStay.household_id).join(
        RespiteStay, RespiteStay.placement_id == Placement.id).where(
        RespiteStay.cancelled_at.is_(None), RespiteStay.household_id.is_not(None),
        RespiteStay.starts_on <= stay_until, RespiteStay.ends_on >= stay_from,
        Placement.status == PlacementStatus.ACTIVE, Placement.household_id != RespiteStay.household_id)
    if household_id is not None:
        query = query.where(RespiteStay.household_id == household_id)
    if child_ids is not None:
        query = query.where(Placement.child_id.in_(child_ids))
    return query


def family_children_query(household_id: int | None, today: date | None = None) -> Select:
    """One row per child this household may see today: (child_id, access, placement_id, stay_starts_on,
    stay_ends_on, household_id). A subquery for pages and feeds to join (one statement, whatever the number of
    children). Without a household: the same columns, no rows."""
    today = agency_today() if today is None else today
    if household_id is None:
        return _primary(today).where(false())
    return union_all(_primary(today, household_id=household_id), _respite(today, today, household_id=household_id))


def households_seeing(child_ids, day: date) -> dict[int, list[tuple[int, FamilyAccess]]]:
    """For each child, the households that see it on `day` and how: the household of its placement (active and
    begun by `day`), and a respite household whose stay covers `day`. One statement."""
    child_ids = set(child_ids)
    found = households_seeing_each({child_id: (child_id, day) for child_id in child_ids}, day)
    return {child_id: found.get(child_id, []) for child_id in child_ids}


def households_seeing_each(wanted: dict, day: date) -> dict[object, list[tuple[int, FamilyAccess]]]:
    """The same rule for many questions at once, each `key: (child_id, stay_day)`: the household of the child's
    placement (active and begun by `day`) and a respite household whose stay covers that question's own
    `stay_day` (an appointment's day, for its notices). One statement, whatever the number of questions."""
    from portal.extensions import db

    if not wanted:
        return {}
    child_ids = {child_id for child_id, _day in wanted.values()}
    days = [stay_day for _child, stay_day in wanted.values()]
    rows = db.session.execute(union_all(_primary(day, child_ids=child_ids),
                                        _respite(min(days), max(days), child_ids=child_ids))).all()
    answers: dict[object, list[tuple[int, FamilyAccess]]] = {}
    for key, (child_id, stay_day) in wanted.items():
        seen: list[tuple[int, FamilyAccess]] = []
        for row in rows:
            access = FamilyAccess(row[1])
            if row[0] != child_id:
                continue
            if access is FamilyAccess.RESPITE and not _as_date(row[3]) <= stay_day <= _as_date(row[4]):
                continue
            if (row[5], access) not in seen:
                seen.append((row[5], access))
        answers[key] = sorted(seen, key=lambda pair: (pair[1] is not FamilyAccess.PRIMARY, pair[0]))
    return answers


def family_views(household_id: int | None, today: date | None = None) -> list[FamilyView]:
    """Every child a household may see today, with how: one statement a request (a family's home page and its
    appointments page ask from two places). Kept on the request, never longer: no request reads it, changes a
    placement or a respite stay, and reads it again (those changes are staff POSTs that redirect)."""
    if household_id is None:
        return []
    today = agency_today() if today is None else today
    if not has_request_context():
        return _read_family_views(household_id, today)
    read = request.environ.setdefault("portal.family_views", {})
    if (household_id, today) not in read:
        read[household_id, today] = _read_family_views(household_id, today)
    return list(read[household_id, today])


def _read_family_views(household_id: int, today: date) -> list[FamilyView]:
    from portal.extensions import db

    rows = db.session.execute(family_children_query(household_id, today)).all()
    views = {}
    for row in rows:
        view = FamilyView(child_id=row[0], access=FamilyAccess(row[1]), placement_id=row[2],
                          stay_starts_on=_as_date(row[3]), stay_ends_on=_as_date(row[4]))
        # The primary family's view wins over a respite view of the same child (it cannot be both, but be sure).
        if view.child_id not in views or view.access is FamilyAccess.PRIMARY:
            views[view.child_id] = view
    return list(views.values())


def family_view_of(household_id: int | None, child_id: int, today: date | None = None) -> FamilyView | None:
    """How this household may see this child today, or None (then every family-facing loader answers 404)."""
    return next((v for v in family_views(household_id, today) if v.child_id == child_id), None)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite gives a literal NULL column's dates back as text


def family_fields(child: Child, view: FamilyView) -> dict[str, object]:
    """The fields of a child's record this household may read: the record's family-visible choice, narrowed to
    `RESPITE_FIELDS` for a respite household. Never anything outside FAMILY_VISIBLE_CHOICES."""
    allowed = set(child.family_visible or ()) & set(FAMILY_VISIBLE_CHOICES)
    if view.access is FamilyAccess.RESPITE:
        allowed &= set(RESPITE_FIELDS)
    return {name: getattr(child, name) for name in FAMILY_VISIBLE_CHOICES if name in allowed}


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=agency_zone())


def family_appointments_clause(household_id: int | None, today: date | None = None):
    """A WHERE clause on Appointment: the appointments this household may see today — all of a child placed with it,
    only those inside the stay's days for a respite household."""
    views = family_views(household_id, today)
    conditions = []
    for view in views:
        if view.access is FamilyAccess.PRIMARY:
            conditions.append(Appointment.child_id == view.child_id)
        else:
            conditions.append(and_(Appointment.child_id == view.child_id,
                                   Appointment.starts_at >= _day_start_utc(view.stay_starts_on),
                                   Appointment.starts_at < _day_start_utc(view.stay_ends_on + timedelta(days=1))))
    return or_(*conditions) if conditions else false()


def may_work_child(user: User, child: Child) -> bool:
    """Staff need-to-know: the child's own coordinator, or an administrator (supervisors assign and audit)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.COORDINATOR and child.coordinator_id == user.id


def caseload_clause(user: User):
    """A WHERE clause on Child: the children this staff member works (their caseload; every child for an admin)."""
    if user.role is Role.ADMIN:
        return Child.case_status.in_(list(CaseStatus))
    if user.role is Role.COORDINATOR:
        return Child.coordinator_id == user.id
    return false()
