"""Agency settings (portal/settings.py): typed getters with defaults, one admin page, every change in the log."""

from __future__ import annotations

from sqlalchemy import select

from portal import settings
from portal.extensions import db as portal_db
from portal.models import AuditEvent, Role
from portal.settings import AgencySetting
from tests.conftest import post_form, sign_in

FORM = {"mileage_rate_cents": "70", "court_report_due_days": "7", "court_report_reminder_days": "3"}


def test_defaults_and_bad_stored_values_fall_back(app, db):
    with app.app_context():
        assert (settings.mileage_rate_cents(), settings.court_report_due_days(),
                settings.court_report_reminder_days()) == (70, 7, 3)
        portal_db.session.add_all([AgencySetting(key="mileage_rate_cents", value="not a number"),
                                   AgencySetting(key="court_report_due_days", value="9999")])
        portal_db.session.flush()
        assert settings.mileage_rate_cents() == 70 and settings.court_report_due_days() == 7
        portal_db.session.rollback()


def test_admin_changes_the_rate_and_it_is_recorded(app, db, client, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    assert "Mileage rate" in client.get("/admin/settings").get_data(as_text=True)
    assert post_form(client, "/admin/settings", {**FORM, "mileage_rate_cents": "67"}).status_code == 303
    assert db.session.get(AgencySetting, "mileage_rate_cents").value == "67"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency_setting_changed"))
    assert event.actor_id == admin.id and event.details == {"setting": "mileage_rate_cents", "old": 70, "new": 67}
    # Saving the same values again changes nothing and records nothing.
    assert post_form(client, "/admin/settings", {**FORM, "mileage_rate_cents": "67"}).status_code == 303
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agency_setting_changed")).all()) == 1


def test_out_of_range_values_are_refused_and_kept(app, db, client, make_user):
    sign_in(client, make_user(Role.ADMIN))
    for value in ("-1", "501", "abc", "9" * 40, ""):
        response = post_form(client, "/admin/settings", {**FORM, "mileage_rate_cents": value})
        assert response.status_code == 422, value
        assert f'value="{value}"' in response.get_data(as_text=True)
    assert db.session.get(AgencySetting, "mileage_rate_cents") is None


def test_only_admins(app, db, client, make_user):
    sign_in(client, make_user(Role.COORDINATOR))
    assert client.get("/admin/settings").status_code == 403
