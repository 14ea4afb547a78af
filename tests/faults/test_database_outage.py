"""The database goes away mid-request and comes back (issue 14, "Faults"): the visitor gets a 503 in their language,
in the base layout, with Retry-After and no trace; nothing of the request is kept; and the very next request after
the database is back succeeds, without restarting anything.

On PostgreSQL the app reaches the server through a proxy the test cuts (every connection closed, new ones refused)
and restores; on SQLite another connection holds the file's lock (tests/faults/support.py)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from portal.errors import database_unavailable
from portal.extensions import db as portal_db
from portal.models import Household, OutboxMessage, User
from tests.conftest import CSRF_RE, text_of
from tests.faults.conftest import add_family, signed_in_client

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def assert_unavailable_page(response, language: str) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert 'class="navbar' in page  # the base layout, with its menu
    text = text_of(response)
    assert ("Código de error: 503" if language == "es" else "Error code: 503") in text
    assert ("El portal no está disponible por un momento" if language == "es"
            else "The portal is unavailable for a moment") in text
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT", "INSERT", "UPDATE"):
        assert leak not in page


def count(url: str, model, *where) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_page_asked_while_the_database_is_down_is_a_503_in_the_visitors_language(outage, outage_app, language):
    client = outage_app.test_client()
    headers = {"Accept-Language": language}
    assert client.get("/licensing/sessions", headers=headers).status_code == 200  # a pooled connection, alive

    outage.down()
    assert_unavailable_page(client.get("/licensing/sessions", headers=headers), language)

    outage.up()
    assert client.get("/licensing/sessions", headers=headers).status_code == 200  # back, with no restart


def test_a_signed_in_page_while_the_database_is_down_draws_the_signed_out_menu(outage, outage_app):
    """The account can't be loaded: the page must not try again (the menu, the unread badge and the language of
    a signed-in person all read the database)."""
    user = add_family(outage_app, locale="es", email="menu@example.com")
    client = signed_in_client(outage_app, user)
    assert client.get("/dashboard", headers=ENGLISH).status_code == 200

    outage.down()
    response = client.get("/dashboard", headers=ENGLISH)
    assert_unavailable_page(response, "en")  # the saved language can't be read: the browser's is used
    assert "Sign in" in text_of(response) and "/logout" not in response.get_data(as_text=True)

    outage.up()
    back = client.get("/dashboard", headers=ENGLISH)
    assert back.status_code == 200 and '<html lang="es">' in back.get_data(as_text=True)  # still signed in


def test_a_registration_cut_mid_request_keeps_nothing_and_goes_through_once_the_database_is_back(outage, outage_app):
    client = outage_app.test_client()
    token = CSRF_RE.search(client.get("/register", headers=SPANISH).get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "full_name": "Marta Ruiz", "email": "marta@example.com",
            "password": "a long passphrase", "confirm": "a long passphrase", "preferred_locale": "es"}
    engine = outage_app.extensions["database"].engine
    cut = []

    @event.listens_for(engine, "before_cursor_execute")
    def _go_away_after_the_household(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO USER_ACCOUNT") and not cut:
            cut.append(statement)
            outage.down()  # the household is written, the account is on its way

    response = client.post("/register", data=form, headers=SPANISH)
    event.remove(engine, "before_cursor_execute", _go_away_after_the_household)
    assert cut
    assert_unavailable_page(response, "es")

    outage.up()
    assert count(outage.direct_url, User, User.email == "marta@example.com") == 0
    assert count(outage.direct_url, Household, Household.name == "Marta Ruiz") == 0
    assert count(outage.direct_url, OutboxMessage, OutboxMessage.recipient == "marta@example.com") == 0

    again = client.post("/register", data=form, headers=SPANISH)
    assert again.status_code == 200
    assert count(outage.direct_url, User, User.email == "marta@example.com") == 1
    assert count(outage.direct_url, Household, Household.name == "Marta Ruiz") == 1
    assert count(outage.direct_url, OutboxMessage, OutboxMessage.recipient == "marta@example.com") == 1


def test_a_save_whose_commit_fails_is_a_503_in_the_saved_language_and_says_nothing_was_saved(outage, outage_app):
    """The view ran and said "saved"; the commit (after the view) failed: the answer is the 503, in the account's
    language (read from memory, not from the database), without the view's "saved" message."""
    user = add_family(outage_app, locale="es", email="saver@example.com")
    client = signed_in_client(outage_app, user)
    page = client.get("/account", headers=ENGLISH).get_data(as_text=True)
    form = {"csrf_token": CSRF_RE.search(page).group(1), "full_name": "Ana María Torres", "preferred_locale": "es"}
    engine = outage_app.extensions["database"].engine
    cut = []

    @event.listens_for(engine, "commit")
    def _go_away_before_the_commit(_conn):
        if not cut:
            cut.append(True)
            outage.down()

    response = client.post("/account", data=form, headers=ENGLISH)
    event.remove(engine, "commit", _go_away_before_the_commit)
    assert cut
    assert_unavailable_page(response, "es")
    assert "perfil" not in text_of(response).lower() and "profile is saved" not in text_of(response)

    outage.up()
    assert count(outage.direct_url, User, User.full_name == "Ana María Torres") == 0
    saved = client.post("/account", data=form, headers=ENGLISH)
    assert saved.status_code == 302
    assert count(outage.direct_url, User, User.full_name == "Ana María Torres") == 1


