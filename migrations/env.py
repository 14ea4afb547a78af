"""Alembic environment: the schema is Base.metadata; the URL is given by portal/migrations.py or DATABASE_URL."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import inspect

from licensing.application import models as _application_models  # noqa: F401  (registers the tables on Base.metadata)
from licensing.recruitment import models as _recruitment_models  # noqa: F401
from licensing.tracker import models as _tracker_models  # noqa: F401
from portal import models  # noqa: F401
from portal import settings as _settings  # noqa: F401
from portal.children import models as _children_models  # noqa: F401
from portal.config import INSTANCE
from portal.court_reports import models as _court_report_models  # noqa: F401
from portal.data_versions import new_tokens
from portal.database import Base, UTCDateTime, make_engine
from portal.messaging import models as _messaging_models  # noqa: F401
from portal.mileage import models as _mileage_models  # noqa: F401
from training.catalog import models as _catalog_models  # noqa: F401
from training.groups import models as _groups_models  # noqa: F401
from training.hours import models as _hours_models  # noqa: F401
from training.payments import models as _payments_models  # noqa: F401

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}")


def render_item(type_, obj, autogen_context):
    # Migrations stay independent of portal code: UTCDateTime is a plain timezone-aware DATETIME in the schema.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # tests hand over a connection (e.g. one bound to a PostgreSQL schema)
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite (../shared/STACK.md). A batch rebuilds a table (copy, drop, rename):
    # SQLite's own procedure for that turns foreign keys off first, or dropping a table that other rows name fails
    # (the portal's engine turns them on for every connection). Off for the run, then every reference is checked.
    own_sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if own_sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, render_item=render_item)
    try:
        with context.begin_transaction():
            context.run_migrations()
            if inspect(connection).has_table("data_version"):
                new_tokens(connection)  # what a migration changed, no remembered summary may hide
            if own_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows naming missing rows: {broken[:5]}")
    finally:
        if own_sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection, pragma: str) -> None:
    # On the driver's connection, outside any transaction (inside one SQLite ignores it).
    connection.connection.dbapi_connection.execute(pragma)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
