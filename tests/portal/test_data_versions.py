"""Data versions (portal/data_versions.py): the token a commit moves when it changed watched data, on SQLite and
PostgreSQL. The recruitment metrics' own tests (tests/licensing/test_pipeline_metrics.py) show what is remembered."""

from __future__ import annotations

from sqlalchemy import delete, select

from licensing.recruitment.models import Interest, Lead, LeadSource
from portal.data_versions import DataVersion, remembered
from portal.extensions import db as portal_db


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
