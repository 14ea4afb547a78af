"""Migration b15e0004 gives every existing lead its first-contact deadline, the same instant the portal computes for
a new one (portal/clock.py::first_contact_due), on SQLite and PostgreSQL alike (computed in Python, no SQL calendar)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from portal.clock import first_contact_due
from tests.licensing.test_board_migration import _defaults, _insert
from tests.licensing.test_invited_at_migration import as_utc, migrate
from tests.support import migration_database

BEFORE, THIS = "b15e0003", "b15e0004"


def test_existing_leads_get_their_deadline(app, database_url, tmp_path):
    arrivals = {1: datetime(2026, 11, 28, 2, tzinfo=UTC),  # Friday 6 p.m. in Los Angeles: due Monday 6 p.m.
                2: datetime(2026, 11, 24, 17, tzinfo=UTC),  # Tuesday 9 a.m.: Wednesday 9 a.m.
                3: datetime(2025, 10, 31, 16, tzinfo=UTC)}  # Friday 9 a.m. PDT, before the clock change
    with (migration_database(database_url, "first_contact_due_migration", tmp_path) as (engine, url),
          engine.begin() as connection):
        migrate(connection, url, BEFORE)
        for lead_id, arrived in arrivals.items():
            _insert(connection, "lead", **_defaults(connection, "lead", {
                "id": lead_id, "first_name": "A", "last_name": "B", "email": f"l{lead_id}@example.com",
                "phone": "", "preferred_locale": "en", "county": "", "zip_code": "", "source": "search",
                "interest": "foster", "status": "new", "link_nonce": "n", "created_at": arrived}))
        migrate(connection, url, THIS)
        due = {lead_id: as_utc(value) for lead_id, value in
               connection.execute(text("SELECT id, first_contact_due_at FROM lead")).all()}
        with app.app_context():
            assert due == {lead_id: first_contact_due(arrived) for lead_id, arrived in arrivals.items()}
        assert due[1] == datetime(2026, 12, 1, 2, tzinfo=UTC)
        assert due[3] == datetime(2025, 11, 3, 17, tzinfo=UTC)
        migrate(connection, url, BEFORE, down=True)
