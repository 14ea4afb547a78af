"""The caregiver's report to the court: the request command (once, in each reader's language, moved and cancelled
hearings), the family's draft and submission, the coordinator's receipt, and who may reach a report."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.children.models import AppointmentKind, AppointmentStatus
from portal.clock import agency_today, agency_zone
from portal.court_reports import services
from portal.court_reports.models import CaregiverReport, ReportStatus
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, OutboxMessage, Role
from portal.settings import AgencySetting
from tests.conftest import post_form, sign_in, text_of
from tests.court_reports.helpers import end_placement, hearing, place_child


def run(app, **travel):
    """The command's work, as cron runs it (optionally at another moment)."""
    with app.app_context():
        if travel:
            with time_machine.travel(now_utc() + timedelta(**travel), tick=False):
                counts = services.send_requests(agency_today())
        else:
            counts = services.send_requests(agency_today())
        portal_db.session.commit()
    return counts


def outbox(db, template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def placed(app, db, make_user):
    """A household of two (English and Spanish) with a child placed, the child's coordinator, a hearing in 16 days."""
    family = make_user(Role.FAMILY, full_name="Ana Rivera")
    partner = make_user(Role.FAMILY, locale="es", full_name="Luis Rivera")
    partner.household_id = family.household_id
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, locale="es")
    child = place_child(db, family.household_id, coordinator.id)
    court = hearing(db, child.id, now_utc() + timedelta(days=16))  # due in 9 days, reminded 3 days before that
    return family, partner, coordinator, child, court


def test_the_command_asks_once_in_each_readers_language(app, db, placed):
    family, partner, _coordinator, child, court = placed
    other_kind = hearing(db, child.id, kind=AppointmentKind.MEDICAL)
    first = run(app)
    again = run(app)
    assert first["requested"] == 1 and again == {"requested": 0, "reminded": 0, "moved": 0, "withdrawn": 0}
    report = db.session.scalar(select(CaregiverReport))
    assert (report.appointment_id, report.household_id, report.status) == (court.id, family.household_id,
                                                                          ReportStatus.REQUESTED)
    assert report.appointment_id != other_kind.id
    with app.app_context():
        expected_due = court.starts_at.astimezone(agency_zone()).date() - timedelta(days=7)
    assert report.due_on == expected_due
    sent = outbox(db, "court_report_request")
    assert {(m.recipient, m.locale) for m in sent} == {(family.email, "en"), (partner.email, "es")}
    spanish = next(m for m in sent if m.locale == "es")
    # Rendered in Spanish (the greeting and Babel's date; the new sentences are translated at merge).
    assert spanish.body_text.startswith("Hola") and " de 20" in spanish.body_text
    assert f"/court-reports/{report.id}" in spanish.body_text
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "court_report_requested")).all()
    assert [e.child_id for e in events] == [child.id]


def test_the_command_line_is_idempotent(app, db, placed):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-court-report-requests"])
    second = runner.invoke(args=["send-court-report-requests"])
    assert first.exit_code == 0 and "requested: 1" in first.output
    assert "requested: 0" in second.output
    assert db.session.scalar(select(func.count()).select_from(CaregiverReport)) == 1


def test_a_far_hearing_is_asked_later_and_the_due_days_are_agency_data(app, db, placed, make_user):
    _family, _partner, _coordinator, child, _court = placed
    far = hearing(db, child.id, now_utc() + timedelta(days=60))
    run(app)
    assert db.session.scalar(select(func.count()).select_from(CaregiverReport)
                             .where(CaregiverReport.appointment_id == far.id)) == 0
    db.session.add(AgencySetting(key="court_report_due_days", value="50"))
    db.session.commit()
    run(app)
    report = db.session.scalar(select(CaregiverReport).where(CaregiverReport.appointment_id == far.id))
    assert report is not None and (far.starts_at.date() - report.due_on).days in (49, 50, 51)


def test_the_reminder_goes_once_before_the_due_date(app, db, placed):
    run(app)
    assert run(app, days=1)["reminded"] == 0
    assert run(app, days=6)["reminded"] == 1
    assert run(app, days=6, hours=2)["reminded"] == 0
    assert {m.locale for m in outbox(db, "court_report_reminder")} == {"en", "es"}


def test_a_moved_hearing_moves_the_due_date_once(app, db, placed):
    *_rest, court = placed
    run(app)
    court.starts_at = court.starts_at + timedelta(days=5)
    db.session.commit()
    assert run(app)["moved"] == 1
    assert run(app)["moved"] == 0
    report = db.session.scalar(select(CaregiverReport))
    assert report.hearing_at == court.starts_at and report.reminder_sent_at is None
    assert len(outbox(db, "court_report_moved")) == 2


def test_a_cancelled_hearing_withdraws_the_request(app, db, placed):
    *_rest, court = placed
    run(app)
    court.status = AppointmentStatus.CANCELLED
    db.session.commit()
    assert run(app)["withdrawn"] == 1
    assert run(app)["withdrawn"] == 0
    report = db.session.scalar(select(CaregiverReport))
    assert report.status is ReportStatus.WITHDRAWN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.to_status == "withdrawn"))
    assert event.child_id == report.child_id and event.reason
    assert len(outbox(db, "court_report_withdrawn")) == 2


