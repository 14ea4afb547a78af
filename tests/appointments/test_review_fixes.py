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


def test_reminders_are_claimed_in_one_statement_whatever_their_number(app, db, place_child, add_appointment,
                                                                      count_queries):
    from portal.appointments.reminders import send_appointment_reminders
    from portal.extensions import db as portal_db

    counts = []
    for how_many in (1, 4):
        placed = place_child()
        for hour in range(how_many):
            add_appointment(placed.child, days=1, hour=9 + hour)
        with app.app_context(), portal_db.unit_of_work(), count_queries() as seen:
            assert send_appointment_reminders() == how_many
        counts.append(sum(1 for s in seen.statements if s.lstrip().upper().startswith("UPDATE APPOINTMENT")))
    assert counts == [1, 1]


def test_past_appointments_offer_no_cancel_or_change_of_time_to_staff(app, db, client, place_child,
                                                                      add_appointment):
    placed = place_child()
    past = add_appointment(placed.child, days=-2)
    coming = add_appointment(placed.child, days=2)
    act_as(client, placed.coordinator)
    page = client.get(f"/appointments/child/{placed.child.id}").get_data(as_text=True)
    assert f"/appointments/{coming.id}/cancel" in page and f"/appointments/{past.id}/cancel" not in page
    assert f"/appointments/{past.id}/edit" in page  # its notes may still be written


def test_the_family_reads_the_kind_in_its_language_first_and_staff_are_told_its_language(app, db, client,
                                                                                        place_child,
                                                                                        add_appointment):
    from portal.children.models import AppointmentKind
    from portal.models import OutboxMessage
    from tests.appointments.test_scheduling import _form, _future_day
    from tests.conftest import post_form, text_of

    placed = place_child(locale="es")
    staff = act_as(app.test_client(), placed.coordinator)
    form = text_of(staff.get(f"/appointments/child/{placed.child.id}/new"))
    assert "The family reads: Spanish." in form
    assert "The family sees the title and notes as you write them." in form
    assert post_form(staff, f"/appointments/child/{placed.child.id}/new",
                     _form(_future_day(app), title="Six-month review hearing")).status_code == 303
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "appointment_new"))
    assert "Audiencia (Six-month review hearing)" in mail.body_text
    add_appointment(placed.child, kind=AppointmentKind.DENTAL, title="Cleaning")
    act_as(client, placed.family)
    page = client.get("/appointments/family", headers={"Accept-Language": "es"}).get_data(as_text=True)
    heading = page.split('class="h5 card-title">')[1].split("<")[0]
    assert "Audiencia" in heading or "Cita dental" in heading
    assert "Six-month review hearing" not in heading and "Cleaning" not in heading


def test_the_spanish_demo_family_reads_its_appointments_in_spanish(app, db):
    from portal.appointments.demo import PLAN, SPANISH_TEXT

    assert len(SPANISH_TEXT) == len(PLAN)
    assert all(not title or "hearing" not in title.lower() for title, _notes in SPANISH_TEXT)
    assert SPANISH_TEXT[3][0] == "Audiencia de revisión de seis meses"


def test_the_familys_note_shows_on_its_card_and_stays_for_staff_after_an_edit(app, db, client, place_child,
                                                                              add_appointment):
    from portal.children.models import Appointment
    from tests.appointments.test_scheduling import _form, _future_day
    from tests.conftest import post_form, text_of

    placed = place_child()
    appointment = add_appointment(placed.child, days=40)
    act_as(client, placed.family)
    assert post_form(client, f"/appointments/{appointment.id}/transport",
                     {"answer": "change_requested", "note": "Our car is in the shop"}).status_code == 303
    page = text_of(client.get("/appointments/family"))
    assert "Your note: Our car is in the shop" in page
    # The month shown is this one; the next appointment is one link away.
    assert "Next appointment:" in page
    staff = act_as(app.test_client(), placed.coordinator)
    db.session.expire_all()
    version = db.session.get(Appointment, appointment.id).version
    moved = _form(_future_day(app, 41), kind="medical", version=str(version))
    assert post_form(staff, f"/appointments/{appointment.id}/edit", moved).status_code == 303
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).transport_answer_note == ""  # the answer is asked again
    assert "Our car is in the shop" in text_of(staff.get(f"/appointments/child/{placed.child.id}"))


def test_a_past_appointment_keeps_its_time_and_cannot_be_cancelled(app, db, client, place_child, add_appointment):
    from portal.children.models import Appointment
    from tests.appointments.test_scheduling import _form
    from tests.conftest import post_form, text_of

    placed = place_child()
    past = add_appointment(placed.child, days=-2)
    act_as(client, placed.coordinator)
    with app.app_context():
        from portal.appointments.services import form_data_of

        data = form_data_of(db.session.get(Appointment, past.id))
    same_time = _form(data["day"].isoformat(), time=data["time"].strftime("%H:%M"), kind="medical",
                      version=str(past.version), internal_notes="Went well.")
    later = dict(same_time, time="11:30")
    refused = post_form(client, f"/appointments/{past.id}/edit", later)
    assert refused.status_code == 422 and "A past appointment keeps its time." in text_of(refused)
    assert post_form(client, f"/appointments/{past.id}/edit", same_time).status_code == 303
    db.session.expire_all()
    stored = db.session.get(Appointment, past.id)
    assert stored.internal_notes == "Went well."
    cancel = post_form(client, f"/appointments/{past.id}/cancel", {"reason": "No.", "version": str(stored.version)})
    assert cancel.status_code == 409
    db.session.expire_all()
    assert db.session.get(Appointment, past.id).status.value == "scheduled"
