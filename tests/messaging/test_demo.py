"""The demo's threads: each demo family writes with coordinator@demo.test, one message unread by the coordinator."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.children.models import Child, Placement
from portal.clock import agency_today
from portal.messaging.demo import seed_threads
from portal.messaging.lists import unread_count
from portal.messaging.models import Message, MessageThread
from portal.models import Role


def test_demo_threads_are_made_once_about_the_placed_child(app, db, make_user):
    coordinator = make_user(Role.COORDINATOR, email="coordinator@demo.test")
    family = make_user(Role.FAMILY, email="family@demo.test")
    make_user(Role.FAMILY, email="family2@demo.test", locale="es")
    with app.app_context():
        today = agency_today()
    child = Child(first_name="Leo", last_name="Rivera", birth_date=date(2015, 1, 1), coordinator_id=coordinator.id)
    db.session.add(child)
    db.session.flush()
    db.session.add(Placement(child_id=child.id, household_id=family.household_id, starts_on=today - timedelta(days=9)))
    db.session.commit()
    with app.test_request_context():
        from portal.extensions import db as portal_db

        seed_threads(app)
        seed_threads(app)  # idempotent
        portal_db.session.commit()
        threads = portal_db.session.scalars(select(MessageThread).order_by(MessageThread.id)).all()
        assert len(threads) == 2
        assert threads[0].child_id == child.id and threads[1].child_id is None  # family2 has no child placed
        assert portal_db.session.scalar(select(func.count(Message.id))) == 6
        assert unread_count(portal_db.session.get(type(coordinator), coordinator.id)) == 2
        assert unread_count(portal_db.session.get(type(family), family.id)) == 0
        # A child placed with family2 after the first run is named on the next one.
        family2 = portal_db.session.scalar(select(type(family)).where(type(family).email == "family2@demo.test"))
        # (Another child: a child has one active placement at a time, a unique index says so.)
        sister = Child(first_name="Ana", last_name="Rivera", birth_date=date(2017, 1, 1), coordinator_id=coordinator.id)
        portal_db.session.add(sister)
        portal_db.session.flush()
        portal_db.session.add(Placement(child_id=sister.id, household_id=family2.household_id, starts_on=today))
        portal_db.session.flush()
        seed_threads(app)
        assert portal_db.session.get(MessageThread, threads[1].id).child_id == sister.id
