"""Fixtures of placed children: licensed households (application + stated preferences + license), children and
placements built straight through the models and services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from licensing.application.models import Application, ApplicationSection, SectionStatus
from licensing.tracker.models import License, LicenseType
from portal.children.models import Child, Placement, PlacementStatus
from portal.clock import agency_today
from portal.models import Household, Role, User

_numbers = itertools.count(1)


@pytest.fixture
def today(app) -> date:
    """The agency's today (the tests' dates are relative to it)."""
    with app.app_context():
        return agency_today()


@pytest.fixture
def licensed_household(db, make_user, today):
    """`licensed_household(capacity=2, age_min=0, age_max=12, preferences={...})` → the family User of a household
    with an active license in force today."""
    issuer = None

    def factory(*, capacity: int = 2, age_min: int = 0, age_max: int = 17, preferences: dict | None = None,
                effective_on: date | None = None, expires_on: date | None = None, name: str | None = None) -> User:
        nonlocal issuer
        if issuer is None:
            issuer = make_user(Role.ADMIN)
        family = make_user(Role.FAMILY)
        household = db.session.get(Household, family.household_id)
        if name:
            household.name = name
        application = Application(household_id=household.id)
        db.session.add(application)
        db.session.flush()
        answers = {"number_of_children": capacity, "age_min": age_min, "age_max": age_max, "sibling_groups": False,
                   "needs": [], "languages": "English", "will_transport": "yes"}
        answers.update(preferences or {})
        db.session.add(ApplicationSection(application_id=application.id, key="preferences", data=answers,
                                          status=SectionStatus.COMPLETE))
        n = next(_numbers)
        db.session.add(License(application_id=application.id, household_id=household.id, number=f"T-{n:05d}",
                               type=LicenseType.FOSTER, capacity=capacity, age_min=age_min, age_max=age_max,
                               effective_on=effective_on or today - timedelta(days=100),
                               expires_on=expires_on or today + timedelta(days=200), issued_by_id=issuer.id))
        db.session.commit()
        return family

    return factory


@pytest.fixture
def make_child(db, today):
    def factory(coordinator: User | None = None, *, age: int = 8, **values) -> Child:
        n = next(_numbers)
        child = Child(first_name=values.pop("first_name", f"Kid{n}"), last_name=values.pop("last_name", "Test"),
                      birth_date=values.pop("birth_date", date(today.year - age, 1, 1)),
                      coordinator_id=coordinator.id if coordinator else None,
                      **values)
        db.session.add(child)
        db.session.commit()
        return child

    return factory


@pytest.fixture
def place(db, today):
    def factory(child: Child, family: User, *, starts_on: date | None = None) -> Placement:
        placement = Placement(child_id=child.id, household_id=family.household_id, status=PlacementStatus.ACTIVE,
                              starts_on=starts_on or today - timedelta(days=10))
        db.session.add(placement)
        db.session.commit()
        return placement

    return factory
