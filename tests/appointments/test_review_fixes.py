"""Review fixes of appointments: staff reads recorded, the family's language on the form, the kind first for the
family, one claiming statement for reminders, the family's note kept, past appointments, the next appointment."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import AuditEvent
from tests.appointments.conftest import act_as


def test_the_edit_and_cancel_pages_record_a_read_of_the_childs_record(app, db, client, place_child,
                                                                      add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, internal_notes="Private")
    act_as(client, placed.coordinator)
    for page in ("edit", "cancel"):
        assert client.get(f"/appointments/{appointment.id}/{page}").status_code == 200
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_viewed")).all()
    assert [(e.actor_id, e.child_id) for e in reads] == [(placed.coordinator.id, placed.child.id)] * 2
