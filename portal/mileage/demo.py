"""Demo data of mileage: a few trips and one submitted claim for family@demo.test, for a child placed with the
Rivera household (the children's demo places it; without one, nothing is added). Idempotent: skipped once the
household has a trip."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import Placement, PlacementStatus
from portal.clock import agency_today
from portal.extensions import db
from portal.mileage import services
from portal.mileage.models import Trip
from portal.models import User
from portal.signals import demo_seeding

DEMO_FAMILY = "family@demo.test"
DEMO_TRIPS = [  # days ago, from, to, purpose, tenths
    (20, "Home", "Valley Children's Clinic", "Well-child check", 124),
    (13, "Home", "Lincoln Elementary", "School meeting (IEP)", 58),
    (6, "Home", "Agency visiting room", "Family visit", 215),
]


@demo_seeding.connect
def seed(_app, **_kwargs) -> None:
    family = db.session.scalar(select(User).where(User.email == DEMO_FAMILY))
    if family is None or family.household_id is None:
        return
    if db.session.scalar(select(Trip.id).where(Trip.household_id == family.household_id).limit(1)) is not None:
        return
    today = agency_today()
    placement = db.session.scalar(select(Placement).where(
        Placement.household_id == family.household_id, Placement.status == PlacementStatus.ACTIVE,
        Placement.starts_on <= today).order_by(Placement.starts_on))
    if placement is None:
        return
    trips = []
    for days_ago, start, end, purpose, tenths in DEMO_TRIPS:
        trip_on = max(today - timedelta(days=days_ago), placement.starts_on)
        trips.append(services.log_trip(family, family.household_id, placement.child_id, {
            "trip_on": trip_on, "from_place": start, "to_place": end, "purpose": purpose, "tenths": tenths,
            "appointment_id": None}, today))
    services.submit_claim(family, family.household_id, trips[0].trip_on.replace(day=1), today)
