"""The Redis job lock survives Redis going away for a moment (issue 14, "Faults"): a renewal that fails is tried
again next round, a release that fails is logged (the job's work is done; the key expires), and the client is
closed either way. A fake lock stands in for redis-py's: the failures are the real exception classes."""

from __future__ import annotations

import logging
import threading

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from portal import jobs


class FlakyLock:
    """Acquired; the first renewal times out, the second connection fails, the third works; the release fails."""

    def __init__(self) -> None:
        self.renewals = 0
        self.renewed_after_failures = threading.Event()

    def acquire(self, blocking: bool = False) -> bool:
        return True

    def reacquire(self) -> None:
        self.renewals += 1
        if self.renewals == 1:
            raise RedisTimeoutError("Timeout reading from socket")
        if self.renewals == 2:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.renewed_after_failures.set()

    def release(self) -> None:
        raise RedisConnectionError("Connection closed by server.")


class FakeClient:
    def __init__(self) -> None:
        self.held = FlakyLock()
        self.closed = False

    def lock(self, name, **_options):
        return self.held

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_redis(app, monkeypatch):
    client = FakeClient()
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/8")
    monkeypatch.setattr(jobs, "redis_client", lambda url: client)
    return client


def test_the_lock_is_renewed_after_redis_errors_and_a_failed_release_is_logged(app, fake_redis, caplog):
    caplog.set_level(logging.WARNING, logger="portal.jobs")
    with app.app_context(), jobs.single_runner("send-reminders", ttl_seconds=0.03) as acquired:
        assert acquired
        # the renewal thread lived through a timeout and a refused connection, and renewed afterwards
        assert fake_redis.held.renewed_after_failures.wait(10)
    assert fake_redis.closed
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("job send-reminders: could not renew its lock") == 2
    assert "job send-reminders: could not release its lock" in messages


def test_the_client_is_closed_when_redis_is_unreachable_at_the_start(app, fake_redis, monkeypatch):
    def unreachable(blocking: bool = False) -> bool:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(fake_redis.held, "acquire", unreachable)
    with app.app_context(), pytest.raises(RedisConnectionError), jobs.single_runner("send-reminders", ttl_seconds=30):
        pass
    assert fake_redis.closed
