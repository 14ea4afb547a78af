"""The one rule of what a family sees (portal/children/visibility.py), tested on its own."""

from __future__ import annotations

from datetime import date, timedelta

from portal.children.models import Child, PlacementStatus
from portal.children.visibility import FamilyAccess, FamilyView, family_fields, family_views
from portal.models import Role


def test_fields_never_leave_the_allowed_set():
    child = Child(first_name="A", last_name="B", birth_date=date(2016, 1, 1), school="S", health_needs="H",
                  case_notes="SECRET", reporter="R",
                  family_visible=["school", "case_notes", "reporter", "health_needs"])
    primary = FamilyView(child_id=1, access=FamilyAccess.PRIMARY, placement_id=1)
    respite = FamilyView(child_id=1, access=FamilyAccess.RESPITE, placement_id=1)
    assert family_fields(child, primary) == {"school": "S", "health_needs": "H"}
    assert family_fields(child, respite) == {"health_needs": "H"}


def test_only_active_placements_that_started_count(app, db, make_user, licensed_household, make_child, place, today):
    family = licensed_household(capacity=4)
    coordinator = make_user(Role.COORDINATOR)
    current = make_child(coordinator)
    place(current, family)
    future = make_child(coordinator)
    place(future, family, starts_on=today + timedelta(days=1))
    ended = make_child(coordinator)
    placement = place(ended, family)
    placement.status = PlacementStatus.ENDED
    db.session.add(placement)
    db.session.commit()
    with app.app_context():
        assert {v.child_id for v in family_views(family.household_id)} == {current.id}
        assert {v.child_id for v in family_views(family.household_id, today + timedelta(days=1))} == {
            current.id, future.id}
        assert family_views(None) == []
