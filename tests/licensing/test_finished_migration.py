"""Migration b16e0021 works every lead's `finished` flag out from the statuses already there (licensed or closed, as
the stage says), on SQLite and PostgreSQL, and goes back down."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import MetaData, text

from licensing.application.models import ApplicationStatus
from licensing.pipeline.stages import CLOSING_APPLICATION, CLOSING_LICENSE, LICENSED_LICENSE
from licensing.recruitment.models import LeadStatus
from licensing.tracker.models import LicenseStatus
from tests.licensing.test_board_migration import _defaults
from tests.licensing.test_invited_at_migration import migrate
from tests.support import migration_database

BEFORE, THIS = "b16e0020", "b16e0021"


def _expected(lead_status, application_status, license_status) -> bool:
    """The stage's rule, spelled out independently of the migration's SQL."""
    return (lead_status is LeadStatus.CLOSED or application_status in CLOSING_APPLICATION
            or license_status in CLOSING_LICENSE + LICENSED_LICENSE)


def test_every_lead_gets_the_flag_its_statuses_say(database_url, tmp_path):
    combinations = [(lead_status, None, None) for lead_status in LeadStatus] + list(itertools.product(
        LeadStatus, ApplicationStatus, [None, *LicenseStatus]))
    with (migration_database(database_url, "finished_migration", tmp_path) as (engine, url),
          engine.begin() as connection):
        migrate(connection, url, BEFORE)
        # Each table read from the database once (reading it for every row was most of the test's time).
        tables = MetaData()
        tables.reflect(connection, only=["user_account", "household", "application", "license", "lead"])
        filled = {name: _defaults(connection, name, {}) for name in tables.tables}

        def _insert(table: str, **values) -> None:
            connection.execute(tables.tables[table].insert().values(**{**filled[table], **values}))

        _insert("user_account", id=1, email="admin@example.com", full_name="Ada Admin", role="admin",
                preferred_locale="en", is_active=True, session_token="t1")
        for number, (lead_status, application_status, license_status) in enumerate(combinations, start=1):
            household_id = None
            if application_status is not None:
                household_id = number
                _insert("household", id=number, name=f"H{number}")
                _insert("application", id=number, household_id=number, status=application_status.value,
                        created_at=datetime(2026, 11, 2, tzinfo=UTC))
                if license_status is not None:
                    _insert("license", id=number, application_id=number, household_id=number,
                            number=f"L-{number}", type="foster", status=license_status.value,
                            effective_on=date(2026, 1, 1), expires_on=date(2028, 1, 1), issued_by_id=1)
            _insert("lead", id=number, first_name="A", last_name="B", email=f"family{number}@example.com",
                    phone="", preferred_locale="en", county="", zip_code="", source="event", interest="foster",
                    status=lead_status.value, link_nonce="n", household_id=household_id,
                    created_at=datetime(2026, 11, 1, tzinfo=UTC))
        migrate(connection, url, THIS)
        flags = dict(connection.execute(text("SELECT id, finished FROM lead")).all())
        expected = {number: _expected(*combination) for number, combination in enumerate(combinations, start=1)}
        assert {number: bool(flag) for number, flag in flags.items()} == expected
        assert set(expected.values()) == {True, False}
        migrate(connection, url, BEFORE, down=True)
        assert "finished" not in set(connection.execute(text("SELECT * FROM lead LIMIT 1")).keys())
