"""The recruitment workspace's migrations on a database with families in it: a lead that an inquiry and an
application name is rebuilt on SQLite without tripping the foreign keys, its last activity and stage-since come from
the event log, and the way back works too (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from portal.migrations import alembic_config
from tests.support import migration_database

BEFORE = "b15e0001"


def as_utc(value) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_the_workspace_migrations_keep_families_and_go_back(database_url, tmp_path):
    with migration_database(database_url, "workspace_migration", tmp_path) as (engine, url):
        config = alembic_config(url)  # no connection handed over: env.py makes its own, as `flask upgrade-db` does
        config.attributes["skip_logging"] = True
        command.upgrade(config, BEFORE)
        asked, applied, saved = (datetime(2026, 10, 1, 9, tzinfo=UTC), datetime(2026, 10, 20, 9, tzinfo=UTC),
                                 datetime(2026, 11, 5, 9, tzinfo=UTC))
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO household (id, name, created_at) VALUES (1, 'Vega', :at)"),
                               {"at": asked})
            connection.execute(text(
                "INSERT INTO lead (id, first_name, last_name, email, phone, preferred_locale, county, zip_code, "
                "source, interest, status, created_at, link_nonce, household_id) VALUES (1, 'Rosa', 'Vega', "
                "'rosa@example.com', '', 'es', '', '', 'event', 'foster', 'applying', :at, 'n', 1)"), {"at": asked})
            connection.execute(text(
                "INSERT INTO lead_inquiry (lead_id, created_at, interest, source, questions) "
                "VALUES (1, :at, 'foster', 'event', '')"), {"at": asked})
            connection.execute(text(
                "INSERT INTO application (id, household_id, lead_id, status, created_at) "
                "VALUES (1, 1, 1, 'submitted', :at)"), {"at": applied})
            for action, target_type, target_id, household_id, to_status, at in [
                ("status_changed", "Lead", 1, None, "applying", applied),
                ("status_changed", "Application", 1, 1, "submitted", saved),
                ("document_added", "ApplicationDocument", 7, 1, None, datetime(2026, 11, 9, 9, tzinfo=UTC)),
            ]:
                connection.execute(text(
                    "INSERT INTO audit_event (occurred_at, action, target_type, target_id, household_id, "
                    "to_status, reason, details) VALUES (:at, :action, :tt, :tid, :hid, :to, '', '{}')"),
                    {"at": at, "action": action, "tt": target_type, "tid": target_id, "hid": household_id,
                     "to": to_status})
        command.upgrade(config, "head")
        with engine.connect() as connection:
            changed, active = connection.execute(text(
                "SELECT status_changed_at, last_activity_at FROM lead WHERE id = 1")).one()
            assert as_utc(changed) == saved  # the application's move counts as a stage change
            assert as_utc(active) == datetime(2026, 11, 9, 9, tzinfo=UTC)  # anything about the household counts
            assert connection.execute(text("SELECT count(*) FROM lead_inquiry")).scalar() == 1
        command.downgrade(config, BEFORE)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM lead")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM application")).scalar() == 1
        command.upgrade(config, "head")
