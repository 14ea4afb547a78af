"""Test isolation holds, the migrations build exactly the models' schema, pages run a fixed number of queries."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from portal.database import Base
from portal.models import AuditEvent, OutboxMessage, User
from tests.conftest import build_schema, post_form, sign_in
from tests.support import drop_isolated_schema, isolated_database_url


def test_isolation_part_1_writes_and_commits(client, db, make_user):
    make_user("family", email="isolation-probe@example.com")
    post_form(client, "/password/forgot", {"email": "isolation-probe@example.com"})
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_isolation_part_2_sees_nothing_of_part_1(db):
    """Guards the SQLite savepoint fix (../shared/STACK.md): rows committed by a test must not survive it."""
    for model in (User, OutboxMessage, AuditEvent):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


def test_migrations_match_the_models(database_url, tmp_path):
    url = isolated_database_url(database_url, "migration_check", tmp_path)
    engine = build_schema(url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                    Base.metadata)
        assert diff == [], "models changed without a migration: run alembic revision --autogenerate"
    finally:
        engine.dispose()
        drop_isolated_schema(database_url, "migration_check")


@pytest.mark.parametrize("role,url", [("admin", "/admin/people"), ("admin", "/admin/audit"),
                                      ("admin", "/admin/outbox"), ("homefinder", "/dashboard"),
                                      ("family", "/dashboard"), ("admin", "/admin/people/{id}")])
def test_pages_run_a_fixed_number_of_queries(client, db, make_user, count_queries, role, url):
    viewer = make_user(role)
    sign_in(client, viewer)
    url = url.format(id=viewer.id)

    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(25):
        person = make_user("family")
        post_form(client, "/password/forgot", {"email": person.email})
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements
    # A family's home page shows four cards (license, trainings, the children's appointments, messages) and the menu
    # asks whether a child is placed with them: one statement each, plus the session's. Other pages: at most 4.
    assert many.count <= (8 if (role, url) == ("family", "/dashboard") else 4), many.statements


def test_a_savepoint_never_commits_the_request_on_sqlite(tmp_path):
    """The engine the portal runs on (not only the tests'): a SAVEPOINT opened before any other statement, then
    released, must leave the outer transaction to decide (pysqlite alone would have committed it there)."""
    from sqlalchemy import text as sql
    from sqlalchemy.orm import Session as OrmSession

    from portal.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'savepoint.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(sql("CREATE TABLE signature (member_id INTEGER PRIMARY KEY)"))
    with OrmSession(engine) as session:
        with session.begin_nested():
            session.execute(sql("INSERT INTO signature VALUES (1)"))
        session.rollback()  # the request failed after the savepoint was released
    with engine.connect() as connection:
        assert connection.execute(sql("SELECT count(*) FROM signature")).scalar() == 0
    engine.dispose()
