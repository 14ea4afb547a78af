"""Data versions (portal/data_versions.py): the token a commit moves when it changed watched data, on SQLite and
PostgreSQL. The recruitment metrics' own tests (tests/licensing/test_pipeline_metrics.py) show what is remembered."""

from __future__ import annotations

from sqlalchemy import delete, select

from licensing.recruitment.models import Interest, Lead, LeadSource
from portal import data_versions
from portal.data_versions import DataVersion, remembered
from portal.extensions import db as portal_db
from portal.models import Household


def _token(session) -> str | None:
    return session.scalar(select(DataVersion.token).where(DataVersion.name == "pipeline"))


def _lead(name: str) -> Lead:
    return Lead(first_name="Data", last_name=name, email=f"{name}@example.com", source=LeadSource.SEARCH,
                interest=Interest.FOSTER)


def test_the_migration_gives_the_pipeline_a_token(db):
    assert len(_token(db.session) or "") == 32


def test_the_first_change_ever_creates_the_token(db):
    db.session.execute(delete(DataVersion))
    db.session.commit()
    db.session.add(_lead("first"))
    db.session.commit()
    assert len(_token(db.session) or "") == 32


def test_without_a_token_nothing_is_remembered(app, db):
    db.session.execute(delete(DataVersion))
    db.session.commit()
    calls = []
    with app.app_context():
        for _ in range(2):
            remembered(portal_db.session, "pipeline", "key", lambda: calls.append(1))
    assert len(calls) == 2


def test_a_change_before_a_rolled_back_savepoint_still_moves_the_version(db):
    before = _token(db.session)
    db.session.add(_lead("kept"))
    db.session.flush()
    with db.session.begin_nested() as savepoint:
        db.session.add(_lead("undone"))
        db.session.flush()
        savepoint.rollback()
    db.session.commit()
    assert _token(db.session) != before


def test_a_commit_that_changed_nothing_watched_keeps_the_version(db, make_user):
    before = _token(db.session)
    make_user()  # an account: watched for its name only, and new accounts are nobody's homefinder yet
    db.session.commit()
    assert _token(db.session) == before


def test_an_orm_delete_moves_the_version(db):
    lead = _lead("deleted")
    db.session.add(lead)
    db.session.commit()
    before = _token(db.session)
    db.session.delete(lead)
    db.session.commit()
    assert _token(db.session) != before


def test_a_relationship_change_alone_moves_the_version(db):
    lead = _lead("linked")
    db.session.add(lead)
    db.session.commit()
    before = _token(db.session)
    lead.household = Household(name="Linked household")  # the relationship, not the column
    db.session.commit()
    assert _token(db.session) != before


def test_nothing_is_remembered_past_the_ceiling(app, db, monkeypatch):
    """The safety net for a change no token saw (a statement typed in psql, an older release writing)."""
    db.session.add(_lead("ceiling"))
    db.session.commit()
    calls = []
    clock = [1000.0]
    monkeypatch.setattr(data_versions.time, "monotonic", lambda: clock[0])
    with app.app_context():
        for advance in (0, data_versions.MEMORY_SECONDS - 1, 2):
            clock[0] += advance
            remembered(portal_db.session, "pipeline", "ceiling", lambda: calls.append(1))
    assert len(calls) == 2  # computed, remembered within the ceiling, computed again past it


def test_every_migration_run_moves_every_version(database_url, tmp_path):
    """A migration may change data behind the session's back: the tokens move after every upgrade."""
    from alembic import command

    from portal.migrations import alembic_config
    from tests.conftest import build_schema
    from tests.support import drop_isolated_schema, isolated_database_url

    url = isolated_database_url(database_url, "data_versions_migration", tmp_path)
    engine = build_schema(url)
    try:
        def token():
            with engine.connect() as connection:
                return connection.scalar(select(DataVersion.token).where(DataVersion.name == "pipeline"))

        first = token()
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            config.attributes["skip_logging"] = True
            command.upgrade(config, "head")  # nothing left to run: the tokens move all the same
        assert first and token() != first
    finally:
        engine.dispose()
        drop_isolated_schema(database_url, "data_versions_migration")
