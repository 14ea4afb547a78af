"""Where limits are counted: REDIS_URL when set, and production refuses per-process counting for several workers."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import config_for_tests
from tests.multi_server.support import TEST_REDIS_URL


@pytest.fixture
def production(monkeypatch, database_url):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("PORTAL_URL", "https://portal.example.org")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    yield
    monkeypatch.undo()
    # The limiter is one object: the last app made gives it its storage. Leave it counting in memory, as the rest
    # of the suite does, not in the Redis of these tests.
    create_app(config_for_tests(database_url))


def test_limits_are_counted_in_redis_when_it_is_configured(production, monkeypatch, database_url):
    monkeypatch.setenv("REDIS_URL", TEST_REDIS_URL)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    assert app.config["RATELIMIT_STORAGE_URI"] == TEST_REDIS_URL


def test_an_explicit_limit_storage_wins_over_redis_url(production, monkeypatch, database_url):
    monkeypatch.setenv("REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_refuses_per_process_limits_for_several_workers(production, monkeypatch, database_url):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app({"DATABASE_URL": database_url})


@pytest.mark.parametrize("arguments", ["--workers 4", "--bind 127.0.0.1:8000 -w 3", "--workers=2 --timeout 60"])
def test_production_refuses_per_process_limits_for_workers_given_in_gunicorn_cmd_args(production, monkeypatch,
                                                                                       database_url, arguments):
    monkeypatch.setenv("GUNICORN_CMD_ARGS", arguments)
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app({"DATABASE_URL": database_url})


def test_production_with_one_process_and_no_redis_starts_with_a_warning(production, monkeypatch, database_url,
                                                                        caplog):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert "REDIS_URL" in caplog.text


def test_other_scripts_digits_in_the_worker_count_are_not_a_count(monkeypatch):
    """`²` and Arabic-Indic digits pass str.isdigit(), and int() raises on the first: start-up must not crash."""
    from portal.extensions import announced_processes

    monkeypatch.setenv("WEB_CONCURRENCY", "²")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "-w٣ --workers ²")
    assert announced_processes() == 1
