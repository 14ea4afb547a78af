"""The sign-in lockout with Redis storage, as production runs it (RATELIMIT_STORAGE_URI=redis://...)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from app import create_app
from tests.conftest import TEST_PASSWORD, config_for_tests, post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379")
def test_lockout_counts_in_redis_across_app_instances(database_url, engine, db, make_user):
    prefix = f"portal-test-{uuid.uuid4().hex}"
    config = config_for_tests(database_url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    first, second = create_app(config), create_app(config)
    for app in (first, second):
        state = app.extensions["database"]
        state.bind = db.connection
        state.session_options = {"join_transaction_mode": "create_savepoint"}
    user = make_user("family")
    limit = first.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]
    # Failures spread over two workers add up, because the counter lives in Redis.
    for attempt in range(limit):
        worker = (first if attempt % 2 else second).test_client()
        assert post_form(worker, "/login", {"email": user.email, "password": "guess"}).status_code == 422
    locked = post_form(first.test_client(), "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert locked.status_code == 429


@pytest.fixture(autouse=True)
def _back_to_memory_storage(database_url):
    """Flask-Limiter keeps one storage per Limiter object, set by the latest init_app: put memory:// back."""
    yield
    from portal.extensions import limiter

    limiter.reset()
    create_app(config_for_tests(database_url))