def test_family_writes_sends_and_sees_when_it_was_received(app, db, client, placed, make_user):
    family, _partner, coordinator, child, _court = placed
    run(app)
    report = db.session.scalar(select(CaregiverReport))
    sign_in(client, family)
    assert "Mia" in text_of(client.get("/court-reports/"))
    url = f"/court-reports/{report.id}"
    assert post_form(client, url, {"home": "Sleeping well.", "save": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CaregiverReport, report.id).status is ReportStatus.REQUESTED
    assert "Sleeping well." in client.get(url).get_data(as_text=True)
    # An empty report is refused beside the form, nothing sent.
    empty = dict.fromkeys(("home", "school", "health", "visits", "other"), "")
    refused = post_form(client, url, {**empty, "send": "1"})
    assert refused.status_code == 422 and "at least one part" in text_of(refused)
    db.session.expire_all()
    assert db.session.get(CaregiverReport, report.id).home == "Sleeping well."  # the refused request stored nothing
    sent = post_form(client, url, {"home": "Sleeping well.", "school": "Reading more.", "send": "1"})
    assert sent.status_code == 303
    db.session.expire_all()
    stored = db.session.get(CaregiverReport, report.id)
    assert stored.status is ReportStatus.SUBMITTED and stored.school == "Reading more."
    to_coordinator = outbox(db, "court_report_submitted")
    assert [(m.recipient, m.locale) for m in to_coordinator] == [(coordinator.email, "es")]
    # Not editable after sending.
    assert post_form(client, url, {"home": "Changed", "save": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CaregiverReport, report.id).home == "Sleeping well."

    staff = app.test_client()
    sign_in(staff, coordinator)
    assert "Mia" in text_of(staff.get("/court-reports/staff"))
    assert "Reading more." in text_of(staff.get(f"/court-reports/staff/{report.id}"))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "court_report_read", AuditEvent.child_id == child.id)) == 1
    assert post_form(staff, f"/court-reports/staff/{report.id}/receive").status_code == 303
    db.session.expire_all()
    stored = db.session.get(CaregiverReport, report.id)
    assert stored.status is ReportStatus.RECEIVED and stored.received_by_id == coordinator.id
    assert "Received on" in text_of(client.get("/court-reports/"))
    assert "received your report on" in text_of(client.get(url))
    assert {m.locale for m in outbox(db, "court_report_received")} == {"en", "es"}


def test_another_family_and_another_coordinator_get_404(app, db, client, placed, make_user):
    run(app)
    report = db.session.scalar(select(CaregiverReport))
    sign_in(client, make_user(Role.FAMILY))
    assert client.get(f"/court-reports/{report.id}").status_code == 404
    assert post_form(client, f"/court-reports/{report.id}", {"home": "x", "send": "1"}).status_code == 404
    assert "Mia" not in text_of(client.get("/court-reports/"))
    staff = app.test_client()
    sign_in(staff, make_user(Role.COORDINATOR))
    assert staff.get(f"/court-reports/staff/{report.id}").status_code == 404
    assert post_form(staff, f"/court-reports/staff/{report.id}/receive").status_code == 404
    assert "Mia" not in text_of(staff.get("/court-reports/staff"))
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert admin.get(f"/court-reports/staff/{report.id}").status_code == 200


def test_an_ended_placement_ends_access_at_once_and_withdraws_the_request(app, db, client, placed):
    family, _partner, _coordinator, child, _court = placed
    run(app)
    report = db.session.scalar(select(CaregiverReport))
    sign_in(client, family)
    assert client.get(f"/court-reports/{report.id}").status_code == 200
    end_placement(db, child.id)
    assert client.get(f"/court-reports/{report.id}").status_code == 404
    assert "Mia" not in text_of(client.get("/court-reports/"))
    assert run(app)["withdrawn"] == 1
    db.session.expire_all()
    assert db.session.get(CaregiverReport, report.id).status is ReportStatus.WITHDRAWN


def _many_reports(app, db, make_user, family, coordinator, count: int) -> None:
    for n in range(count):
        child = place_child(db, family.household_id, coordinator.id, first_name=f"Kid{n}")
        hearing(db, child.id)
    run(app)


@pytest.mark.parametrize("who", ["family", "coordinator"])
def test_the_lists_are_bounded_in_statements(app, db, client, make_user, count_queries, who):
    family = make_user(Role.FAMILY)
    coordinator = make_user(Role.COORDINATOR)
    person = family if who == "family" else coordinator
    url = "/court-reports/" if who == "family" else "/court-reports/staff"
    sign_in(client, person)
    counts = []
    for size in (2, 7):
        _many_reports(app, db, make_user, family, coordinator, size - ((counts and 2) or 0))
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(counter.count)
    assert db.session.scalar(select(func.count()).select_from(CaregiverReport)) == 7
    assert counts[0] == counts[1]
