"""Review fixes of messaging (issue 12): a reassigned child's threads follow it; a family no longer assigned to a
staff member reads that thread but cannot write in it; one `household_staff` receiver for coordinators; staff start a
thread about a placed child on their caseload; labels that read right."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from portal.children.models import Child, Placement, PlacementStatus
from portal.clock import agency_today
from portal.messaging.models import Message, MessageThread
from portal.models import AuditEvent, Role
from tests.conftest import post_form, text_of
from tests.messaging.conftest import client_for, start, thread_id_from


def _today(app) -> date:
    with app.app_context():
        return agency_today()


def _reassign(app, child_id: int, coordinator_id: int, actor_id: int) -> None:
    from portal.children.services import assign_coordinator
    from portal.extensions import db as portal_db
    from portal.models import User

    with app.test_request_context():
        assign_coordinator(portal_db.session.get(User, actor_id), portal_db.session.get(Child, child_id),
                           portal_db.session.get(User, coordinator_id))
        portal_db.session.commit()


def test_reassigning_a_child_moves_its_threads_to_the_new_coordinator(app, db, world, make_user):
    family = client_for(app, world.family)
    about_child = [thread_id_from(start(family, world.coordinator.id, subject=f"Mia {n}", child_id=world.child_id))
                   for n in range(2)]
    general = thread_id_from(start(family, world.coordinator.id, subject="General"))
    homefinder = make_user(Role.HOMEFINDER)
    homefinder_thread = MessageThread(household_id=world.family.household_id, staff_id=homefinder.id,
                                      child_id=world.child_id, subject="Home", started_by_id=homefinder.id)
    db.session.add(homefinder_thread)
    db.session.commit()
    admin = make_user(Role.ADMIN)

    _reassign(app, world.child_id, world.other_coordinator.id, admin.id)

    db.session.expire_all()
    assert {db.session.get(MessageThread, i).staff_id for i in about_child} == {world.other_coordinator.id}
    assert db.session.get(MessageThread, general).staff_id == world.coordinator.id  # not about the child
    assert db.session.get(MessageThread, homefinder_thread.id).staff_id == homefinder.id  # not the coordinator's
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message_thread_handed_over")).all()
    assert sorted(e.details["thread_id"] for e in events) == sorted(about_child)
    assert all(e.actor_id == admin.id and e.child_id == world.child_id
               and e.details["to_staff_id"] == world.other_coordinator.id for e in events)
    # The new coordinator reads and answers; the previous one gets 404.
    successor = client_for(app, world.other_coordinator)
    assert successor.get(f"/messages/{about_child[0]}").status_code == 200
    assert post_form(successor, f"/messages/{about_child[0]}", {"body": "I took over"}).status_code == 303
    previous = client_for(app, world.coordinator)
    assert previous.get(f"/messages/{about_child[0]}").status_code == 404
    assert post_form(previous, f"/messages/{about_child[0]}", {"body": "Still here"}).status_code == 404


def _end_placement(app, db, world) -> None:
    placement = db.session.get(Placement, world.placement_id)
    placement.status = PlacementStatus.ENDED
    placement.ends_on = _today(app)
    db.session.commit()


def test_a_family_cannot_write_to_staff_no_longer_assigned_to_it(app, db, world):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id))
    _end_placement(app, db, world)
    page = family.get(f"/messages/{thread_id}")
    assert page.status_code == 200 and "Hello there" in text_of(page)
    assert "Carla Coordinator no longer works with your family." in text_of(page)
    assert 'id="reply-heading"' not in page.get_data(as_text=True)
    response = post_form(family, f"/messages/{thread_id}", {"body": "Are you there?"})
    assert response.status_code == 422
    assert "Carla Coordinator no longer works with your family." in text_of(response)
    assert db.session.scalars(select(Message.body).where(Message.thread_id == thread_id)).all() == ["Hello there"]
    # The staff member may still answer, to close the loop (the family reads it).
    coordinator = client_for(app, world.coordinator)
    staff_page = coordinator.get(f"/messages/{thread_id}")
    assert 'id="reply-heading"' in staff_page.get_data(as_text=True)
    assert "This family can read your answer but can no longer write in this thread." in text_of(staff_page)
    assert post_form(coordinator, f"/messages/{thread_id}", {"body": "Goodbye"}).status_code == 303
    assert "Goodbye" in text_of(family.get(f"/messages/{thread_id}"))


def test_the_service_refuses_a_family_message_to_unassigned_staff(app, db, world):
    import pytest

    from portal.extensions import db as portal_db
    from portal.messaging.services import post_message
    from portal.models import User
    from portal.transitions import Refused

    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id))
    _end_placement(app, db, world)
    with app.test_request_context(), pytest.raises(Refused):
        post_message(portal_db.session.get(MessageThread, thread_id), portal_db.session.get(User, world.family.id),
                     "Hello?")


def test_one_household_staff_receiver_for_coordinators_and_it_still_finds_them(app, db, world):
    from portal.extensions import db as portal_db
    from portal.messaging.assignments import staff_for_household
    from portal.signals import household_staff

    modules = {getattr(receiver, "__module__", "") for receiver in household_staff.receivers_for(1)}
    assert not any(name.startswith("portal.messaging") for name in modules), modules
    with app.app_context():
        assert [person.id for person in staff_for_household(world.family.household_id)] == [world.coordinator.id]
        del portal_db


def test_a_coordinator_does_not_see_a_household_whose_placement_starts_later(app, db, world, make_user):
    from portal.extensions import db as portal_db
    from portal.messaging.assignments import households_for_staff
    from portal.models import User

    later = make_user(Role.FAMILY)
    child = Child(first_name="Leo", last_name="Later", birth_date=date(2015, 1, 1), coordinator_id=world.coordinator.id)
    db.session.add(child)
    db.session.flush()
    db.session.add(Placement(child_id=child.id, household_id=later.household_id,
                             starts_on=_today(app) + timedelta(days=3)))
    db.session.commit()
    with app.app_context():
        households = households_for_staff(portal_db.session.get(User, world.coordinator.id))
    assert [household.id for household in households] == [world.family.household_id]


def test_staff_start_a_thread_about_a_placed_child_on_their_caseload(app, db, world, make_user):
    # A second child placed with the same family, on another coordinator's caseload: not offered, and refused.
    other = Child(first_name="Noa", last_name="Other", birth_date=date(2017, 5, 5),
                  coordinator_id=world.other_coordinator.id)
    db.session.add(other)
    db.session.flush()
    db.session.add(Placement(child_id=other.id, household_id=world.family.household_id,
                             starts_on=_today(app) - timedelta(days=3)))
    db.session.commit()
    coordinator = client_for(app, world.coordinator)
    page = coordinator.get("/messages/new")
    html = page.get_data(as_text=True)
    assert re.search(rf'<option value="{world.child_id}">Mia Lopez', html)
    assert f'value="{other.id}"' not in html
    base = {"household_id": str(world.family.household_id), "subject": "School", "body": "Hello"}
    refused = post_form(coordinator, "/messages/new", {**base, "child_id": str(other.id)})
    assert refused.status_code == 422
    thread_id = thread_id_from(post_form(coordinator, "/messages/new", {**base, "child_id": str(world.child_id)}))
    assert db.session.get(MessageThread, thread_id).child_id == world.child_id
    no_child = thread_id_from(post_form(coordinator, "/messages/new", {**base, "child_id": "0"}))
    assert db.session.get(MessageThread, no_child).child_id is None
    # A child of this caseload placed with another household is refused for this one.
    elsewhere = make_user(Role.FAMILY)
    moved = Child(first_name="Ema", last_name="Elsewhere", birth_date=date(2014, 2, 2),
                  coordinator_id=world.coordinator.id)
    db.session.add(moved)
    db.session.flush()
    db.session.add(Placement(child_id=moved.id, household_id=elsewhere.household_id,
                             starts_on=_today(app) - timedelta(days=3)))
    db.session.commit()
    assert post_form(coordinator, "/messages/new", {**base, "child_id": str(moved.id)}).status_code == 422
    assert "Mia Lopez" in text_of(coordinator.get(f"/messages/{thread_id}"))
    assert "Mia Lopez" in text_of(client_for(app, world.family).get(f"/messages/{thread_id}"))


def test_labels_do_not_say_family_twice_and_the_recipient_is_write_to(app, db, world):
    from portal.extensions import db as portal_db
    from portal.models import Household

    with app.app_context():
        portal_db.session.get(Household, world.family.household_id).name = "Rivera family"
        portal_db.session.commit()
    family = client_for(app, world.family)
    new_page = text_of(family.get("/messages/new"))
    assert "Write to" in new_page
    thread_id = thread_id_from(start(family, world.coordinator.id))
    coordinator = client_for(app, world.coordinator)
    for text in (text_of(family.get(f"/messages/{thread_id}")), text_of(coordinator.get(f"/messages/{thread_id}")),
                 text_of(coordinator.get("/messages/")), text_of(coordinator.get("/dashboard"))):
        assert "family family" not in text
        assert "Rivera family" in text
