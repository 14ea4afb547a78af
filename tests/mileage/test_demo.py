"""The mileage demo: a few trips and one submitted claim for family@demo.test, once."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db as portal_db
from portal.mileage import demo
from portal.mileage.models import ClaimStatus, MileageClaim, Trip
from portal.models import Role
from tests.court_reports.helpers import place_child


def test_demo_adds_trips_and_a_claim_once(app, db, make_user):
    family = make_user(Role.FAMILY, email=demo.DEMO_FAMILY)
    with app.app_context():
        demo.seed(app)  # nobody placed yet: nothing
        portal_db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Trip)) == 0
    place_child(db, family.household_id, None)
    for _ in range(2):
        with app.app_context():
            demo.seed(app)
            portal_db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Trip)) == 3
    claims = db.session.scalars(select(MileageClaim)).all()
    assert len(claims) == 1 and claims[0].status is ClaimStatus.SUBMITTED and claims[0].amount_cents > 0
