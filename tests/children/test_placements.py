"""Placing a child: refused with a reason next to the field when the household isn't licensed that day, is full, or
is licensed for other ages, or when the child is placed already; ending goes through the placement's StateMachine."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import Placement, PlacementStatus
from portal.models import AuditEvent, Role
from tests.conftest import post_form, sign_in, text_of


def _place(client, child_id, household_id, day, reason="Needs a home"):
    return post_form(client, f"/children/{child_id}/place",
                     {"household": str(household_id), "starts_on": day.isoformat(), "reason": reason})


def _placements(db, child_id):
    db.session.expire_all()
    return db.session.scalars(select(Placement).where(Placement.child_id == child_id)).all()


def test_a_coordinator_places_a_child_with_a_licensed_household(client, db, login, licensed_household, make_child,
                                                                today):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household()
    child = make_child(coordinator)
    assert client.get(f"/children/{child.id}/place").status_code == 200
    response = _place(client, child.id, family.household_id, today)
    assert response.status_code == 303
    [placement] = _placements(db, child.id)
    assert placement.status is PlacementStatus.ACTIVE and placement.household_id == family.household_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "child_placed"))
    assert event.child_id == child.id and event.household_id == family.household_id
    # A second active placement is refused.
    other = licensed_household()
    again = _place(client, child.id, other.household_id, today)
    assert again.status_code == 422 and "already has a current placement" in text_of(again)
    assert len(_placements(db, child.id)) == 1


def test_not_licensed_on_that_date_is_refused(client, db, login, licensed_household, make_child, today):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household(expires_on=today + timedelta(days=5))
    child = make_child(coordinator)
    response = _place(client, child.id, family.household_id, today + timedelta(days=6))
    assert response.status_code == 422
    assert "not licensed on that date" in text_of(response)
    assert 'id="household-error"' in response.get_data(as_text=True)  # next to the field
    assert _placements(db, child.id) == []
    response = _place(client, child.id, 999999, today)
    assert response.status_code == 422


def test_a_full_household_is_refused(client, db, login, licensed_household, make_child, place, today):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household(capacity=1)
    place(make_child(coordinator), family)
    child = make_child(coordinator)
    response = _place(client, child.id, family.household_id, today)
    assert response.status_code == 422
    assert "licensed for 1 children and already has 1 placed" in text_of(response)
    assert _placements(db, child.id) == []


def test_an_ended_placement_frees_the_place(client, db, login, licensed_household, make_child, place, today):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household(capacity=1)
    first = place(make_child(coordinator), family)
    response = post_form(client, f"/children/placements/{first.id}/end",
                         {"ends_on": today.isoformat(), "end_reason": "moved", "note": ""})
    assert response.status_code == 303
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "status_changed",
                                                       AuditEvent.target_type == "Placement"))
    assert (event.from_status, event.to_status, event.child_id) == ("active", "ended", first.child_id)
    child = make_child(coordinator)
    assert _place(client, child.id, family.household_id, today).status_code == 303


def test_age_outside_the_license_is_refused(client, db, login, licensed_household, make_child, today):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household(age_min=0, age_max=5)
    child = make_child(coordinator, age=9)
    response = _place(client, child.id, family.household_id, today)
    assert response.status_code == 422
    assert "licensed for ages 0 to 5; the child is 9" in text_of(response)
    assert _placements(db, child.id) == []


def test_ending_needs_a_date_after_the_start(client, db, login, licensed_household, make_child, place, today):
    coordinator = login(Role.COORDINATOR)
    placement = place(make_child(coordinator), licensed_household())
    response = post_form(client, f"/children/placements/{placement.id}/end",
                         {"ends_on": (placement.starts_on - timedelta(days=1)).isoformat(), "end_reason": "moved"})
    assert response.status_code == 422 and "can't be before the placement started" in text_of(response)
    response = post_form(client, f"/children/placements/{placement.id}/end",
                         {"ends_on": (today + timedelta(days=1)).isoformat(), "end_reason": "moved"})
    assert response.status_code == 422 and "not ahead of time" in text_of(response)
    response = post_form(client, f"/children/placements/{placement.id}/end",
                         {"ends_on": "not a date", "end_reason": "nonsense"})
    assert response.status_code == 422
    assert _placements(db, placement.child_id)[0].status is PlacementStatus.ACTIVE


def test_another_coordinator_cannot_place_or_end(client, make_user, licensed_household, make_child, place, today):
    owner = make_user(Role.COORDINATOR)
    placement = place(make_child(owner), licensed_household())
    sign_in(client, make_user(Role.COORDINATOR))
    assert client.get(f"/children/{placement.child_id}/place").status_code == 404
    assert client.get(f"/children/placements/{placement.id}/end").status_code == 404
    assert post_form(client, f"/children/placements/{placement.id}/end",
                     {"ends_on": today.isoformat(), "end_reason": "moved"}).status_code == 404


def test_a_household_reaches_the_coordinators_of_its_placed_children(app, make_user, licensed_household, make_child,
                                                                     place):
    from portal.children.services import coordinators_of_household
    from portal.signals import household_staff

    first, second, elsewhere = (make_user(Role.COORDINATOR) for _ in range(3))
    family = licensed_household(capacity=3)
    place(make_child(first), family)
    place(make_child(second), family)
    place(make_child(first), family)
    place(make_child(elsewhere), licensed_household())
    with app.app_context():
        answers = [ids for receiver, ids in household_staff.send(family.household_id)
                   if receiver is coordinators_of_household]
    assert sorted(id_ for ids in answers for id_ in ids) == sorted([first.id, second.id])


def test_the_database_keeps_one_active_placement_per_child(app, db, make_user, licensed_household, make_child,
                                                           place, today, monkeypatch):
    """Two coordinators placing the same child at once: the second, past the service's check, meets the index."""
    import pytest

    from portal.children import services
    from portal.extensions import db as portal_db

    coordinator = make_user(Role.COORDINATOR)
    child = make_child(coordinator)
    place(child, licensed_household())
    other = licensed_household()
    with app.test_request_context():
        record = portal_db.session.get(type(child), child.id)
        monkeypatch.setattr(services, "check_placement", lambda *args: None)  # both checks ran before either insert
        with pytest.raises(services.RefusedAt, match="already has a current placement"):
            services.place_child(coordinator, record, other.household_id, today, "Race")
        portal_db.rollback()


def test_a_placement_that_has_not_started_is_not_called_current(client, db, login, licensed_household, make_child,
                                                                place, today):
    """Today's walkthrough: a placement from next week read "Current" beside "Cancel this placement (not started
    yet)"."""
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator)
    place(child, licensed_household(), starts_on=today + timedelta(days=5))
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "Not started yet</td>" in page and "Current</td>" not in page
    caseload = text_of(client.get("/children/"))
    assert "(from " in caseload and "(since " not in caseload
    other = make_child(coordinator)
    place(other, licensed_household())
    assert "Current</td>" in client.get(f"/children/{other.id}").get_data(as_text=True)
