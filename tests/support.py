"""Helpers shared by fixtures: which database the tests use, and separate PostgreSQL schemas for live servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def database_url_for_tests(sqlite_path: Path) -> str:
    """DATABASE_URL when it is set (PostgreSQL in CI), else a throw-away SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"


# Two suite runs at once against one PostgreSQL database (a developer's and CI's, or two CI jobs) must not drop
# each other's schemas: every schema name carries this run's process id, and is dropped at the end of its fixture.
RUN_SUFFIX = f"_{os.getpid()}"


def isolated_schema_name(name: str) -> str:
    """The PostgreSQL schema `name` gets in this run (`name` + `_` + this process's id)."""
    return name + RUN_SUFFIX


def isolated_database_url(base_url: str, name: str, sqlite_dir: Path) -> str:
    """A database separate from the one the transactional tests use, for a live server that really commits.

    SQLite: another file (`name`.sqlite3 in `sqlite_dir`). PostgreSQL: a schema of this run's own in the same
    database (isolated_schema_name: dropped and recreated).
    """
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{sqlite_dir / (name + '.sqlite3')}"
    schema = isolated_schema_name(name)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def drop_isolated_schema(base_url: str, name: str) -> None:
    """Drop this run's schema `name` (the one isolated_database_url made); nothing on SQLite."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{isolated_schema_name(name)}" CASCADE'))
    engine.dispose()


@contextmanager
def migration_database(base_url: str, name: str, sqlite_dir: Path) -> Iterator[tuple]:
    """(engine, url) of an empty database of the test's own, no table and no alembic_version, for a migration test
    to upgrade step by step; disposed of and dropped afterwards (isolated_database_url)."""
    from portal.database import Base, make_engine

    url = isolated_database_url(base_url, name, sqlite_dir)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        yield engine, url
    finally:
        engine.dispose()
        drop_isolated_schema(base_url, name)


def agency_today():
    """Today where the agency is (the portal's domain dates use it, not the server's clock)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from portal.config import from_environment

    return datetime.now(ZoneInfo(from_environment()["PORTAL_TIMEZONE"])).date()


def days_ahead(days: int, time: str = "10:00") -> str:
    """A date and time `days` from today at the agency, as a datetime-local field sends it ("2026-12-09T10:00")."""
    from datetime import timedelta

    return f"{(agency_today() + timedelta(days=days)).isoformat()}T{time}"


# -- Signing in ---------------------------------------------------------------------------------------------------

# Staff made by the `make_user` factory have this authenticator secret (the demo's accounts have portal.two_step's).
TEST_TOTP_SECRET = "TESTSTAFFAUTHENTICATORSECRETAAAA"


def code_for(app, user_id: int, secret: str = TEST_TOTP_SECRET) -> str:
    """The authenticator code a person's app shows now. Tests sign the same person in many times a minute, and a
    code works once: the last step used is forgotten first, as if the previous sign-in were a minute ago."""
    import pyotp
    from sqlalchemy import update

    from portal.extensions import db
    from portal.models import User

    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(totp_last_step=None))
        db.session.commit()
    return pyotp.TOTP(secret).now()


def start_session_key(session, user, second_step: str | None = None) -> str:
    """A signed-in session for `user` as /login leaves it (without an Argon2 check per case): the cookie's key."""
    import hashlib
    import secrets

    from portal.models import SignedInSession

    key = secrets.token_urlsafe(32)
    session.add(SignedInSession(
        user_id=user.id, key_hash=hashlib.sha256(key.encode()).hexdigest(),
        device_hash=hashlib.sha256(b"test-device").hexdigest(),
        second_step=second_step if second_step is not None else ("totp" if user.is_staff else ""),
        user_agent="", ip_address="127.0.0.1"))
    session.commit()
    return key


def db_session_of(client):
    """A session on the connection the test's requests use (the test's outer transaction)."""
    from sqlalchemy.orm import Session

    return Session(bind=client.application.extensions["database"].bind, join_transaction_mode="create_savepoint",
                   expire_on_commit=False)
