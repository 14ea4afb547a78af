"""A fresh PostgreSQL database seeded at agency scale, and gunicorn serving the portal on loopback."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

from tests.processes import listening_url, start_gunicorn, stop

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_load"


def load_database_url() -> str:
    """LOAD_DATABASE_URL as given; else DATABASE_URL's server with `_load` after its database's name (never the
    database itself: it is dropped and made again); else portal_load on the local server."""
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        parsed = make_url(url)
        return parsed.set(database=f"{parsed.database}_load").render_as_string(hide_password=False)
    return DEFAULT_URL


def recreate_database(url: str) -> None:
    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


def seed(url: str, households: int, fresh: bool = True) -> None:
    """A fresh database (`fresh`: dropped and made again; else an empty one given), its schema, then what `flask
    upgrade-db` and `flask seed-demo --households N` make, in this process."""
    from app import create_app
    from portal import demo
    from portal.extensions import db
    from portal.migrations import upgrade

    if fresh:
        recreate_database(url)
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "MAIL_DELIVER_INLINE": False})
    with app.app_context(), db.unit_of_work():
        demo.seed_all(app, households=households)
    with app.app_context():
        demo.tidy_after_bulk_load(db.engine)
        db.engine.dispose()


def server_environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        # Every simulated person signs in from 127.0.0.1: the per-address limit of sign-ins would refuse most of
        # them in the first minute (it is there for one attacker's address, not for a load test's).
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "DRAFT_RATE_LIMIT": "100000 per minute",
        # As in production: mail waits in the outbox for `flask send-mail`.
        "MAIL_DELIVER_INLINE": "0",
    }


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    pid: int  # gunicorn's master: its workers are its children (tests/load/cpu.py)


@contextmanager
def gunicorn(url: str, workers: int = 2, log_path: Path | None = None) -> Iterator[Served]:
    """gunicorn with `workers` sync workers on a loopback port it binds itself (tests/processes.py); yields its base
    URL, once it answers, and its pid. Its log goes to `log_path`, else to a temporary file (the port is read from
    it)."""
    with tempfile.TemporaryDirectory(prefix="load-gunicorn-") as folder:
        log = log_path or Path(folder) / "gunicorn.log"
        process = start_gunicorn("app:create_app()", ["-w", str(workers), "--timeout", "120"],
                                 env=server_environment(url), log=log)
        try:
            base = listening_url(process, log, timeout=180)
            deadline = time.monotonic() + 180
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped (exit {process.returncode}); see {log}")
                try:
                    if requests.get(base + "/", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 180 s")
                time.sleep(0.3)
            # Each worker loads the app lazily on its first request: warm both before anything is measured.
            for _ in range(workers * 4):
                requests.get(base + "/", timeout=30)
            yield Served(base, process.pid)
        finally:
            stop(process, timeout=30)


def postmaster_pid(url: str) -> int | None:
    """The pid of the PostgreSQL server the URL reaches, when it runs on this machine and its processes can be seen
    (their CPU is then counted with the run's: tests/load/cpu.py); else None."""
    from tests.load.cpu import parent_of

    parsed = make_url(url)
    if (parsed.host or "localhost") not in ("127.0.0.1", "localhost", "::1"):
        return None
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        return parent_of(backend)  # read while the backend lives: its parent is the postmaster
