"""Every write of transport and mileage: trips logged for a placed child, the month's claim, staff's decision.

Decisions written down (the issue was silent):
- A trip is logged for a child placed with the household on the trip's day and today (the one visibility rule): once
  a placement ends, no trip can be added, changed or removed for that child.
- Trips already logged stay the family's money records: the month's claim still gathers them after the placement
  ended, and submitted claims stay visible to the family (they show the child's first name only).
- A coordinator logs a trip on the family's behalf (a trip phoned in): it belongs to the household the child is
  placed with, like the family's own.
- The rate is the agency's when the claim is first submitted; a returned claim sent again keeps it.
- Amounts are whole cents: miles (tenths) times the rate, rounded half up once per claim.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit, emails
from portal.children.models import Placement, PlacementStatus
from portal.database import now_utc
from portal.extensions import db
from portal.mileage.models import CLAIM_MOVES, ClaimStatus, MileageClaim, Trip
from portal.models import User
from portal.settings import mileage_rate_cents
from portal.transitions import Refused, transition

TRIP_FIELDS = ("trip_on", "from_place", "to_place", "purpose", "tenths", "appointment_id")


def amount_for(tenths: int, rate_cents: int) -> int:
    """Miles (in tenths) times cents per mile, in whole cents, rounded half up."""
    return (tenths * rate_cents + 5) // 10


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def placement_of(household_id: int, child_id: int, today: date) -> Placement | None:
    """The household's active placement of the child (the primary family; a respite home does not claim)."""
    return db.session.scalar(select(Placement).where(
        Placement.household_id == household_id, Placement.child_id == child_id,
        Placement.status == PlacementStatus.ACTIVE, Placement.starts_on <= today))


def _check_trip(household_id: int, child_id: int, trip_on: date, today: date) -> None:
    placement = placement_of(household_id, child_id, today)
    if placement is None:
        raise Refused(_l("This child is not placed with this family."))
    if not placement.starts_on <= trip_on <= today:
        raise Refused(_l("The trip's date must be while the child lived with this family, and not in the future."))


def log_trip(actor: User, household_id: int, child_id: int, values: dict, today: date) -> Trip:
    _check_trip(household_id, child_id, values["trip_on"], today)
    trip = Trip(household_id=household_id, child_id=child_id, logged_by_id=actor.id,
                **{name: values[name] for name in TRIP_FIELDS})
    db.session.add(trip)
    db.session.flush()
    audit.record("trip_logged", actor=actor, target=trip, household_id=household_id, child_id=child_id,
                 tenths=trip.tenths)
    return trip


def trip_editable(trip: Trip, claim_status: ClaimStatus | None) -> bool:
    return trip.claim_id is None or claim_status is ClaimStatus.RETURNED


def change_trip(actor: User, trip: Trip, values: dict, today: date) -> None:
    _check_trip(trip.household_id, trip.child_id, values["trip_on"], today)
    for name in TRIP_FIELDS:
        setattr(trip, name, values[name])
    audit.record("trip_changed", actor=actor, target=trip, household_id=trip.household_id, child_id=trip.child_id,
                 tenths=trip.tenths)
    db.session.flush()


def remove_trip(actor: User, trip: Trip) -> None:
    audit.record("trip_removed", actor=actor, target=trip, household_id=trip.household_id, child_id=trip.child_id,
                 trip_on=trip.trip_on.isoformat(), tenths=trip.tenths)
    db.session.delete(trip)
    db.session.flush()


def unclaimed_trips(household_id: int, month: date) -> list[Trip]:
    first, following = month_bounds(month)
    return list(db.session.scalars(select(Trip).where(
        Trip.household_id == household_id, Trip.claim_id.is_(None), Trip.trip_on >= first, Trip.trip_on < following)
        .order_by(Trip.trip_on, Trip.id)))


def _gather(claim: MileageClaim, trips: list[Trip]) -> None:
    for trip in trips:
        trip.claim_id = claim.id
    claim.total_tenths = sum(trip.tenths for trip in trips)
    claim.amount_cents = amount_for(claim.total_tenths, claim.rate_cents)


def submit_claim(actor: User, household_id: int, month: date, today: date) -> MileageClaim:
    """The month's unclaimed trips in one claim, at today's agency rate (stored on the claim)."""
    first, _following = month_bounds(month)
    if first > today:
        raise Refused(_l("A month that has not started can't be claimed."))
    trips = unclaimed_trips(household_id, first)
    if not trips:
        raise Refused(_l("There are no trips to claim for this month."))
    claim = MileageClaim(household_id=household_id, month=first, status=ClaimStatus.SUBMITTED,
                         rate_cents=mileage_rate_cents(), submitted_at=now_utc(), submitted_by_id=actor.id,
                         updated_by_id=actor.id)
    db.session.add(claim)
    db.session.flush()
    _gather(claim, trips)
    audit.record("mileage_claim_submitted", actor=actor, target=claim, household_id=household_id,
                 amount_cents=claim.amount_cents, tenths=claim.total_tenths)
    db.session.flush()
    return claim


def resubmit_claim(actor: User, claim: MileageClaim) -> None:
    """A returned claim sent again: its trips as fixed, plus any trip of the month logged meanwhile."""
    trips = list(db.session.scalars(select(Trip).where(Trip.claim_id == claim.id))) + unclaimed_trips(
        claim.household_id, claim.month)
    if not trips:
        raise Refused(_l("There are no trips to claim for this month."))
    transition(CLAIM_MOVES, claim, ClaimStatus.SUBMITTED, actor=actor, household_id=claim.household_id)
    _gather(claim, trips)
    claim.submitted_at, claim.submitted_by_id, claim.updated_by_id = now_utc(), actor.id, actor.id
    db.session.flush()


def decide_claim(actor: User, claim: MileageClaim, approve: bool, reason: str) -> None:
    """Staff approve the claim, or return it to the family with a reason (told by email in its language)."""
    target = ClaimStatus.APPROVED if approve else ClaimStatus.RETURNED
    transition(CLAIM_MOVES, claim, target, actor=actor, household_id=claim.household_id, reason=reason)
    claim.decided_at, claim.decided_by_id, claim.updated_by_id = now_utc(), actor.id, actor.id
    claim.return_reason = "" if approve else reason.strip()
    link = emails.portal_url("mileage.family_claim", claim_id=claim.id)
    for person in db.session.scalars(select(User).where(User.household_id == claim.household_id,
                                                        User.is_active.is_(True))):
        emails.queue_email(person.email, person.preferred_locale,
                           "mileage_claim_approved" if approve else "mileage_claim_returned", user=person,
                           month=claim.month, amount_cents=claim.amount_cents, reason=claim.return_reason, link=link)
    db.session.flush()
