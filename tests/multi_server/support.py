"""Shared by the multi-server tests: Redis for tests, with keys of this run's own.

TEST_REDIS_URL (default redis://127.0.0.1:6379/15) is the Redis the tests use. Two suite runs at once may share it:
every key a test makes carries REDIS_RUN_PREFIX (the limiter's RATELIMIT_KEY_PREFIX; portal.jobs.KEY_PREFIX, patched
by the job tests, which also keeps their PostgreSQL advisory lock keys apart), and a test deletes only the keys with
that prefix (never FLUSHDB, never FLUSHALL).

Tests marked `needs_redis` are skipped with the reason when that Redis can't be reached, or fail the run when
REQUIRE_REDIS=1 (CI's PostgreSQL run; tests/conftest.py)."""

from __future__ import annotations

import os
import socket

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_RUN_PREFIX = f"portal-test-run-{os.getpid()}"


def free_port() -> int:
    """A port free now, for a server that can't bind port 0 and say which it got (tests/performance/jobs_bench.py's
    aiosmtpd). gunicorn binds 127.0.0.1:0 itself instead (tests/processes.py): no race for the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_unreachable() -> str | None:
    """Why the Redis at TEST_REDIS_URL can't be used, or None when it answers."""
    try:
        import redis
    except ImportError:
        return "the redis package is not installed"
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return f"no Redis answers at TEST_REDIS_URL={TEST_REDIS_URL} ({error})"
    finally:
        client.close()
    return None


def run_key(name: str) -> str:
    """`name` made this run's own: it carries REDIS_RUN_PREFIX, and delete_run_keys finds it in a Redis key."""
    return f"{REDIS_RUN_PREFIX}/{name}"


def delete_run_keys() -> int:
    """Delete this run's keys from the test Redis (those with REDIS_RUN_PREFIX; nobody else's): how many."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"*{REDIS_RUN_PREFIX}/*", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()
