"""Object-level access: another family, an ended placement, a coordinator not assigned, a respite household."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.children.models import PlacementStatus, RespiteStay, StayKind
from portal.models import AuditEvent, Role
from tests.appointments.conftest import act_as
from tests.conftest import post_form


def _feed_path(client) -> str:
    response = post_form(client, "/appointments/calendar-feed")
    assert response.status_code == 303
    with client.session_transaction() as session:
        return session["appointments_feed_url"].replace("http://localhost", "")


def _today(app):
    with app.app_context():
        from portal.clock import agency_today

        return agency_today()


def test_another_family_gets_404_by_id_and_sees_nothing_by_token(app, db, client, place_child, add_appointment):
    a = place_child(first_name="Ana")
    b = place_child(first_name="Beto")
    appointment_a = add_appointment(a.child, family_notes="Ana clinic")
    add_appointment(b.child, family_notes="Beto dentist")
    act_as(client, b.family)
    assert client.get(f"/appointments/{appointment_a.id}/calendar.ics").status_code == 404
    assert post_form(client, f"/appointments/{appointment_a.id}/transport",
                     {"answer": "confirmed", "note": ""}).status_code == 404
    page = client.get("/appointments/family").get_data(as_text=True)
    assert "Beto dentist" in page and "Ana clinic" not in page
    feed_b = client.get(_feed_path(client)).get_data(as_text=True)
    assert "Beto" in feed_b and "Ana" not in feed_b
    # A's own feed works for A; a made-up or altered token is 404.
    owner = app.test_client()
    act_as(owner, a.family)
    path_a = _feed_path(owner)
    assert "Ana" in owner.get(path_a).get_data(as_text=True)
    assert client.get(path_a[:-10] + "xxxxxx.ics").status_code == 404
    assert client.get("/appointments/feed/not-a-token.ics").status_code == 404
    # Staff pages of A's child: 404 to a family.
    assert client.get(f"/appointments/child/{a.child.id}").status_code == 404
    assert client.get(f"/appointments/{appointment_a.id}/edit").status_code == 404


def test_an_ended_placement_ends_access_at_once_feed_included(app, db, client, place_child, add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, family_notes="Clinic visit")
    act_as(client, placed.family)
    feed = _feed_path(client)
    assert client.get(feed).status_code == 200
    assert client.get(f"/appointments/{appointment.id}/calendar.ics").status_code == 200
    placed.placement.status = PlacementStatus.ENDED
    placed.placement.ends_on = _today(app)
    db.session.commit()
    assert client.get(feed).status_code == 404  # decided: no child seen any more → the feed is gone
    assert client.get(f"/appointments/{appointment.id}/calendar.ics").status_code == 404
    assert post_form(client, f"/appointments/{appointment.id}/transport",
                     {"answer": "confirmed"}).status_code == 404
    assert "Clinic visit" not in client.get("/appointments/family").get_data(as_text=True)


def test_a_revoked_feed_is_404(app, db, client, place_child, add_appointment):
    placed = place_child()
    add_appointment(placed.child)
    act_as(client, placed.family)
    first = _feed_path(client)
    second = _feed_path(client)  # a new address kills the old one
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    post_form(client, "/appointments/calendar-feed/revoke")
    assert client.get(second).status_code == 404


@pytest.mark.parametrize("method,path", [
    ("GET", "/appointments/child/{child}"), ("GET", "/appointments/child/{child}/new"),
    ("POST", "/appointments/child/{child}/new"), ("GET", "/appointments/{appointment}/edit"),
    ("POST", "/appointments/{appointment}/edit"), ("GET", "/appointments/{appointment}/cancel"),
    ("POST", "/appointments/{appointment}/cancel")])
def test_a_coordinator_not_assigned_gets_404(app, db, client, make_user, place_child, add_appointment, method, path):
    placed = place_child()
    appointment = add_appointment(placed.child)
    act_as(client, make_user(Role.COORDINATOR))
    url = path.format(child=placed.child.id, appointment=appointment.id)
    response = client.get(url) if method == "GET" else post_form(client, url, {"reason": "x", "version": "1"})
    assert response.status_code == 404
    # The assigned coordinator and an administrator get through.
    for person in (placed.coordinator, make_user(Role.ADMIN)):
        other = app.test_client()
        act_as(other, person)
        if method == "GET":
            assert other.get(url).status_code == 200


def test_reading_a_childs_appointments_is_recorded_with_the_child(app, db, client, place_child):
    placed = place_child()
    act_as(client, placed.coordinator)
    assert client.get(f"/appointments/child/{placed.child.id}").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "child_appointments_viewed"))
    assert event.child_id == placed.child.id and event.actor_id == placed.coordinator.id


def test_a_respite_family_sees_only_the_appointments_of_its_stay_while_it_lasts(app, db, client, make_user,
                                                                              place_child, add_appointment):
    placed = place_child()
    respite = make_user(Role.FAMILY)
    today = _today(app)
    db.session.add(RespiteStay(placement_id=placed.placement.id, kind=StayKind.RESPITE_HOME,
                               household_id=respite.household_id, starts_on=today, ends_on=today + timedelta(days=3)))
    db.session.commit()
    inside = add_appointment(placed.child, days=2, family_notes="During the stay")
    outside = add_appointment(placed.child, days=9, family_notes="After the stay")
    act_as(client, respite)
    page = client.get("/appointments/family").get_data(as_text=True)
    assert "During the stay" in page and "After the stay" not in page
    assert client.get(f"/appointments/{inside.id}/calendar.ics").status_code == 200
    assert client.get(f"/appointments/{outside.id}/calendar.ics").status_code == 404
    # The primary family keeps everything during the stay.
    primary = app.test_client()
    act_as(primary, placed.family)
    page = primary.get("/appointments/family").get_data(as_text=True)
    assert "During the stay" in page and "After the stay" in page
