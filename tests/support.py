"""Helpers shared by fixtures: which database the tests use, and separate PostgreSQL schemas for live servers."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def database_url_for_tests(sqlite_path: Path) -> str:
    """DATABASE_URL when it is set (PostgreSQL in CI), else a throw-away SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"


def isolated_database_url(base_url: str, name: str, sqlite_dir: Path) -> str:
    """A database separate from the one the transactional tests use, for a live server that really commits.

    SQLite: another file. PostgreSQL: a schema of its own in the same database (dropped and recreated).
    """
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{sqlite_dir / (name + '.sqlite3')}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)


def drop_isolated_schema(base_url: str, name: str) -> None:
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


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
