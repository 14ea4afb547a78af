"""Fixtures: app, db (each test in a rolled-back transaction), client, login helpers, factories, query counter.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one. The schema is built by the
Alembic migrations, so the migrations are exercised by every run.

Passwords are hashed and checked with Argon2id at its cheapest parameters in this process (every sign-in of a test
verifies one): the production parameters cost a tenth of a second or more each on 2 cores.
tests/portal/test_password_hashing.py puts the production hasher back and checks its parameters and the sign-in's
rehash with them.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from app import create_app
from licensing.application import models as _application_models  # noqa: F401  (every table on Base.metadata
from licensing.recruitment import models as _recruitment_models  # noqa: F401   before the schema is built, as
from licensing.tracker import models as _tracker_models  # noqa: F401           migrations/env.py does)
from portal import jobs, passwords, two_step
from portal import settings as _settings  # noqa: F401
from portal.children import models as _children_models  # noqa: F401
from portal.court_reports import models as _court_report_models  # noqa: F401
from portal.data_versions import forget_everything
from portal.database import Base, make_engine, now_utc
from portal.extensions import limiter
from portal.messaging import models as _messaging_models  # noqa: F401
from portal.migrations import alembic_config
from portal.mileage import models as _mileage_models  # noqa: F401
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.support import (
    RUN_SUFFIX,
    TEST_TOTP_SECRET,
    code_for,
    database_url_for_tests,
    drop_isolated_schema,
    isolated_database_url,
)
from training.catalog import models as _catalog_models  # noqa: F401
from training.groups import models as _groups_models  # noqa: F401
from training.hours import models as _hours_models  # noqa: F401
from training.payments import models as _payments_models  # noqa: F401

# The hasher the portal uses (RFC 9106's low-memory Argon2id), kept for the test that checks it, and the cheapest
# Argon2id for every other test (argon2.profiles.CHEAPEST's cost with the usual salt and hash lengths).
PRODUCTION_HASHER = passwords._hasher
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
passwords._hasher = TEST_HASHER
passwords._DUMMY_HASH = TEST_HASHER.hash("not-a-real-password-used-only-for-timing")

TEST_PASSWORD = "correct horse battery"
_TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)  # hash once per run
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# The job locks a test takes are this process's own (`make test` runs two pytest-xdist workers, and two suite runs
# may share a database): PostgreSQL's advisory lock keys and the Redis keys both come from portal.jobs.KEY_PREFIX +
# the job's name, and a fixed name would let one worker's "send-reminders" find the other's lock held and do nothing.
# (SQLite's file lock lies beside each process's own database file.)
jobs.KEY_PREFIX = f"{jobs.KEY_PREFIX}tests{RUN_SUFFIX}:"


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_redis: uses the Redis at TEST_REDIS_URL (tests/multi_server/support.py)")
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        check_requirements_before_the_workers_start()


def check_requirements_before_the_workers_start() -> None:
    """REQUIRE_BROWSER=1 and REQUIRE_REDIS=1 stop the run when Chromium or the test Redis is missing. Under
    pytest-xdist (`make test`) the workers collect and the controller does not, and a worker's UsageError comes out
    as an INTERNALERROR naming a test: so the controller checks first, whatever tests were asked for."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        from tests.browser.conftest import CHROMIUM, chromium_missing

        if chromium_missing():
            raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}: apt-get install chromium")
    if os.environ.get("REQUIRE_REDIS") == "1":
        from tests.multi_server.support import redis_unreachable

        problem = redis_unreachable()
        if problem is not None:
            raise pytest.UsageError(f"REQUIRE_REDIS=1 but {problem}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs `-n 2 --dist loadfile`: whole files per worker, the fuzz cases one by one, the longest first
    (tests/xdist_schedule.py). Any other --dist is xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.xdist_schedule import LongestFirstFileScheduling

    return LongestFirstFileScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Tests marked `needs_redis` are skipped, with the reason, where the Redis at TEST_REDIS_URL can't be reached;
    with REQUIRE_REDIS=1 (CI's PostgreSQL run) that stops the run instead, as REQUIRE_BROWSER=1 does for Chromium."""
    wanting = [item for item in items if item.get_closest_marker("needs_redis")]
    if not wanting:
        return
    from tests.multi_server.support import redis_unreachable

    problem = redis_unreachable()
    if problem is None:
        return
    if os.environ.get("REQUIRE_REDIS") == "1":
        raise pytest.UsageError(f"REQUIRE_REDIS=1 but {problem}")
    skip = pytest.mark.skip(reason=f"{problem}; set REQUIRE_REDIS=1 to make this a failure")
    for item in wanting:
        item.add_marker(skip)


def config_for_tests(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "SERVER_NAME": None,
        "PORTAL_URL": "http://localhost",  # emailed links (tests follow them on the test client's host)
        "MAIL_SERVER": "",
        "MAIL_DELIVER_INLINE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ENV_NAME": "development",
    }
    config.update(overrides)
    return config


def build_schema(url: str) -> Engine:
    """A fresh schema from the migrations, on the given database."""
    from alembic import command

    engine = make_engine(url)  # on SQLite, SAVEPOINTs work as on PostgreSQL (portal/database.py::make_engine)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")
    return engine


# The schema the transactional tests use on PostgreSQL: one per process (tests.support.RUN_SUFFIX), as each
# pytest-xdist worker builds the whole schema from the migrations and would otherwise drop the other's tables.
MAIN_SCHEMA = "tests_main"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """SQLite: a file in this process's own temporary folder. PostgreSQL: DATABASE_URL with this process's own
    schema on its search_path (dropped at the end); the live servers' schemas are made beside it."""
    folder = tmp_path_factory.mktemp("db")
    base = database_url_for_tests(folder / "portal-test.sqlite3")
    if base.startswith("sqlite"):
        yield base
        return
    yield isolated_database_url(base, MAIN_SCHEMA, folder)
    drop_isolated_schema(base, MAIN_SCHEMA)


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    engine = build_schema(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(engine, database_url, tmp_path_factory) -> Iterator[Flask]:
    # Uploads go to this process's own folder: the other pytest-xdist worker's uploads land meanwhile, and a test
    # that checks a refused file left nothing behind compares the folder's files before and after.
    app = create_app(config_for_tests(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads"))))
    yield app
    app.extensions["database"].engine.dispose()  # no idle connection left in the schema dropped after it


@dataclass
class QueryCounter:
    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class TestDatabase:
    """The test's own view of the database: a session on the same connection as every request of the test."""

    session: Session
    connection: Connection


@pytest.fixture
def db(app, engine) -> Iterator[TestDatabase]:
    """Each test runs inside one outer transaction that is rolled back, whatever the code commits.

    No application context stays pushed during the test: Flask would reuse it (and its `g`) for every request.
    """
    connection = engine.connect()
    outer = connection.begin()
    state = app.extensions["database"]
    state.bind = connection
    state.session_options = {"join_transaction_mode": "create_savepoint"}
    limiter.reset()
    # Every test starts from the same data and the same data versions (the outer transaction is rolled back), but
    # what an earlier test computed may have seen its own uncommitted rows (all sessions share this connection).
    forget_everything()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield TestDatabase(session=session, connection=connection)
    finally:
        session.close()
        state.bind = state.engine
        state.session_options = {}
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app, db) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def count_queries(engine):
    """Use as `with count_queries() as counter: ...`; counter.count is the number of SQL statements."""

    @contextmanager
    def counting():
        counter = QueryCounter([])

        def _before(_conn, _cursor, statement, _params, _context, _executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return counting


_sequence = iter(range(1, 10**9))


@pytest.fixture
def make_user(app, db):
    def factory(role: Role | str = Role.APPLICANT, *, email: str | None = None, locale: str = "en",
                confirmed: bool = True, password: str | None = TEST_PASSWORD, full_name: str | None = None,
                active: bool = True) -> User:
        role = Role(role)
        n = next(_sequence)
        user = User(
            email=email or f"{role.value}{n}@example.com",
            full_name=full_name or f"{role.value.title()} Person {n}",
            role=role,
            preferred_locale=locale,
            password_hash=_TEST_PASSWORD_HASH if password == TEST_PASSWORD else (password and hash_password(password)),
            email_confirmed_at=now_utc() if confirmed else None,
            is_active=active,
            household=Household(name=f"Household {n}") if role in (Role.APPLICANT, Role.FAMILY) else None,
        )
        if role.is_staff:  # staff always sign in in two steps: their app is set up (tests.support.code_for)
            with app.app_context():
                user.totp_secret_encrypted = two_step.encrypt_secret(TEST_TOTP_SECRET)
            user.totp_enabled_at = now_utc()
        db.session.add(user)
        db.session.commit()
        return user

    return factory


def csrf_token(client: FlaskClient, url: str = "/") -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST like a browser: with a CSRF token handed out to this client's session (every page carries one)."""
    payload = {"csrf_token": csrf_token(client)}
    payload.update(data or {})
    return client.post(url, data=payload, **kwargs)


def sign_in(client: FlaskClient, user: User, password: str = TEST_PASSWORD):
    """The whole sign-in, the second step included for those who have one (staff always)."""
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    if response.headers["Location"].endswith("/login/code"):
        response = post_form(client, "/login/code", {"code": code_for(client.application, user.id)})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return response


@pytest.fixture
def login(client, make_user):
    """`login(role)` creates a person with that role, signs them in on `client`, and returns them."""

    def _login(role: Role | str, **kwargs) -> User:
        user = make_user(role, **kwargs)
        sign_in(client, user)
        return user

    return _login


def text_of(response) -> str:
    """Response text with HTML tags stripped and whitespace (including Babel's non-breaking spaces) collapsed."""
    body = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", body.replace("\u202f", " ").replace("\xa0", " "))
