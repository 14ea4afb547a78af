"""Where a load run's CPU goes: the app (gunicorn's master and workers), PostgreSQL (every `postgres` process, when
the database is on this machine) and the load client itself, read from /proc around the measured window and divided
by the requests answered in it. Requests per second move 5-10 % from run to run on a shared machine; the CPU a request
costs moves much less, and says which part to make cheaper (docs/performance.md, "Load")."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds in user and kernel mode) of a live process, or None."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _processes() -> dict[int, tuple[str, int, float]]:
    found = {}
    if PROC.is_dir():
        for entry in PROC.iterdir():
            if entry.name.isdigit() and (stat := _stat(entry.name)) is not None:
                found[int(entry.name)] = stat
    return found


def tree_seconds(root: int, processes: dict[int, tuple[str, int, float]] | None = None) -> float:
    """CPU seconds of a live process and of its live descendants (gunicorn's master and its workers)."""
    processes = _processes() if processes is None else processes
    children: dict[int, list[int]] = {}
    for pid, (_name, parent, _seconds) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, waiting = 0.0, [root]
    while waiting:
        pid = waiting.pop()
        if pid in processes:
            total += processes[pid][2]
        waiting += children.get(pid, [])
    return total


def named_seconds(name: str, processes: dict[int, tuple[str, int, float]] | None = None) -> float:
    """CPU seconds of every live process called `name` (PostgreSQL's backends and its own workers)."""
    processes = _processes() if processes is None else processes
    return sum(seconds for process_name, _parent, seconds in processes.values() if process_name == name)


def own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process: the load client
    return usage.ru_utime + usage.ru_stime


class CpuWindow:
    """`with CpuWindow(gunicorn's pid, whether PostgreSQL is local):` CPU seconds each part spends until the block
    ends, and how long it was open."""

    def __init__(self, app_pid: int, database_local: bool) -> None:
        self.app_pid = app_pid
        self.database_counted = database_local
        self.app = self.database = self.client = self.wall = 0.0
        self._before: tuple[float, float, float, float] | None = None

    def _read(self) -> tuple[float, float, float, float]:
        processes = _processes()
        database = named_seconds("postgres", processes) if self.database_counted else 0.0
        return tree_seconds(self.app_pid, processes), database, own_seconds(), time.monotonic()

    def __enter__(self) -> CpuWindow:
        self._before = self._read()
        return self

    def __exit__(self, *_exc) -> None:
        after = self._read()
        self.app, self.database, self.client, self.wall = (b - a for a, b in zip(self._before, after, strict=True))

    def per_request(self, requests: int) -> dict:
        """Milliseconds per request of each part and in all, and how busy the machine's cores were."""
        if not requests or not self.wall or not PROC.is_dir():
            return {}
        figures = {"app_ms": self.app, "client_ms": self.client}
        if self.database_counted:
            figures["database_ms"] = self.database
        figures = {key: round(1000 * value / requests, 2) for key, value in figures.items()}
        figures["all_ms"] = round(sum(figures.values()), 2)
        figures["busy_percent"] = round(100 * (self.app + self.database + self.client) / self.wall)
        figures["cores"] = os.cpu_count() or 1
        return figures


def describe(figures: dict) -> str:
    if not figures:
        return "CPU per request: not measured (no /proc here)"
    database = f"PostgreSQL {figures['database_ms']:.2f} ms, " if "database_ms" in figures else \
        "PostgreSQL not counted (not on this machine), "
    return (f"CPU per request: app {figures['app_ms']:.2f} ms, {database}client {figures['client_ms']:.2f} ms, "
            f"all {figures['all_ms']:.2f} ms (together {figures['busy_percent']} % of the "
            f"{100 * figures['cores']} % the cores give; anything else running takes the rest)")