@pytest.mark.parametrize("statement", ["SELECT * FROM no_such_table", "SELEC 1", "SELECT no_such_column FROM users"])
def test_a_query_that_is_wrong_is_a_500_and_logged_not_a_503(outage, outage_app, statement, caplog):
    """A missing table or column, or a syntax error, is a bug (an OperationalError on SQLite, a ProgrammingError on
    PostgreSQL): the 500 page, logged as an error, not "unavailable for a moment"."""

    def broken_page():
        portal_db.session.execute(text(statement))
        return "never"

    broken_page.access_rule = outage_app.view_functions["portal.home"].access_rule  # public, as the home page
    outage_app.view_functions["portal.home"] = broken_page
    response = outage_app.test_client().get("/", headers=ENGLISH)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Something went wrong on our side" in text_of(response)
    assert any(record.levelname == "ERROR" and record.getMessage() == "unhandled error" for record in caplog.records)


def _wrapped(cls, original):
    return cls("SELECT 1", {}, original)


@pytest.mark.parametrize(("error", "unavailable"), [
    (_wrapped(OperationalError, sqlite3.OperationalError("database is locked")), True),
    (_wrapped(OperationalError, sqlite3.OperationalError("unable to open database file")), True),
    (_wrapped(OperationalError, sqlite3.OperationalError("disk I/O error")), True),
    (_wrapped(OperationalError, sqlite3.OperationalError("no such table: users")), False),
    (_wrapped(OperationalError, sqlite3.OperationalError('near "SELEC": syntax error')), False),
    (_wrapped(OperationalError, psycopg.OperationalError("connection failed: Connection refused")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("08006")("connection failure")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("57P01")("terminating connection")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("57P03")("the database system is starting up")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("53300")("too many connections")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("57014")("canceling statement due to statement timeout")),
     False),
    # Lost a race with another transaction and rolled back: the same request succeeds when sent again.
    (_wrapped(OperationalError, psycopg.errors.lookup("40P01")("deadlock detected")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("40001")("could not serialize access")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("55P03")("could not obtain lock on row")), True),
    (_wrapped(OperationalError, psycopg.errors.lookup("42P01")('relation "users" does not exist')), False),
    (_wrapped(InterfaceError, psycopg.InterfaceError("the connection is closed")), True),
    (_wrapped(IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")), False),
    (PoolTimeoutError("QueuePool limit reached"), True),
    (RuntimeError("not the database's"), False),
])
def test_only_a_database_that_is_out_of_reach_counts_as_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable


def test_a_deadlock_is_a_503_to_the_person_and_an_error_in_the_log(outage_app, caplog):
    """Sent again, the request succeeds: "try again" to the person; but repeated deadlocks are a lock-order bug, so
    the log says so at error level, not as a passing outage."""

    def deadlocked_page():
        raise _wrapped(OperationalError, psycopg.errors.lookup("40P01")("deadlock detected"))

    deadlocked_page.access_rule = outage_app.view_functions["portal.home"].access_rule
    outage_app.view_functions["portal.home"] = deadlocked_page
    response = outage_app.test_client().get("/", headers=ENGLISH)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert any(record.levelname == "ERROR" and "lost a race (SQLSTATE 40P01)" in record.getMessage()
               for record in caplog.records)
