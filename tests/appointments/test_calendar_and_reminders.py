"""The .ics files and the feed (icalendar, the agency's TZID and VTIMEZONE, STATUS:CANCELLED), the day-before
reminder (once), and the family's answer about transport reaching the coordinator."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from portal.children.models import Appointment, AppointmentStatus, TransportAnswer
from portal.models import AuditEvent, OutboxMessage
from tests.appointments.conftest import act_as
from tests.conftest import post_form, text_of


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_ics_has_the_agency_time_zone_and_the_time_typed(app, db, client, place_child, add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, hour=10, kind="court_hearing", title="Review hearing")
    act_as(client, placed.family)
    response = client.get(f"/appointments/{appointment.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert (start.hour, start.minute) == (10, 0)
    assert start == appointment.starts_at
    assert str(event["UID"]) == f"appointment-{appointment.id}@localhost"
    assert "Review hearing" in str(event["SUMMARY"]) and "Mateo" in str(event["SUMMARY"])


def test_a_cancelled_appointment_stays_in_the_feed_as_cancelled_with_a_higher_sequence(app, db, client, place_child,
                                                                                      add_appointment):
    placed = place_child(locale="es")
    appointment = add_appointment(placed.child, kind="dental")
    staff = app.test_client()
    act_as(staff, placed.coordinator)
    post_form(staff, f"/appointments/{appointment.id}/cancel", {"reason": "Clinic closed.", "version": "1"})
    act_as(client, placed.family)
    post_form(client, "/appointments/calendar-feed")
    with client.session_transaction() as session:
        feed = session["appointments_feed_url"].replace("http://localhost", "")
    [event] = _events(client.get(feed).data)
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    # In the family's language (Spanish), not the request's.
    assert str(Calendar.from_ical(client.get(feed).data)["X-WR-CALNAME"]) == "Citas"


def test_the_reminder_goes_once_in_the_familys_language(app, db, place_child, add_appointment):
    placed = place_child(locale="es")
    tomorrow = add_appointment(placed.child, days=1, hour=9)
    later = add_appointment(placed.child, days=5)
    cancelled = add_appointment(placed.child, days=1, hour=15, status=AppointmentStatus.CANCELLED)
    from portal.appointments.reminders import send_appointment_reminders
    from portal.extensions import db as portal_db

    for expected in (1, 0):
        with app.app_context(), portal_db.unit_of_work():
            assert send_appointment_reminders() == expected
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "appointment_reminder")))
    assert len(mails) == 1 and mails[0].locale == "es" and mails[0].recipient == placed.family.email
    assert "Mateo" in mails[0].subject and mails[0].body_text.startswith("Hola, ")
    db.session.expire_all()
    assert db.session.get(Appointment, tomorrow.id).reminder_sent_at is not None
    assert db.session.get(Appointment, later.id).reminder_sent_at is None
    assert db.session.get(Appointment, cancelled.id).reminder_sent_at is None


def test_a_claimed_reminder_is_not_sent_again_by_a_run_that_loaded_it_before(app, db, place_child, add_appointment):
    """Two runs at once: the second one's conditional UPDATE finds the reminder already claimed."""
    placed = place_child()
    appointment = add_appointment(placed.child, days=1)
    from portal.appointments.reminders import send_appointment_reminders
    from portal.extensions import db as portal_db

    with app.app_context(), portal_db.unit_of_work():
        # Another run claimed it between this run's SELECT and its UPDATE: simulated by claiming it first, then
        # clearing the condition the SELECT used only (not the column the UPDATE checks).
        from sqlalchemy import update

        from portal.database import now_utc

        portal_db.session.execute(update(Appointment).where(Appointment.id == appointment.id)
                                  .values(reminder_sent_at=now_utc()))
        assert send_appointment_reminders() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_command_sends_reminders(app, db, place_child, add_appointment):
    placed = place_child()
    add_appointment(placed.child, days=1)
    result = app.test_cli_runner().invoke(args=["send-appointment-reminders"])
    assert result.exit_code == 0, result.output
    assert "appointments reminded: 1" in result.output


def test_the_family_asks_for_a_transport_change_and_the_coordinator_hears(app, db, client, place_child,
                                                                          add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child)
    act_as(client, placed.family)
    url = f"/appointments/{appointment.id}/transport"
    refused = post_form(client, url, {"answer": "change_requested", "note": ""})
    assert refused.status_code == 422 and "Say what change you need." in text_of(refused)
    assert post_form(client, url, {"answer": "change_requested", "note": "Our car is in the shop"}).status_code == 303
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.transport_answer is TransportAnswer.CHANGE_REQUESTED
    assert stored.transport_answer_note == "Our car is in the shop"
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "appointment_transport_answer"))
    assert mail.recipient == placed.coordinator.email and "Our car is in the shop" in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "transport_change_requested"))
    assert event.child_id == placed.child.id and event.household_id == placed.family.household_id
    staff = app.test_client()
    act_as(staff, placed.coordinator)
    for page in ("/appointments/upcoming", "/appointments/upcoming?show=changes",
                 f"/appointments/child/{placed.child.id}", "/dashboard"):
        assert "Transport change requested" in text_of(staff.get(page)) or "transport change" in text_of(
            staff.get(page)), page
    assert "Our car is in the shop" in text_of(staff.get(f"/appointments/child/{placed.child.id}"))


def test_a_past_appointment_takes_no_answer(app, db, client, place_child, add_appointment):
    placed = place_child()
    appointment = add_appointment(placed.child, days=-2)
    act_as(client, placed.family)
    response = post_form(client, f"/appointments/{appointment.id}/transport", {"answer": "confirmed"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).transport_answer is TransportAnswer.NONE


def test_month_parameter_is_read_safely(app, db, client, place_child, add_appointment):
    placed = place_child()
    add_appointment(placed.child, days=40, family_notes="Far ahead")
    act_as(client, placed.family)
    fullwidth = "\uff12\uff10\uff12\uff16-\uff10\uff11"
    for value in ("2026-13", "abc", "0000-01", "9999-99", "2026-1", fullwidth, "%00", "2026-02-30"):
        assert client.get("/appointments/family", query_string={"month": value}).status_code == 200
    with app.app_context():
        from portal.clock import agency_today

        ahead = (agency_today() + timedelta(days=40)).strftime("%Y-%m")
    page = client.get("/appointments/family", query_string={"month": ahead}).get_data(as_text=True)
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_only_the_next_day_is_reminded(app, db, place_child, add_appointment):
    placed = place_child()
    later_today = add_appointment(placed.child, days=0, hour=23)
    day_after = add_appointment(placed.child, days=2, hour=1)
    from portal.appointments.reminders import send_appointment_reminders
    from portal.extensions import db as portal_db

    with app.app_context(), portal_db.unit_of_work():
        assert send_appointment_reminders() == 0
    db.session.expire_all()
    assert db.session.get(Appointment, later_today.id).reminder_sent_at is None
    assert db.session.get(Appointment, day_after.id).reminder_sent_at is None
