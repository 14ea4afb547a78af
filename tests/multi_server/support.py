"""Shared by the multi-server tests: a committed database of their own, Redis for tests, loopback SMTP."""

from __future__ import annotations

import os
import socket

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_for_tests():
    """The test Redis database, emptied (only that database: FLUSHDB, never FLUSHALL)."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5)
    client.flushdb()
    return client
