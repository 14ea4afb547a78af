"""The load run's CPU accounting (tests/load/cpu.py) counts what it says: a process with its children, those still
running and those that ended inside the window, the load client itself, and nothing outside the tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress

import pytest

from tests.load.cpu import PROC, CpuWindow, describe, own_seconds, tree_seconds

pytestmark = pytest.mark.skipif(not PROC.is_dir(), reason="reads /proc (Linux)")

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"
# A parent that burns nothing; its child burns, then ends (the parent waits for it: its cutime), then the parent
# waits to be killed. gunicorn's master and its workers, PostgreSQL's postmaster and its backends, in small.
PARENT = ("import subprocess, sys, time\n"
          "subprocess.run([sys.executable, '-c', {burn!r}])\n"
          "open({done!r}, 'w').close()\n"
          "time.sleep(60)\n")


def _start(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)  # its own group, killed whole


def _kill(*processes: subprocess.Popen) -> None:
    for process in processes:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for(path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the child never finished burning"
        time.sleep(0.05)


def test_a_tree_keeps_the_cpu_of_a_child_that_ended_and_counts_nothing_outside_it(tmp_path):
    done = tmp_path / "done"
    idle = _start("import time; time.sleep(60)")
    with CpuWindow(idle.pid, None) as outside:
        parent = _start(PARENT.format(burn=BURN.format(seconds=0.4), done=str(done)))
        try:
            _wait_for(done)
            assert tree_seconds(parent.pid) >= 0.35  # the worker ended: its CPU is the parent's now
        finally:
            _kill(parent)
    try:
        assert own_seconds() > 0.3  # this process (pytest) has burned CPU: a walk up or across would count it
        assert tree_seconds(idle.pid) < 0.2 and outside.app < 0.2
    finally:
        _kill(idle)


def test_a_tree_counts_a_child_still_running(tmp_path):
    """A worker that burned and lives on (not waited for yet) is counted through the walk down the tree."""
    done = tmp_path / "done"
    burn_then_live = BURN.format(seconds=0.4) + f"open({str(done)!r}, 'w').close()\nimport time\ntime.sleep(60)\n"
    parent = _start(f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {burn_then_live!r}])")
    try:
        _wait_for(done)
        assert tree_seconds(parent.pid) >= 0.35
    finally:
        _kill(parent)


def test_a_window_splits_the_cpu_between_the_app_and_the_client():
    app = _start("import time; time.sleep(60)")  # stands for gunicorn: idle while the client works
    try:
        with CpuWindow(app.pid, None) as window:
            end = time.process_time() + 0.3
            while time.process_time() < end:  # the client's own work
                pass
        figures = window.per_request(3)
        assert window.client >= 0.25 and window.app < 0.1
        assert figures["client_ms"] >= 80 and "database_ms" not in figures
        assert figures["all_ms"] == pytest.approx(figures["app_ms"] + figures["client_ms"], abs=0.02)
        assert "PostgreSQL not counted" in describe(figures)
    finally:
        _kill(app)
