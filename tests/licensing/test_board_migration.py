"""Migration b15e0003 puts every household with an application on the pipeline board: a lead made from its account,
or the lead with the account's email linked; a household that has a lead already keeps it alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, inspect, text

from tests.licensing.test_invited_at_migration import migrate
from tests.support import migration_database

BEFORE, THIS = "b15e0002", "b15e0003"


def _insert(connection, table: str, **values) -> None:
    connection.execute(Table(table, MetaData(), autoload_with=connection).insert().values(**values))


def _defaults(connection, table: str, given: dict) -> dict:
    """Every NOT NULL column without a default gets a plain value, so the test names only what matters."""
    filled = dict(given)
    for column in inspect(connection).get_columns(table):
        if column["name"] in filled or column["nullable"] or column.get("default") is not None \
                or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        filled[column["name"]] = (datetime(2026, 11, 1, tzinfo=UTC) if "DATE" in kind or "TIME" in kind
                                  else 0 if "INT" in kind or "BOOL" in kind else "x")
    return filled


def test_applications_without_a_lead_get_one(database_url, tmp_path):
    with (migration_database(database_url, "board_migration", tmp_path) as (engine, url),
          engine.begin() as connection):
        migrate(connection, url, BEFORE)
        for household_id in (1, 2, 3):
            _insert(connection, "household", **_defaults(connection, "household",
                                                         {"id": household_id, "name": f"H{household_id}"}))
        for user_id, email, name, household_id in [(1, "self@example.com", "Sam Self", 1),
                                                   (2, "asked@example.com", "Ann Asked", 2),
                                                   (3, "led@example.com", "Lee Led", 3)]:
            _insert(connection, "user_account", **_defaults(connection, "user_account", {
                "id": user_id, "email": email, "full_name": name, "role": "applicant", "preferred_locale": "es",
                "household_id": household_id, "is_active": True, "session_token": f"t{user_id}"}))
        lead = {"first_name": "A", "last_name": "B", "phone": "", "preferred_locale": "en", "county": "",
                "zip_code": "", "source": "event", "interest": "foster", "status": "new", "link_nonce": "n",
                "created_at": datetime(2026, 11, 1, tzinfo=UTC)}
        # Household 2's person asked first, without linking; household 3's lead is linked already.
        _insert(connection, "lead", **_defaults(connection, "lead", {**lead, "id": 10,
                                                                     "email": "asked@example.com"}))
        _insert(connection, "lead", **_defaults(connection, "lead", {**lead, "id": 11, "email": "led@example.com",
                                                                     "household_id": 3}))
        for application_id, household_id in [(1, 1), (2, 2), (3, 3)]:
            _insert(connection, "application", **_defaults(connection, "application", {
                "id": application_id, "household_id": household_id, "status": "in_progress",
                "created_at": datetime(2026, 11, 2, tzinfo=UTC)}))
        migrate(connection, url, THIS)
        leads = connection.execute(text("SELECT email, first_name, last_name, source, status, household_id, "
                                        "preferred_locale FROM lead ORDER BY email")).all()
        assert [tuple(row) for row in leads] == [
            ("asked@example.com", "A", "B", "event", "new", 2, "en"),
            ("led@example.com", "A", "B", "event", "new", 3, "en"),
            ("self@example.com", "Sam", "Self", "other", "applying", 1, "es"),
        ]
        linked = dict(connection.execute(text("SELECT id, lead_id FROM application")).all())
        assert linked[2] == 10 and linked[1] is not None
        migrate(connection, url, BEFORE, down=True)
