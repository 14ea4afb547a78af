"""Scheduled jobs on several machines at once: one run of a job at a time, wherever cron starts it.

The scheduled jobs run inside `single_runner(name)` (or are decorated with `@runs_alone(name)`). A second copy
started while the first still runs (cron on two app servers, or a slow run overlapping the next minute) does nothing
and says so. Two commands take no lock: `send-mail`, whose runs share the outbox, each batch claimed by lease
(portal/emails.py), and `remove-orphan-files`, which deletes only files that no record names and that were stored
long ago (`--older-than-hours`): two runs at once delete the same files, harmlessly. The lock is, by what the
portal is configured with:

- REDIS_URL set: a Redis key taken with `SET NX PX` (redis-py's Lock), renewed while the job runs, so a run that
  dies leaves it to expire after `ttl_seconds`;
- PostgreSQL without Redis: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
  released when the job ends or its connection drops;
- SQLite: an exclusive `flock` on a file beside the database (SQLite is one machine's file anyway).

The jobs also claim each row they act on by a conditional UPDATE (`reminder_sent_at IS NULL`, the outbox's lease),
so even two runs that both got past the lock (a Redis lock that expired under a stalled process) act once per row.
Every machine must be configured alike (all with REDIS_URL, or all without): two kinds of lock don't see each other.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.database import begin_writes_immediately

log = logging.getLogger(__name__)

KEY_PREFIX = "portal:job-lock:"


@contextmanager
def single_runner(name: str, *, ttl_seconds: int = 600) -> Iterator[bool]:
    """Yield True when this process runs the job `name` alone, False when another run holds it (then do nothing)."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        lock = _redis_lock
    elif current_app.extensions["database"].engine.dialect.name == "postgresql":
        lock = _advisory_lock
    else:
        lock = _file_lock
    with lock(name, ttl_seconds) as acquired:
        yield acquired


def runs_alone(name: str, *, ttl_seconds: int = 600) -> Callable:
    """Decorate a click command: it runs inside `single_runner(name)`, or says another run is under way."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            begin_writes_immediately()
            with single_runner(name, ttl_seconds=ttl_seconds) as acquired:
                if not acquired:
                    click.echo(f"{name}: another run is under way; nothing done")
                    return None
                return command(*args, **kwargs)

        return wrapper

    return decorate


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


@contextmanager
def _redis_lock(name: str, ttl_seconds: int) -> Iterator[bool]:
    from redis.exceptions import LockError, RedisError

    client = redis_client(current_app.config["REDIS_URL"])
    try:
        lock = client.lock(KEY_PREFIX + name, timeout=ttl_seconds, blocking=False, thread_local=False)
        if not lock.acquire(blocking=False):
            yield False
            return
        done = threading.Event()

        def keep_alive() -> None:  # renew well before the key expires, for as long as the job runs
            while not done.wait(ttl_seconds / 3):
                try:
                    lock.reacquire()
                except LockError:  # it expired (or was taken over): nothing left to renew
                    return
                except RedisError:  # Redis unreachable for a moment: the key lives on; try again next round
                    log.warning("job %s: could not renew its lock", name, exc_info=True)

        renewer = threading.Thread(target=keep_alive, name=f"job-lock-{name}", daemon=True)
        renewer.start()
        try:
            yield True
        finally:
            done.set()
            renewer.join()
            try:
                lock.release()
            except LockError:  # it expired meanwhile: the row claims kept the work single
                pass
            except RedisError:  # the job's work is done; the key expires by itself after ttl_seconds
                log.warning("job %s: could not release its lock", name, exc_info=True)
    finally:
        client.close()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def _advisory_lock(name: str, _ttl_seconds: int) -> Iterator[bool]:
    engine = current_app.extensions["database"].engine
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        key = advisory_key(KEY_PREFIX + name)
        acquired = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


@contextmanager
def _file_lock(name: str, _ttl_seconds: int) -> Iterator[bool]:
    import fcntl

    database = make_url(current_app.config["DATABASE_URL"]).database
    folder = Path(database).resolve().parent if database and database != ":memory:" else Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    with open(folder / f".job-lock-{safe}", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
