"""The short, bounded version of `make load` for CI: 200 households, gunicorn with 2 workers on loopback, ten people
of mixed roles for a dozen seconds. No 5xx, nobody left signed out, and every write answered is one row (a refused
one none). Times are not checked here: they belong to the benchmark (`make load`, docs/performance.md)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

from tests.load.client import run_mixed
from tests.load.cpu import PROC, CpuWindow
from tests.load.server import gunicorn, postmaster_pid, seed
from tests.support import drop_isolated_schema, isolated_database_url

BASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not BASE_URL or make_url(BASE_URL).get_backend_name() != "postgresql",
    reason="the load test runs gunicorn's two workers against PostgreSQL, as `make load` does (the PostgreSQL run "
           "of .ci/run); SQLite takes one writer at a time, which is not what it measures")


@pytest.fixture
def load_database(tmp_path):
    url = isolated_database_url(BASE_URL, "load_short", tmp_path)
    try:
        seed(url, households=200, fresh=False)
        yield url
    finally:
        drop_isolated_schema(BASE_URL, "load_short")


def test_mixed_people_get_no_server_error_and_no_write_is_lost_or_doubled(load_database, tmp_path):
    with gunicorn(load_database, workers=2, log_path=tmp_path / "gunicorn.log") as served:
        cpu = CpuWindow(served.pid, postmaster_pid(load_database))
        run = run_mixed(served.base, load_database, users=10, seconds=12, write_every=2, window=lambda: cpu)
    results = run.results
    log = (tmp_path / "gunicorn.log").read_text()
    assert run.signed_in == run.wanted == 10
    assert results.five_xx == 0, (results.server_errors, log[-3000:])
    assert not results.errors
    assert run.write_problems == []
    assert sum(results.accepted.values()) > 0  # writes were made (and each was found exactly once)
    # `make load`'s CPU figures: the window opened after signing in (run_mixed), the app's workers counted with it.
    figures = cpu.per_request(results.requests)
    if PROC.is_dir():
        parts = figures["app_ms"] + figures["client_ms"] + figures.get("database_ms", 0)
        assert figures["app_ms"] > 0 and figures.get("database_ms", 0) >= 0
        assert figures["all_ms"] == pytest.approx(parts, abs=0.02)
