"""What the mileage pages read: each a fixed number of statements whatever the number of trips or claims."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal.appointments.labels import kind_label
from portal.children.models import Appointment, AppointmentStatus, Child, Placement, PlacementStatus
from portal.children.visibility import caseload_clause
from portal.clock import agency_zone
from portal.extensions import db
from portal.folding import fold
from portal.i18n import datetime_filter
from portal.mileage.models import ClaimStatus, MileageClaim, Trip
from portal.mileage.permissions import placed_children, staff_claim_clause
from portal.models import Household, User

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
APPOINTMENT_DAYS = 90  # how far back the trip form offers appointments


def parse_month(value: str | None) -> date | None:
    """"2026-11" as the first day of that month, or None."""
    match = MONTH.fullmatch((value or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def family_children(user: User) -> list[tuple[int, str, date]]:
    """(id, name, placed since) of the children placed with the user's household today."""
    return [tuple(row) for row in db.session.execute(
        select(Child.id, Child.first_name + " " + Child.last_name, Placement.starts_on)
        .join(Placement, Placement.child_id == Child.id)
        .where(Placement.household_id == user.household_id, Placement.status == PlacementStatus.ACTIVE,
               Child.id.in_(placed_children(user))).order_by(fold(Child.first_name), Child.id)).all()]


def caseload_children(user: User, today: date) -> list[tuple[int, str, date, int]]:
    """(id, name, placed since, household id) of the staff member's children placed with a household today."""
    return [tuple(row) for row in db.session.execute(
        select(Child.id, Child.first_name + " " + Child.last_name, Placement.starts_on, Placement.household_id)
        .join(Placement, Placement.child_id == Child.id)
        .where(caseload_clause(user), Placement.status == PlacementStatus.ACTIVE, Placement.starts_on <= today)
        .order_by(fold(Child.first_name), Child.id)).all()]


def appointment_choices(child_ids: list[int], today: date) -> list[tuple[int, int, str]]:
    """(id, child id, words) of these children's recent scheduled appointments, for the trip form."""
    if not child_ids:
        return []
    zone = agency_zone()
    rows = db.session.execute(
        select(Appointment.id, Appointment.child_id, Appointment.starts_at, Appointment.kind, Appointment.title,
               Appointment.place,
               Child.first_name)
        .join(Child, Child.id == Appointment.child_id)
        .where(Appointment.child_id.in_(child_ids), Appointment.status == AppointmentStatus.SCHEDULED,
               Appointment.starts_at >= _start_of(today - timedelta(days=APPOINTMENT_DAYS), zone),
               Appointment.starts_at < _start_of(today + timedelta(days=1), zone))
        .order_by(Appointment.starts_at.desc())).all()
    return [(a_id, child_id, _("%(name)s: %(kind)s, %(when)s", name=first_name, kind=kind_label(kind),
                                 when=datetime_filter(starts_at, "short"))
             + (f" ({title or place})" if title or place else ""))
            for a_id, child_id, starts_at, kind, title, place, first_name in rows]


def _start_of(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def family_unclaimed_trips(user: User) -> list[Trip]:
    """The household's trips not in a claim yet, newest first (those of a child who left too: its money)."""
    return list(db.session.scalars(
        select(Trip).where(Trip.household_id == user.household_id, Trip.claim_id.is_(None))
        .options(joinedload(Trip.child).load_only(Child.id, Child.first_name))
        .order_by(Trip.trip_on.desc(), Trip.id.desc())))


def family_claims(user: User) -> list[MileageClaim]:
    return list(db.session.scalars(select(MileageClaim).where(MileageClaim.household_id == user.household_id)
                                   .order_by(MileageClaim.month.desc(), MileageClaim.id.desc())))


def family_claims_returned(household_id: int | None) -> list[tuple[int, date]]:
    """(id, month) of the household's claims the agency returned for changes, oldest month first (one statement)."""
    if household_id is None:
        return []
    return [tuple(row) for row in db.session.execute(
        select(MileageClaim.id, MileageClaim.month).where(MileageClaim.household_id == household_id,
                                                          MileageClaim.status == ClaimStatus.RETURNED)
        .order_by(MileageClaim.month, MileageClaim.id))]


def staff_claims_query(user: User) -> Select:
    return (select(MileageClaim).where(staff_claim_clause(user))
            .options(joinedload(MileageClaim.household).load_only(Household.id, Household.name)))


def claims_csv_rows(user: User, month: date):
    """One row per trip of the month's claims the staff member may work (one statement)."""
    rows = db.session.execute(
        select(MileageClaim, Household.name, Trip, Child.first_name, Child.last_name)
        .join(Household, Household.id == MileageClaim.household_id)
        .join(Trip, Trip.claim_id == MileageClaim.id).join(Child, Child.id == Trip.child_id)
        .where(MileageClaim.month == month, staff_claim_clause(user), caseload_clause(user))
        .order_by(fold(Household.name), MileageClaim.id, Trip.trip_on, Trip.id)).all()
    return rows
