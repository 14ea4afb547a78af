"""Object-level access to a child: the family it is placed with sees only the family-visible fields, while the
placement is active; other families, unassigned coordinators and homefinders get nothing; staff reads are recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import PlacementStatus
from portal.models import AuditEvent, Role
from tests.conftest import post_form, sign_in, text_of


def _child_with_family(make_user, licensed_household, make_child, place):
    coordinator = make_user(Role.COORDINATOR)
    family = licensed_household()
    child = make_child(coordinator, first_name="Lola", case_notes="SECRET-CASE-NOTE", reporter="SECRET-REPORTER",
                       school="Roosevelt", health_needs="Asthma", education_needs="EDU-HIDDEN",
                       family_visible=["school", "health_needs"])
    placement = place(child, family)
    return coordinator, family, child, placement


def test_the_placed_family_sees_only_family_visible_fields(client, make_user, licensed_household, make_child, place):
    _coordinator, family, child, _placement = _child_with_family(make_user, licensed_household, make_child, place)
    sign_in(client, family)
    page = client.get(f"/children/in-my-home/{child.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Roosevelt" in text and "Asthma" in text
    for hidden in ("SECRET-CASE-NOTE", "SECRET-REPORTER", "EDU-HIDDEN"):
        assert hidden not in text
    # The menu names the page, and the list goes straight to the one child.
    assert "Children in my home" in text
    assert client.get("/children/in-my-home").status_code == 302


def test_another_family_gets_404_by_id(client, make_user, licensed_household, make_child, place):
    _coordinator, _family, child, _placement = _child_with_family(make_user, licensed_household, make_child, place)
    other = licensed_household()
    sign_in(client, other)
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 404
    assert client.get(f"/children/in-my-home/{child.id + 1000}").status_code == 404
    assert "Children in my home" not in text_of(client.get("/dashboard"))


def test_an_ended_placement_removes_access_at_once(client, db, make_user, licensed_household, make_child, place,
                                                  today):
    coordinator, family, child, placement = _child_with_family(make_user, licensed_household, make_child, place)
    staff = app_client(client)
    sign_in(staff, coordinator)
    sign_in(client, family)
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 200
    response = post_form(staff, f"/children/placements/{placement.id}/end",
                         {"ends_on": today.isoformat(), "end_reason": "reunified", "note": "Back home"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(placement), placement.id).status is PlacementStatus.ENDED
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 404


def app_client(client):
    return client.application.test_client()


def test_staff_access_is_need_to_know_and_recorded(client, db, make_user, licensed_household, make_child, place):
    coordinator, _family, child, _placement = _child_with_family(make_user, licensed_household, make_child, place)
    other_coordinator = make_user(Role.COORDINATOR)
    sign_in(client, other_coordinator)
    assert client.get(f"/children/{child.id}").status_code == 404
    assert client.get(f"/children/{child.id}/edit").status_code == 404
    assert client.get(f"/children/{child.id}/matches").status_code == 404
    assert "Lola" not in text_of(client.get("/children/"))

    homefinder = make_user(Role.HOMEFINDER)
    hf = app_client(client)
    sign_in(hf, homefinder)
    assert hf.get(f"/children/{child.id}").status_code == 404
    assert hf.get("/children/").status_code == 403

    own = app_client(client)
    sign_in(own, coordinator)
    page = own.get(f"/children/{child.id}")
    assert page.status_code == 200 and "SECRET-CASE-NOTE" in text_of(page)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_viewed",
                                                         AuditEvent.child_id == child.id)).all()
    assert [e.actor_id for e in events] == [coordinator.id]


def test_admin_reads_the_audit_log_filtered_by_child(client, make_user, licensed_household, make_child, place):
    coordinator, _family, child, _placement = _child_with_family(make_user, licensed_household, make_child, place)
    other = make_child(coordinator, first_name="Other")
    admin = make_user(Role.ADMIN, full_name="Ada Admin")
    sign_in(client, admin)
    assert client.get(f"/children/{child.id}").status_code == 200  # recorded as a read
    assert client.get(f"/children/{other.id}").status_code == 200
    page = client.get(f"/admin/audit?child={child.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Child's record viewed" in text and f"Child #{child.id}" in text and f"Child #{other.id}" not in text
    assert client.get("/admin/audit?child=abc").status_code == 404
    assert client.get("/admin/audit?child=999999").status_code == 404
    assert f"/admin/audit?child={child.id}" in client.get(f"/children/{child.id}").get_data(as_text=True)


def test_a_future_placement_is_not_visible_yet(client, make_user, licensed_household, make_child, place, today):
    family = licensed_household()
    child = make_child(make_user(Role.COORDINATOR))
    place(child, family, starts_on=today + timedelta(days=3))
    sign_in(client, family)
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 404
