"""The demo's appointments: for each child placed with a demo family, a month ahead and two past, a court hearing
among them; running the seed twice adds nothing twice; no placed child, nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.children.models import Appointment, AppointmentKind
from portal.models import Role


def _seed(app) -> None:
    from portal.appointments.demo import seed
    from portal.extensions import db as portal_db

    with app.app_context(), portal_db.unit_of_work():
        seed(app)


def test_demo_appointments_for_placed_demo_children_once(app, db, make_user, place_child):
    _seed(app)  # no child placed with a demo family yet: nothing
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
    placed = place_child(family=make_user(Role.FAMILY, email="family2@demo.test", locale="es"))
    other = place_child()  # not a demo family
    _seed(app)
    _seed(app)
    rows = list(db.session.scalars(select(Appointment).where(Appointment.child_id == placed.child.id)))
    with app.app_context():
        from portal.database import now_utc

        now = now_utc()
    assert 6 <= len(rows) <= 8
    assert sum(a.starts_at < now for a in rows) == 2
    assert 4 <= sum(a.starts_at >= now for a in rows) <= 6
    assert any(a.kind is AppointmentKind.COURT_HEARING for a in rows)
    assert db.session.scalar(select(func.count()).select_from(Appointment)
                             .where(Appointment.child_id == other.child.id)) == 0
