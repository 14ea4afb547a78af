"""The load run's CPU accounting (tests/load/cpu.py) counts what it says: a process and its children, the load client
itself, and nothing of a process outside the tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.load.cpu import PROC, CpuWindow, _processes, describe, tree_seconds

pytestmark = pytest.mark.skipif(not PROC.is_dir(), reason="reads /proc (Linux)")

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\ntime.sleep(30)"


def _burning_child(seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BURN.format(seconds=seconds)])


def _wait_for_cpu(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + 30
    while tree_seconds(pid) < seconds:
        assert time.monotonic() < deadline, "the child never used its CPU"
        time.sleep(0.05)


def test_a_process_tree_counts_its_children_and_only_them():
    """gunicorn's master burns nothing; its workers do: the tree counts them. A process outside it is not counted."""
    spawn = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {BURN.format(seconds=0.4)!r}])"
    parent = subprocess.Popen([sys.executable, "-c", spawn])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _wait_for_cpu(parent.pid, 0.35)
        assert tree_seconds(idle.pid) < 0.2  # the other tree's burning is not its own
    finally:
        for process in (parent, idle):
            for pid, (_name, parent_pid, _seconds) in _processes().items():
                if parent_pid == process.pid:
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()


def test_a_window_splits_the_cpu_between_the_app_and_the_client():
    app = _burning_child(0.0)  # stands for gunicorn: idle until told otherwise
    try:
        with CpuWindow(app.pid, database_local=False) as window:
            end = time.process_time() + 0.3
            while time.process_time() < end:  # the client's own work
                pass
        figures = window.per_request(3)
        assert window.client >= 0.25 and window.app < 0.1
        assert figures["client_ms"] >= 80 and "database_ms" not in figures
        assert figures["all_ms"] == pytest.approx(figures["app_ms"] + figures["client_ms"], abs=0.02)
        assert "PostgreSQL not counted" in describe(figures)
    finally:
        app.kill()
        app.wait()
