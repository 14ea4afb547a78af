"""SQLAlchemy 2.x without Flask-SQLAlchemy.

Why plain SQLAlchemy: Flask-SQLAlchemy is barely maintained (../shared/STACK.md) and we want full control of the
session for "one transaction per request" and for test isolation. Alembic is used directly (migrations/).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask.globals import app_ctx
from sqlalchemy import Connection, DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

from portal.folding import register_sqlite_fold

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def now_utc() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC, always gives back an aware datetime (SQLite otherwise returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enable_sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _let_sqlalchemy_begin_sqlite_transactions(engine: Engine) -> None:
    """pysqlite opens transactions on its own, only before DML: a SAVEPOINT (`begin_nested`, used where a unique
    row may already exist) issued first would then be the outermost transaction, and releasing it would commit the
    request's work half-way. SQLAlchemy's documented recipe: pysqlite stays out of it, SQLAlchemy emits BEGIN.

    A request that changes something begins IMMEDIATE (takes the write lock first, waiting up to the driver's
    timeout): two such requests that read, then write would otherwise deadlock, and SQLite answers one of them
    "database is locked" at once (a 500 for a double-tapped "Sign"). A job that writes does the same
    (`begin_writes_immediately`: two copies of a cron job at once). PostgreSQL needs none of this."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        writes = (has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")) or (
            has_app_context() and g.get("begin_writes_immediately", False))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def make_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _enable_sqlite_foreign_keys(engine)
        _let_sqlalchemy_begin_sqlite_transactions(engine)
        # Searches fold case and accents through portal_fold (portal/folding.py): SQLite's lower() is ASCII only.
        event.listen(engine, "connect", lambda dbapi_connection, _record: register_sqlite_fold(dbapi_connection))
    return engine


@dataclass
class DatabaseState:
    """Per-app database wiring. Tests replace `bind` with a connection held in an outer transaction."""

    engine: Engine
    bind: Engine | Connection
    session_options: dict = field(default_factory=dict)


class Database:
    """A session scoped to the Flask application context, bound to the current app's engine."""

    def __init__(self) -> None:
        # One session per application context (i.e. per request or per CLI command).
        self.session: scoped_session[Session] = scoped_session(self._new_session, scopefunc=_app_context_id)

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        options: dict = {}
        if url.startswith("postgresql"):
            options["pool_pre_ping"] = True
        engine = make_engine(url, **options)
        app.extensions["database"] = DatabaseState(engine=engine, bind=engine)

        app.after_request(self.finish_unit_of_work)

        @app.teardown_appcontext
        def _remove_session(_exc):
            self.session.remove()  # anything not committed by now is rolled back

    @staticmethod
    def state() -> DatabaseState:
        return current_app.extensions["database"]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    def _new_session(self) -> Session:
        state = self.state()
        return Session(bind=state.bind, expire_on_commit=False, **state.session_options)

    def commit(self) -> None:
        """Commit the one transaction, then run what waited for it (e.g. sending queued mail).

        Only the request's unit of work (below) and `unit_of_work()` call this: views and services never commit."""
        try:
            self.session.commit()
        except BaseException:
            # The COMMIT itself failed (a connection cut mid-COMMIT, say): the server may have committed, so the
            # rollback that follows must not delete the files the rows may now name. Files left unnamed are
            # removed later by `flask remove-orphan-files`, which deletes only files no row names.
            g.pop("after_rollback", None)
            raise
        g.pop("after_rollback", None)  # e.g. the files the transaction stored: its rows now name them
        for callback in g.pop("after_commit", []):
            try:
                callback()
            except Exception:
                # The work is committed: what follows it (mail sent inline, a "last seen") must not turn the answer
                # into an error. Queued mail stays in the outbox for `send-mail`.
                logging.getLogger("portal.database").exception("after the commit: %r failed", callback)
                try:
                    self.session.rollback()
                except SQLAlchemyError:
                    self.session.close()

    def rollback(self) -> None:
        self.session.rollback()
        g.pop("after_commit", None)  # mail queued in a rolled-back transaction was never written
        for callback in g.pop("after_rollback", []):
            callback()

    def finish_unit_of_work(self, response: Response) -> Response:
        """The one commit point of a request (after the view, before the answer leaves), in the style of Indico's
        request handler: commit after a successful view; roll back on any exception (Flask answers 500 and comes
        here with it), on any 4xx answer unless the view kept its writes (keep_on_refusal), and always when the CSRF
        check failed (portal/errors.py), whatever the view did."""
        refused = response.status_code >= 400
        kept = g.get("keep_on_refusal", False) and response.status_code < 500
        if g.get("csrf_failed") or (refused and not kept):
            self.rollback()
        else:
            self.commit()
        return response

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """For commands and jobs outside a request: commit once at the end, roll back on any error."""
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()


def keep_on_refusal() -> None:
    """This request's writes are kept even though it answers 4xx: what was typed into a form that did not validate
    (a draft), or the record of a failed sign-in. A failed CSRF check still stores nothing."""
    g.keep_on_refusal = True


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class begin_writes_immediately:  # lower case: called like the function it was
    """This application context's transactions write: on SQLite they take the write lock at BEGIN, as a POST's do,
    so two jobs at once wait for each other instead of one failing "database is locked".

    Best as a context manager (`with begin_writes_immediately():`): the previous setting comes back at its end, so
    what runs after it in the same context (a request's reads after inline mail delivery) does not take the write
    lock. Called bare, it lasts for the rest of the application context (a cron command's whole run)."""

    def __init__(self) -> None:
        self._previous = g.get("begin_writes_immediately", False)
        g.begin_writes_immediately = True

    def __enter__(self) -> begin_writes_immediately:
        return self

    def __exit__(self, *_exc) -> None:
        g.begin_writes_immediately = self._previous


def call_after_commit(callback) -> None:
    """Run `callback` once the current request's transaction has committed (e.g. to send queued mail)."""
    g.setdefault("after_commit", []).append(callback)


def call_after_rollback(callback) -> None:
    """Run `callback` if the current transaction is rolled back (e.g. delete a file stored for a row that is now
    not written); forgotten once it commits. Callbacks must not raise."""
    g.setdefault("after_rollback", []).append(callback)
