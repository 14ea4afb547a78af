"""Review findings of issue 12 (placed children), each with the test that failed before its fix."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.children.models import Placement, PlacementEndReason, PlacementStatus, RespiteStay, StayKind
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
    assert sorted(c.first_name for c in hers) == ["Jayden", "Valentina"]
