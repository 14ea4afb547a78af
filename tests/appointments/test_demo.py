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


def test_children_placed_by_a_demo_that_ran_later_get_their_appointments_after_the_commit(app, db, make_user,
                                                                                        place_child):
    """The children's demo may hear `demo_seeding` after this one: the appointments come once all is committed."""
    from portal.appointments import demo
    from portal.extensions import db as portal_db

    family = make_user(Role.FAMILY, email="family@demo.test")
    with app.app_context():
        with portal_db.unit_of_work():
            demo.seed(app)  # nothing placed yet
            placed = place_child(family=family)  # "the children's demo", later in the same run
        assert portal_db.session.scalar(select(func.count()).select_from(Appointment)
                                        .where(Appointment.child_id == placed.child.id)) == len(demo.PLAN)
