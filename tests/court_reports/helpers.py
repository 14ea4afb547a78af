"""Placed children for the caregiver report's and mileage's tests, made straight through the models (the children's
pages are another part's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.children.models import Appointment, AppointmentKind, Child, Placement, PlacementStatus
from portal.database import now_utc


def place_child(db, household_id: int, coordinator_id: int | None, *, starts_on: date | None = None,
                first_name: str = "Mia") -> Child:
    """A child on the coordinator's caseload, placed with the household since `starts_on` (30 days ago)."""
    child = Child(first_name=first_name, last_name="Lopez", birth_date=date(2016, 5, 4), coordinator_id=coordinator_id)
    db.session.add(child)
    db.session.flush()
    db.session.add(Placement(child_id=child.id, household_id=household_id,
                             starts_on=starts_on or (now_utc().date() - timedelta(days=30))))
    db.session.commit()
    return child


def end_placement(db, child_id: int) -> None:
    placement = db.session.query(Placement).filter_by(child_id=child_id, status=PlacementStatus.ACTIVE).one()
    placement.status, placement.ends_on = PlacementStatus.ENDED, now_utc().date()
    db.session.commit()


def hearing(db, child_id: int, starts_at: datetime | None = None, kind=AppointmentKind.COURT_HEARING) -> Appointment:
    """A court hearing of the child (in 10 days unless told)."""
    appointment = Appointment(child_id=child_id, kind=kind, title="Review hearing",
                              starts_at=starts_at or now_utc() + timedelta(days=10), place="County courthouse")
    db.session.add(appointment)
    db.session.commit()
    return appointment
