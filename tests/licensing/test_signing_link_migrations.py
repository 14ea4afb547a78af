"""The migrations of signing by link fill existing rows: a co-applicant's language (a10e5a1f0001) is that of the
household's account with their email, else the primary applicant's account's; the primary applicant's account
(a10e5a1f0005) is the household's account with the primary's email."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect, text

from portal.migrations import alembic_config
from tests.support import migration_database

BEFORE_LINKS, LINKS, BEFORE_ACCOUNT, ACCOUNT = "9d8e7f6a5b4c", "a10e5a1f0001", "a10e5a1f0004", "a10e5a1f0005"
AT = datetime(2026, 11, 1, tzinfo=UTC)


def migrate(connection, url: str, revision: str, down: bool = False) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    config.attributes["skip_logging"] = True
    (command.downgrade if down else command.upgrade)(config, revision)


def _account(connection, account_id: int, email: str, locale: str, household_id: int) -> None:
    connection.execute(
        text(
            "INSERT INTO user_account (id, email, full_name, role, preferred_locale, session_token, is_active, "
            "household_id, created_at) VALUES (:id, :email, 'Someone', 'family', :locale, :token, :active, :household, "
            ":at)"
        ),
        {
            "id": account_id,
            "email": email,
            "locale": locale,
            "token": f"t{account_id}",
            "active": True,
            "household": household_id,
            "at": AT,
        },
    )


def _member(connection, member_id: int, application_id: int, role: str, email: str) -> None:
    connection.execute(
        text(
            "INSERT INTO household_member (id, application_id, position, role, first_name, last_name, birth_date, "
            "relationship_to_applicant, email, phone, preferred_locale, link_nonce, own_part) VALUES (:id, "
            ":application, 0, :role, 'A', 'B', :born, '', :email, '', 'en', :nonce, '{}')"
        ),
        {
            "id": member_id,
            "application": application_id,
            "role": role,
            "born": date(1985, 1, 1),
            "email": email,
            "nonce": f"n{member_id}",
        },
    )


def test_existing_co_applicants_and_primaries_are_filled_in(database_url, tmp_path):
    with (migration_database(database_url, "signing_link_migrations", tmp_path) as (engine, url),
          engine.begin() as connection):
        migrate(connection, url, BEFORE_LINKS)
        for household_id in (1, 2):
            connection.execute(
                text("INSERT INTO household (id, name, created_at) VALUES (:id, 'H', :at)"),
                {"id": household_id, "at": AT},
            )
            connection.execute(
                text(
                    "INSERT INTO application (id, household_id, status, created_at) "
                    "VALUES (:id, :id, 'in_progress', :at)"
                ),
                {"id": household_id, "at": AT},
            )
        # Household 1: the first account and the primary's (Ana) are English, Luis has his own account in
        # Spanish; household 2: José has no account, the primary's (María) is Spanish, the first one English.
        _account(connection, 1, "first@example.com", "en", 1)
        _account(connection, 2, "ana@example.com", "en", 1)
        _account(connection, 3, "Luis@Example.com", "es", 1)
        _account(connection, 4, "first2@example.com", "en", 2)
        _account(connection, 5, "maria@example.com", "es", 2)
        _member(connection, 11, 1, "primary", "ana@example.com")
        _member(connection, 12, 1, "co_applicant", "luis@example.com")
        _member(connection, 21, 2, "primary", "maria@example.com")
        _member(connection, 22, 2, "co_applicant", "jose@example.com")
        migrate(connection, url, LINKS)
        locales = dict(connection.execute(text("SELECT id, preferred_locale FROM household_member")).all())
        assert locales[12] == "es"  # his own account's
        assert locales[22] == "es"  # the primary's account's, not the household's first ("en")
        migrate(connection, url, ACCOUNT)
        accounts = dict(connection.execute(text("SELECT id, user_id FROM household_member")).all())
        assert accounts == {11: 2, 12: None, 21: 5, 22: None}
        migrate(connection, url, BEFORE_ACCOUNT, down=True)
        columns = {column["name"] for column in inspect(connection).get_columns("household_member")}
        assert "user_id" not in columns and "signature_link_failures" not in columns
