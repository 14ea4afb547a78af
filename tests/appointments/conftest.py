"""Appointments fixtures: a coordinator with a child placed with a family, and quick sign-in (no Argon2 per test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from flask.testing import FlaskClient

from portal.children.models import Appointment, AppointmentKind, Child, Placement, PlacementStatus, Transporter
from portal.models import Role, User
from tests.support import db_session_of, start_session_key


def act_as(client: FlaskClient, user: User) -> FlaskClient:
    """What a finished sign-in leaves in the session (as the access matrix does)."""
    key = start_session_key(db_session_of(client), user)
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = key
        session["_fresh"] = True
    return client


@dataclass
class Placed:
    coordinator: User
    family: User
    child: Child
    placement: Placement


@pytest.fixture
def place_child(app, db, make_user):
    """`place_child(family=None, coordinator=None, locale="en")`: a child on the coordinator's caseload, placed with
    the family's household (new people unless given)."""

    def factory(*, family: User | None = None, coordinator: User | None = None, locale: str = "en",
                first_name: str = "Mateo") -> Placed:
        coordinator = coordinator or make_user(Role.COORDINATOR)
        family = family or make_user(Role.FAMILY, locale=locale)
        child = Child(first_name=first_name, last_name="Reyes", birth_date=date(2016, 3, 4),
                      coordinator_id=coordinator.id)
        db.session.add(child)
        db.session.flush()
        placement = Placement(child_id=child.id, household_id=family.household_id, starts_on=date(2025, 1, 6),
                              status=PlacementStatus.ACTIVE)
        db.session.add(placement)
        db.session.commit()
        return Placed(coordinator, family, child, placement)

    return factory


@pytest.fixture
def add_appointment(app, db):
    """`add_appointment(child, days=3, hour=10, **fields)`: an appointment at `hour`:00 agency time, `days` from
    today."""

    def factory(child: Child, *, days: int = 3, hour: int = 10, **fields) -> Appointment:
        with app.app_context():
            from portal.clock import agency_today
            from portal.i18n import local_to_utc

            starts = local_to_utc(datetime.combine(agency_today() + timedelta(days=days), time(hour, 0)))
        values = {"kind": AppointmentKind.MEDICAL, "place": "Clinic, 1 Main St", "transport_by": Transporter.FAMILY,
                  **fields}
        appointment = Appointment(child_id=child.id, starts_at=starts, **values)
        db.session.add(appointment)
        db.session.commit()
        return appointment

    return factory
