"""The migration that adds `lead.invited_at` fills it for leads invited before, from the event log, and sets the
first contact again from the logged contacts only (attendance and invitations had set it)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from portal.migrations import alembic_config
from tests.support import migration_database

BEFORE, THIS = "a10e5a1f0003", "a10e5a1f0004"


def migrate(connection, url: str, revision: str, down: bool = False) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    config.attributes["skip_logging"] = True
    (command.downgrade if down else command.upgrade)(config, revision)


def as_utc(value) -> datetime:
    """A stored time as SQLite (text) or PostgreSQL (aware datetime) gives it back."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_leads_invited_before_get_the_date_of_their_first_invitation(database_url, tmp_path):
    with (migration_database(database_url, "invited_at_migration", tmp_path) as (engine, url),
          engine.begin() as connection):
        migrate(connection, url, BEFORE)
        # Lead 1 got its first contact set by its invitation (the 3rd), lead 2 by its attendance (the 2nd);
        # only lead 3 was marked as contacted (twice: the 4th counts).
        wrong = datetime(2026, 11, 2, 9, tzinfo=UTC)
        for lead_id, email in [(1, "invited@example.com"), (2, "never@example.com"), (3, "called@example.com")]:
            connection.execute(
                text(
                    "INSERT INTO lead (id, first_name, last_name, email, phone, preferred_locale, county, "
                    "zip_code, source, interest, status, created_at, first_contact_at, link_nonce) VALUES "
                    "(:id, 'A', 'B', :email, '', 'en', '', '', 'event', 'foster', 'invited', :at, :wrong, 'n')"
                ),
                {"id": lead_id, "email": email, "at": datetime(2026, 11, 1, tzinfo=UTC), "wrong": wrong},
            )
        events = [
            ("attended_session", "Lead", 2, 2),
            ("lead_contacted", "Lead", 3, 6),
            ("lead_contacted", "Lead", 3, 4),
            ("lead_contacted", "InfoSession", 1, 1),  # another record's event with the same id: not lead 1's
        ]
        for action, target_type, target_id, day in events:
            connection.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, action, target_type, target_id, reason, details) "
                    "VALUES (:at, :action, :target_type, :target_id, '', '{}')"
                ),
                {
                    "at": datetime(2026, 11, day, 17, tzinfo=UTC),
                    "action": action,
                    "target_type": target_type,
                    "target_id": target_id,
                },
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
        assert rows[2] is None and rows[3] is None
        assert as_utc(rows[1]) == datetime(2026, 11, 3, 17, tzinfo=UTC)
        contacts = dict(connection.execute(text("SELECT id, first_contact_at FROM lead ORDER BY id")).all())
        assert contacts[1] is None and contacts[2] is None  # never contacted: the invitation and the session
        assert as_utc(contacts[3]) == datetime(2026, 11, 4, 17, tzinfo=UTC)  # the first logged contact
        migrate(connection, url, BEFORE, down=True)
        assert "invited_at" not in {column["name"] for column in inspect(connection).get_columns("lead")}
