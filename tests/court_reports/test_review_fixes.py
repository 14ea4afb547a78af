"""Review fixes of caregiver reports: a moved hearing shows its new time at once, a hearing scheduled inside the
window is asked at once, the coordinator may ask early, and the family's card says a report is due."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.children.models import Appointment
from portal.court_reports.models import CaregiverReport
from portal.models import Role
from tests.appointments.conftest import act_as
from tests.appointments.test_scheduling import _form, _future_day
from tests.conftest import post_form, sign_in, text_of
from tests.court_reports.helpers import place_child


def _people(db, make_user):
    family = make_user(Role.FAMILY, full_name="Ana Rivera")
    coordinator = make_user(Role.COORDINATOR)
    child = place_child(db, family.household_id, coordinator.id)
    return family, coordinator, child


def _reports(db) -> list[CaregiverReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaregiverReport).order_by(CaregiverReport.id)))


def test_a_moved_hearing_shows_its_new_time_on_the_report_pages_at_once(app, db, client, make_user):
    family, coordinator, child = _people(db, make_user)
    staff = act_as(app.test_client(), coordinator)
    day = _future_day(app, 8)
    assert post_form(staff, f"/appointments/child/{child.id}/new", _form(day)).status_code == 303
    [report] = _reports(db)
    appointment_id = report.appointment_id
    edit = staff.get(f"/appointments/{appointment_id}/edit")
    version = edit.get_data(as_text=True).split('name="version"')[1].split('value="')[1].split('"')[0]
    moved = post_form(staff, f"/appointments/{appointment_id}/edit", _form(day, time="10:30", version=version))
    assert moved.status_code == 303, text_of(moved)[:400]
    [report] = _reports(db)
    assert report.hearing_at == db.session.get(Appointment, appointment_id).starts_at  # the copy follows at once
    sign_in(client, family)
    assert "10:30" in text_of(client.get(f"/court-reports/{report.id}"))
    assert "10:30" in text_of(client.get("/court-reports/"))
    assert "10:30" in text_of(staff.get(f"/court-reports/staff/{report.id}"))


def test_a_hearing_inside_the_window_is_asked_at_once_and_the_coordinator_may_ask_early(app, db, client,
                                                                                       make_user):
    family, coordinator, child = _people(db, make_user)
    staff = act_as(app.test_client(), coordinator)
    assert post_form(staff, f"/appointments/child/{child.id}/new", _form(_future_day(app, 8))).status_code == 303
    assert len(_reports(db)) == 1
    assert post_form(staff, f"/appointments/child/{child.id}/new", _form(_future_day(app, 60))).status_code == 303
    assert len(_reports(db)) == 1  # too far to ask by itself
    page = staff.get(f"/appointments/child/{child.id}")
    assert "Ask the family for its report now" in text_of(page)

    far = db.session.scalar(select(Appointment.id).order_by(Appointment.starts_at.desc()).limit(1))
    for _ in range(2):  # idempotent
        assert post_form(staff, f"/court-reports/staff/ask/{far}").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(CaregiverReport)) == 2
    stranger = act_as(app.test_client(), make_user(Role.COORDINATOR))
    assert post_form(stranger, f"/court-reports/staff/ask/{far}").status_code == 404
    sign_in(client, family)
    soonest = min(r.due_on for r in _reports(db))
    home = text_of(client.get("/dashboard"))
    assert "A report for the court is due on" in home
    assert soonest.strftime("%B") in home and str(soonest.day) in home

