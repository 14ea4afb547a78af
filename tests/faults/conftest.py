"""Fixtures of the fault tests: an app on a database of its own that really commits (SQLite file, or a PostgreSQL
schema of its own when DATABASE_URL names PostgreSQL) and can be made to go away (tests/faults/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app import create_app
from portal.database import now_utc
from portal.models import Household, Role, User
from tests.conftest import _TEST_PASSWORD_HASH, build_schema, config_for_tests
from tests.faults.support import PostgresOutage, SQLiteOutage
from tests.support import drop_isolated_schema, isolated_database_url, start_session_key


@pytest.fixture(scope="module")
def outage(database_url, tmp_path_factory) -> Iterator[PostgresOutage | SQLiteOutage]:
    """A database of the module's own, built from the migrations, that the app reaches in a way the test can cut
    (tests leave rows behind: each uses addresses of its own)."""
    schema = "faults_outage"
    tmp_path = tmp_path_factory.mktemp(schema)
    url = isolated_database_url(database_url, schema, tmp_path)
    build_schema(url).dispose()
    fault = PostgresOutage(url) if url.startswith("postgresql") else SQLiteOutage(tmp_path / f"{schema}.sqlite3")
    try:
        yield fault
    finally:
        fault.close()
        drop_isolated_schema(database_url, schema)


@pytest.fixture
def outage_app(outage) -> Iterator[Flask]:
    # PROPAGATE_EXCEPTIONS off: a failing commit (in after_request) reaches the error handlers as in production,
    # instead of being raised into the test as TESTING would.
    app = create_app(config_for_tests(outage.app_url, PROPAGATE_EXCEPTIONS=False))
    try:
        yield app
    finally:
        outage.up()  # whatever the test did
        app.extensions["database"].engine.dispose()


def add_family(app: Flask, *, locale: str = "en", email: str = "family@example.com") -> User:
    """A confirmed family account, committed (through the app's own engine: the database must be up)."""
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        user = User(email=email, full_name="Ana Torres", role=Role.FAMILY, preferred_locale=locale,
                    password_hash=_TEST_PASSWORD_HASH, email_confirmed_at=now_utc(), household=Household(name="Torres"))
        session.add(user)
        session.commit()
        return user


def signed_in_client(app: Flask, user: User):
    """A test client whose cookie names a live signed-in session of `user` (as /login leaves it)."""
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        key = start_session_key(session, user)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie.permanent = True
        cookie["_user_id"] = key
        cookie["_fresh"] = True
    return client
