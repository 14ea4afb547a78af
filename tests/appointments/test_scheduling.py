"""Coordinators schedule, change and cancel a child's appointments; the family is told in its own language; internal
notes never reach the family."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import Appointment, AppointmentStatus
from portal.models import AuditEvent, OutboxMessage
from tests.appointments.conftest import act_as
from tests.conftest import post_form, text_of

SECRET = "Birth mother failed the last drug test"


def _form(day: str, **overrides) -> dict:
    values = {"kind": "court_hearing", "title": "Six-month review", "day": day, "time": "10:00",
              "duration_minutes": "60", "place": "Juvenile Court, Dept. 20", "virtual_link": "",
              "transport_by": "family", "transport_note": "", "family_notes": "Caregivers may speak.",
              "internal_notes": SECRET}
    values.update(overrides)
    return values


def _future_day(app, days: int = 10) -> str:
    with app.app_context():
        from portal.clock import agency_today

        return (agency_today() + timedelta(days=days)).isoformat()


def _mail(db, template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def test_coordinator_schedules_and_the_family_is_told_in_spanish(app, db, client, place_child):
    placed = place_child(locale="es")
    act_as(client, placed.coordinator)
    day = _future_day(app)
    response = post_form(client, f"/appointments/child/{placed.child.id}/new", _form(day))
    assert response.status_code == 303, text_of(response)[:500]
    appointment = db.session.scalar(select(Appointment).where(Appointment.child_id == placed.child.id))
    # 10:00 typed in Los Angeles: 18:00 UTC in winter, 17:00 in summer.
    local = appointment.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute, local.date().isoformat()) == (10, 0, day)
    assert appointment.starts_at.tzinfo is not None and appointment.starts_at.utcoffset() == timedelta(0)
    [mail] = _mail(db, "appointment_new")
    assert mail.recipient == placed.family.email and mail.locale == "es"
    assert "Mateo" in mail.subject and mail.body_text.startswith("Hola, ")  # rendered in Spanish
    assert SECRET not in mail.body_text and SECRET not in mail.body_html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointment_scheduled"))
    assert event.child_id == placed.child.id and event.household_id == placed.family.household_id


def test_bad_input_is_said_beside_the_field_and_nothing_is_stored(app, db, client, place_child):
    placed = place_child()
    act_as(client, placed.coordinator)
    url = f"/appointments/child/{placed.child.id}/new"
    for bad in [{"virtual_link": "javascript:alert(1)", "place": ""}, {"place": "", "virtual_link": ""},
                {"day": "0001-01-01"}, {"day": "9999-12-31"}, {"time": "25:99"}, {"duration_minutes": "9" * 40},
                {"kind": "picnic"}, {"transport_by": "rocket"}]:
        response = post_form(client, url, {**_form(_future_day(app)), **bad})
        assert response.status_code == 422, bad
        assert "Six-month review" in response.get_data(as_text=True)  # what was typed stays
    assert db.session.scalar(select(Appointment).where(Appointment.child_id == placed.child.id)) is None


def test_an_edit_grows_the_sequence_tells_the_family_and_refuses_a_stale_form(app, db, client, place_child,
                                                                               add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, transport_answer="confirmed")
    act_as(client, placed.coordinator)
    url = f"/appointments/{appointment.id}/edit"
    assert client.get(url).status_code == 200
    version = appointment.version
    response = post_form(client, url, _form(_future_day(app, 12), kind="dental", version=str(version)))
    assert response.status_code == 303
    db.session.expire_all()
    changed = db.session.get(Appointment, appointment.id)
    assert changed.sequence == 1 and changed.version == version + 1
    assert changed.transport_answer.value == "none"  # a new time asks the family again
    [mail] = _mail(db, "appointment_changed")
    assert mail.recipient == placed.family.email and SECRET not in mail.body_text
    # The same form again, opened on the old version: refused, what was typed kept, nothing saved.
    response = post_form(client, url, _form(_future_day(app, 14), version=str(version)))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).sequence == 1


def test_cancel_needs_a_reason_and_goes_through_the_state_machine(app, db, client, place_child, add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child)
    act_as(client, placed.coordinator)
    url = f"/appointments/{appointment.id}/cancel"
    assert post_form(client, url, {"reason": "  ", "version": str(appointment.version)}).status_code == 422
    response = post_form(client, url, {"reason": "The judge moved the hearing.", "version": str(appointment.version)})
    assert response.status_code == 303
    db.session.expire_all()
    cancelled = db.session.get(Appointment, appointment.id)
    assert cancelled.status is AppointmentStatus.CANCELLED and cancelled.sequence == 1
    assert cancelled.cancel_reason == "The judge moved the hearing."
    [mail] = _mail(db, "appointment_cancelled")
    assert "The judge moved the hearing." in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.to_status == "cancelled"))
    assert event.child_id == placed.child.id and event.reason == "The judge moved the hearing."
    # A cancelled appointment is not edited again.
    edit = post_form(client, f"/appointments/{appointment.id}/edit",
                     _form(_future_day(app), version=str(cancelled.version)))
    assert edit.status_code == 409


def test_internal_notes_never_reach_the_family(app, db, client, place_child, add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, internal_notes=SECRET, family_notes="Bring the card.")
    staff = app.test_client()
    act_as(staff, placed.coordinator)
    assert SECRET in staff.get(f"/appointments/child/{placed.child.id}").get_data(as_text=True)
    # Every email the family gets about it.
    post_form(staff, f"/appointments/{appointment.id}/edit",
              _form(_future_day(app, 5), internal_notes=SECRET, version=str(appointment.version)))
    db.session.expire_all()
    post_form(staff, f"/appointments/{appointment.id}/cancel",
              {"reason": "Moved.", "version": str(db.session.get(Appointment, appointment.id).version)})
    other = add_appointment(placed.child, days=1, internal_notes=SECRET)
    with app.app_context():
        from portal.appointments.reminders import send_appointment_reminders
        from portal.extensions import db as portal_db

        with portal_db.unit_of_work():
            assert send_appointment_reminders() == 1
    family_mail = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == placed.family.email)))
    # The edit made it a court hearing 5 days away: its caregiver report is asked at once, and withdrawn on cancel.
    assert sorted(m.template for m in family_mail) == [
        "appointment_cancelled", "appointment_changed", "appointment_reminder", "court_report_request",
        "court_report_withdrawn"]
    assert all(SECRET not in m.body_text and SECRET not in m.body_html for m in family_mail)
    # Every family page and calendar.
    act_as(client, placed.family)
    pages = [client.get("/appointments/family"), client.get("/dashboard"),
             client.get(f"/appointments/{appointment.id}/calendar.ics"),
             client.get(f"/appointments/{other.id}/calendar.ics")]
    post_form(client, "/appointments/calendar-feed")
    with client.session_transaction() as session:
        feed_url = session["appointments_feed_url"]
    pages.append(client.get(feed_url.replace("http://localhost", "")))
    for page in pages:
        assert page.status_code == 200
        assert SECRET not in page.get_data(as_text=True)
    assert "Caregivers may speak." in pages[0].get_data(as_text=True)  # the family notes are shown


def test_a_respite_family_is_told_of_appointments_in_its_stay_only(app, db, client, make_user, place_child):
    from portal.children.models import RespiteStay, StayKind
    from portal.models import Role

    placed = place_child()
    respite = make_user(Role.FAMILY, locale="es")
    with app.app_context():
        from portal.clock import agency_today

        today = agency_today()
    db.session.add(RespiteStay(placement_id=placed.placement.id, kind=StayKind.RESPITE_HOME,
                               household_id=respite.household_id, starts_on=today + timedelta(days=4),
                               ends_on=today + timedelta(days=6)))
    db.session.commit()
    act_as(client, placed.coordinator)
    url = f"/appointments/child/{placed.child.id}/new"
    assert post_form(client, url, _form(_future_day(app, 5))).status_code == 303  # inside the stay
    assert post_form(client, url, _form(_future_day(app, 9))).status_code == 303  # after it
    mails = _mail(db, "appointment_new")
    assert sorted(m.recipient for m in mails) == sorted([placed.family.email, placed.family.email, respite.email])
    assert next(m for m in mails if m.recipient == respite.email).locale == "es"
