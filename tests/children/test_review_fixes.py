"""Review findings of issue 12 (placed children), each with the test that failed before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.children.models import RespiteStay, StayKind
from portal.models import AuditEvent, Role, User
from tests.conftest import post_form, sign_in, text_of


def _family_without_household(db, make_user, client):
    family = make_user(Role.FAMILY)
    db.session.get(User, family.id).household_id = None
    db.session.commit()
    sign_in(client, family)
    return family


def test_a_family_without_a_household_sees_mileage_and_court_reports(client, db, make_user):
    _family_without_household(db, make_user, client)
    assert client.get("/mileage/").status_code == 200
    assert client.get("/court-reports/").status_code == 200


def _views_of(db, child_id):
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "child_viewed",
                                                                      AuditEvent.child_id == child_id))


def test_the_place_and_matches_pages_record_the_read(client, db, login, make_child):
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator)
    assert client.get(f"/children/{child.id}/place").status_code == 200
    assert _views_of(db, child.id) == 1
    assert client.get(f"/children/{child.id}/matches").status_code == 200
    assert _views_of(db, child.id) == 2


def test_the_caseload_of_a_coordinator_whose_account_was_closed_is_handed_over(client, db, login, make_user,
                                                                             make_child):
    login(Role.ADMIN)
    gone, successor = make_user(Role.COORDINATOR, full_name="Gone Away"), make_user(Role.COORDINATOR)
    child = make_child(gone)
    db.session.get(User, gone.id).is_active = False
    db.session.commit()
    page = client.get("/children/handover")
    assert "Gone Away (account closed)" in text_of(page)
    response = post_form(client, "/children/handover", {"leaving": str(gone.id), "successor": str(successor.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(child), child.id).coordinator_id == successor.id
    # A closed account never takes children over.
    refused = post_form(client, "/children/handover", {"leaving": str(successor.id), "successor": str(gone.id)})
    assert refused.status_code == 422


def test_the_demo_has_a_second_coordinator_with_children_of_her_own_once(app, db, make_user):
    from portal.children import demo
    from portal.children.models import Child
    from portal.extensions import db as portal_db

    make_user(Role.COORDINATOR, email="coordinator@demo.test")
    for _ in range(2):
        with app.app_context():
            demo.seed_children(app)
            portal_db.session.commit()
    db.session.expire_all()
    celia = db.session.scalar(select(User).where(User.email == "coordinator2@demo.test"))
    assert celia is not None and celia.role is Role.COORDINATOR and celia.is_active
    assert celia.totp_enabled_at is not None and celia.password_hash  # signs in like the other demo staff
    hers = db.session.scalars(select(Child).where(Child.coordinator_id == celia.id)).all()
    assert sorted(c.first_name for c in hers) == ["Camila", "Jayden"]


def _appointment(app, db, child, day):
    from datetime import datetime, time

    from portal.children.models import Appointment, AppointmentKind, Transporter
    from portal.i18n import local_to_utc

    with app.app_context():
        starts_at = local_to_utc(datetime.combine(day, time(10)))
    appointment = Appointment(child_id=child.id, starts_at=starts_at,
                              kind=AppointmentKind.MEDICAL, place="Clinic", transport_by=Transporter.FAMILY)
    db.session.add(appointment)
    db.session.commit()
    return appointment


def test_appointment_notices_go_to_the_households_that_see_the_child(app, db, make_user, make_child, place, today):
    from portal.appointments.services import family_recipients

    coordinator = make_user(Role.COORDINATOR)
    future_family, family, respite = make_user(Role.FAMILY), make_user(Role.FAMILY), make_user(Role.FAMILY)
    not_yet = make_child(coordinator)
    place(not_yet, future_family, starts_on=today + timedelta(days=5))  # entered ahead: not theirs yet
    child = make_child(coordinator)
    placement = place(child, family)
    db.session.add(RespiteStay(placement_id=placement.id, kind=StayKind.RESPITE_HOME, household_id=respite.household_id,
                               starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=8)))
    db.session.commit()
    early = _appointment(app, db, not_yet, today + timedelta(days=6))
    during = _appointment(app, db, child, today + timedelta(days=7))
    after = _appointment(app, db, child, today + timedelta(days=9))
    with app.app_context():
        found = {key: [u.id for u in users] for key, users in family_recipients([early, during, after]).items()}
    assert found[early.id] == []
    assert sorted(found[during.id]) == sorted([family.id, respite.id])  # the stay covers the appointment's day
    assert found[after.id] == [family.id]


def test_a_family_writes_to_the_coordinator_only_once_the_placement_began(app, db, make_user, make_child, place,
                                                                           today):
    from portal.children.services import coordinators_of_household

    coordinator = make_user(Role.COORDINATOR)
    family = make_user(Role.FAMILY)
    place(make_child(coordinator), family, starts_on=today + timedelta(days=3))
    with app.app_context():
        assert coordinators_of_household(family.household_id) == []
    place(make_child(coordinator), family)
    with app.app_context():
        assert coordinators_of_household(family.household_id) == [coordinator.id]


def test_two_placements_in_the_last_place_at_once_the_second_is_refused(app, db, make_user, make_child, place,
                                                                         licensed_household, today, monkeypatch):
    from portal.children import services
    from portal.children.models import Child, Placement
    from portal.extensions import db as portal_db

    coordinator = make_user(Role.COORDINATOR)
    family = licensed_household(capacity=1)
    child = make_child(coordinator)
    place(make_child(coordinator), family)  # the other coordinator's placement, not yet seen by this one's check
    monkeypatch.setattr(services, "active_counts", lambda ids: {})
    with app.test_request_context():
        actor, record = portal_db.session.get(User, coordinator.id), portal_db.session.get(Child, child.id)
        with pytest.raises(services.RefusedAt) as refused:
            services.place_child(actor, record, family.household_id, today, "Needs a home")
        portal_db.session.rollback()
    assert refused.value.field == "household" and "already has 1 placed" in str(refused.value.message)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Placement.id)).where(Placement.child_id == child.id)) == 0


def _stay(client, placement, household_id, starts_on, ends_on):
    return post_form(client, f"/children/placements/{placement.id}/stays/new", {
        "kind": "respite_home", "household": str(household_id), "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(), "reason": "Family wedding"})


def test_a_respite_stay_meets_the_respite_homes_license_and_lasts_at_most_30_days(client, db, login, make_child, place,
                                                                                  licensed_household, today):
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator, age=8)
    placement = place(child, licensed_household())
    full = licensed_household(capacity=1)
    place(make_child(coordinator), full)
    young = licensed_household(age_min=0, age_max=5)
    roomy = licensed_household(capacity=2)
    week = today + timedelta(days=6)
    refused = _stay(client, placement, full.household_id, today, week)
    assert refused.status_code == 422 and "licensed for 1 children" in text_of(refused)
    refused = _stay(client, placement, young.household_id, today, week)
    assert refused.status_code == 422 and "licensed for ages 0 to 5" in text_of(refused)
    refused = _stay(client, placement, roomy.household_id, today, today + timedelta(days=30))
    assert refused.status_code == 422 and "at most 30 days" in text_of(refused)
    assert _stay(client, placement, roomy.household_id, today, today + timedelta(days=29)).status_code == 303
    # The roomy home's second place is taken by that stay during those days: another child's overlapping stay fits
    # once, not twice.
    other = make_child(coordinator, age=8)
    other_placement = place(other, licensed_household())
    assert _stay(client, other_placement, roomy.household_id, week, week).status_code == 303
    third = place(make_child(coordinator, age=8), licensed_household())
    refused = _stay(client, third, roomy.household_id, week, week)
    assert refused.status_code == 422 and "licensed for 2 children" in text_of(refused)
    assert db.session.scalar(select(func.count(RespiteStay.id))) == 2


def test_matches_name_only_the_siblings_on_the_users_own_caseload(app, client, login, make_user, make_child):
    coordinator = login(Role.COORDINATOR)
    other = make_user(Role.COORDINATOR)
    child = make_child(coordinator, sibling_group="ortiz")
    make_child(coordinator, first_name="OWN-SISTER", sibling_group="ortiz")
    make_child(other, first_name="OTHER-BROTHER", sibling_group="ortiz")
    text = text_of(client.get(f"/children/{child.id}/matches"))
    assert "not placed yet: 2." in text and "OWN-SISTER" in text and "OTHER-BROTHER" not in text
    assert "1 on another coordinator's caseload." in text
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    text = text_of(admin.get(f"/children/{child.id}/matches"))
    assert "OWN-SISTER" in text and "OTHER-BROTHER" in text and "another coordinator" not in text


def test_a_placement_that_has_not_started_is_cancelled_and_frees_the_place(client, db, login, make_child, place,
                                                                           licensed_household, today):
    from portal.children.models import Placement, PlacementEndReason, PlacementStatus

    coordinator = login(Role.COORDINATOR)
    family = licensed_household(capacity=1)
    child = make_child(coordinator)
    placement = place(child, family, starts_on=today + timedelta(days=10))
    page = client.get(f"/children/placements/{placement.id}/end")
    assert page.status_code == 200 and "hasn't started yet" in text_of(page)
    assert post_form(client, f"/children/placements/{placement.id}/end", {"note": ""}).status_code == 422
    response = post_form(client, f"/children/placements/{placement.id}/end", {"note": "Entered by mistake"})
    assert response.status_code == 303
    db.session.expire_all()
    ended = db.session.get(Placement, placement.id)
    assert ended.status is PlacementStatus.ENDED and ended.ends_on == ended.starts_on
    assert ended.end_reason is PlacementEndReason.OTHER and ended.end_note == "Entered by mistake"
    # The household's only place is free: another child is placed there.
    other = make_child(coordinator)
    placed = post_form(client, f"/children/{other.id}/place", {"household": str(family.household_id),
                                                               "starts_on": today.isoformat(), "reason": "x"})
    assert placed.status_code == 303


def test_the_case_status_is_changed_by_an_explicit_button_never_a_select_defaulting_to_closed(client, login,
                                                                                           make_child):
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator)
    html = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert '<select id="status"' not in html and 'name="status"' in html
    assert 'name="status" value="closed"' in html and "Close the case" in html


def test_the_child_pages_link_to_appointments_and_messages(client, app, login, make_user, make_child, place,
                                                           licensed_household):
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator, visitation_plan="Line one\nLine two", family_visible=["visitation_plan"])
    family = licensed_household()
    place(child, family)
    html = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert f"/appointments/child/{child.id}" in html and f"/appointments/child/{child.id}/new" in html
    assert 'style="white-space' not in html and "pre-line" in html
    home = app.test_client()
    sign_in(home, family)
    html = home.get(f"/children/in-my-home/{child.id}").get_data(as_text=True)
    assert 'href="/messages/new"' in html and 'href="/appointments/family"' in html
    assert 'style="white-space' not in html and "pre-line" in html


def test_the_household_list_says_each_homes_ages_and_free_places(client, login, make_child, place,
                                                                 licensed_household):
    coordinator = login(Role.COORDINATOR)
    family = licensed_household(capacity=3, age_min=2, age_max=10, name="Hint Home")
    place(make_child(coordinator), family)
    text = text_of(client.get(f"/children/{make_child(coordinator).id}/place"))
    assert "ages 2 to 10, 2 of 3 places free" in text
