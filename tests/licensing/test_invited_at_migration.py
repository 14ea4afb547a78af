"""The migration that adds `lead.invited_at` fills it for leads invited before, from the event log."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from portal.database import Base, make_engine
from portal.migrations import alembic_config
from tests.support import drop_isolated_schema, isolated_database_url

BEFORE, THIS = "a10e5a1f0003", "a10e5a1f0004"


def migrate(connection, url: str, revision: str, down: bool = False) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    config.attributes["skip_logging"] = True
    (command.downgrade if down else command.upgrade)(config, revision)


def test_leads_invited_before_get_the_date_of_their_first_invitation(database_url, tmp_path):
    url = isolated_database_url(database_url, "invited_at_migration", tmp_path)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        with engine.begin() as connection:
            migrate(connection, url, BEFORE)
            for lead_id, email in [(1, "invited@example.com"), (2, "never@example.com")]:
                connection.execute(
                    text(
                        "INSERT INTO lead (id, first_name, last_name, email, phone, preferred_locale, county, "
                        "zip_code, source, interest, status, created_at, link_nonce) VALUES (:id, 'A', 'B', :email, "
                        "'', 'en', '', '', 'event', 'foster', 'invited', :at, 'n')"
                    ),
                    {"id": lead_id, "email": email, "at": datetime(2026, 11, 1, tzinfo=UTC)},
                )
            for day in (5, 3):  # invited twice before the button went away: the first one counts
                connection.execute(
                    text(
                        "INSERT INTO audit_event (occurred_at, action, target_type, target_id, reason, details) "
                        "VALUES (:at, 'invited_to_apply', 'Lead', 1, '', '{}')"
                    ),
                    {"at": datetime(2026, 11, day, 17, tzinfo=UTC)},
                )
            migrate(connection, url, THIS)
            rows = dict(connection.execute(text("SELECT id, invited_at FROM lead ORDER BY id")).all())
            assert rows[2] is None
            first = rows[1] if isinstance(rows[1], datetime) else datetime.fromisoformat(str(rows[1]))
            assert first.replace(tzinfo=UTC) == datetime(2026, 11, 3, 17, tzinfo=UTC)
            migrate(connection, url, BEFORE, down=True)
            assert "invited_at" not in {column["name"] for column in inspect(connection).get_columns("lead")}
    finally:
        engine.dispose()
        drop_isolated_schema(database_url, "invited_at_migration")
