"""Respite and short stays: the primary family keeps seeing the child throughout; the respite family sees only the
respite fields, only during the stay; both are in the event log with the child's id."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import RespiteStay
from portal.children.visibility import FamilyAccess, family_view_of
from portal.models import AuditEvent, Role
from tests.conftest import post_form, sign_in, text_of


def _setup(app, make_user, licensed_household, make_child, place):
    coordinator = make_user(Role.COORDINATOR)
    primary = licensed_household(name="Primary Home")
    respite = licensed_household(name="Respite Home")
    child = make_child(coordinator, first_name="Rafa", school="SCHOOL-X", health_needs="PEANUT-ALLERGY",
                       visitation_plan="VISITS-Y",
                       family_visible=["birth_date", "school", "health_needs", "visitation_plan"])
    placement = place(child, primary)
    staff = app.test_client()
    sign_in(staff, coordinator)
    return coordinator, primary, respite, child, placement, staff


def test_respite_family_sees_only_what_it_needs_during_the_stay(app, client, db, make_user, licensed_household,
                                                                 make_child, place, today):
    _c, primary, respite, child, placement, staff = _setup(app, make_user, licensed_household, make_child, place)
    response = post_form(staff, f"/children/placements/{placement.id}/stays/new", {
        "kind": "respite_home", "household": str(respite.household_id), "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=2)).isoformat(), "reason": "Family wedding"})
    assert response.status_code == 303, text_of(response)[:500]
    stay = db.session.scalar(select(RespiteStay).where(RespiteStay.placement_id == placement.id))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "respite_stay_recorded"))
    assert event.child_id == child.id and event.household_id == respite.household_id

    sign_in(client, respite)
    page = client.get(f"/children/in-my-home/{child.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "PEANUT-ALLERGY" in text and "SCHOOL-X" not in text and "VISITS-Y" not in text
    assert "Staying with you for respite" in text

    primary_client = app.test_client()
    sign_in(primary_client, primary)
    assert "SCHOOL-X" in text_of(primary_client.get(f"/children/in-my-home/{child.id}"))

    # The one rule, on later days (a signed-in session would time out if the clock jumped for the pages).
    with app.app_context():
        for offset, respite_sees in ((1, True), (2, True), (3, False), (30, False)):
            day = today + timedelta(days=offset)
            view = family_view_of(respite.household_id, child.id, day)
            assert (view is not None) is respite_sees, offset
            assert view is None or view.access is FamilyAccess.RESPITE
            assert family_view_of(primary.household_id, child.id, day).access is FamilyAccess.PRIMARY

    # Cancelled: gone at once, for the respite family only.
    assert post_form(staff, f"/children/stays/{stay.id}/cancel", {"reason": "Plans changed"}).status_code == 303
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 404
    assert primary_client.get(f"/children/in-my-home/{child.id}").status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "respite_stay_cancelled")).child_id \
        == child.id


def test_a_future_stay_gives_no_access_yet(app, client, make_user, licensed_household, make_child, place, today):
    _c, _primary, respite, child, placement, staff = _setup(app, make_user, licensed_household, make_child, place)
    response = post_form(staff, f"/children/placements/{placement.id}/stays/new", {
        "kind": "respite_home", "household": str(respite.household_id),
        "starts_on": (today + timedelta(days=5)).isoformat(), "ends_on": (today + timedelta(days=6)).isoformat()})
    assert response.status_code == 303
    sign_in(client, respite)
    assert client.get(f"/children/in-my-home/{child.id}").status_code == 404


def test_stays_are_checked(app, db, make_user, licensed_household, make_child, place, today):
    _c, primary, _respite, _child, placement, staff = _setup(app, make_user, licensed_household, make_child, place)
    url = f"/children/placements/{placement.id}/stays/new"
    day = today.isoformat()
    cases = [
        ({"kind": "respite_home", "household": str(primary.household_id)}, "Not a valid choice"),
        ({"kind": "respite_home", "household": ""}, "Choose the respite home."),
        ({"kind": "hospital", "place_name": ""}, "Say where the child will stay."),
        ({"kind": "camp", "place_name": "Camp Sunshine", "ends_on": (today - timedelta(days=1)).isoformat()},
         "The stay can't end before it starts."),
    ]
    for values, message in cases:
        response = post_form(staff, url, {"starts_on": day, "ends_on": day, **values})
        assert response.status_code == 422 and message in text_of(response), message
    assert db.session.scalar(select(RespiteStay.id)) is None
    response = post_form(staff, url, {"kind": "hospital", "place_name": "Valley Children's", "starts_on": day,
                                      "ends_on": day, "reason": "Surgery"})
    assert response.status_code == 303
