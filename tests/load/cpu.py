"""Where a load run's CPU goes: the app (gunicorn's master and workers), PostgreSQL (its postmaster and every process
it started, when the server runs on this machine) and the load client itself, read from /proc around the measured
window and divided by the requests answered in it. Each tree is counted with what its processes spent and what their
children that ended spent (the parent's cutime and cstime, once it has waited for them), so a worker or a backend that
ends inside the window is neither lost nor subtracted. PostgreSQL's figure holds all of that server's work: another
client of the same server at the same time (a test run) is counted with it. Requests per second and CPU per request
both move run to run on a shared machine (10 % seen for the same code): compare several runs (docs/performance.md)."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of a live process, or None. The seconds are its own (utime, stime) and
    those of its children it has waited for (cutime, cstime): a tree's total then only grows."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()  # fields[0] is the state: field 3 of proc(5)
    return name, int(fields[1]), sum(int(value) for value in fields[11:15]) / TICKS


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


def parent_of(pid: int) -> int | None:
    stat = _stat(str(pid))
    return stat[1] if stat is not None else None


def own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process: the load client
    return usage.ru_utime + usage.ru_stime


class CpuWindow:
    """`with CpuWindow(gunicorn's pid, PostgreSQL's postmaster pid or None):` CPU seconds each part spends until the
    block ends, and how long it was open."""

    def __init__(self, app_pid: int, postmaster_pid: int | None) -> None:
        self.app_pid = app_pid
        self.postmaster_pid = postmaster_pid
        self.database_counted = postmaster_pid is not None
        self.app = self.database = self.client = self.wall = 0.0
        self._before: tuple[float, float, float, float] | None = None

    def _read(self) -> tuple[float, float, float, float]:
        processes = _processes()
        database = tree_seconds(self.postmaster_pid, processes) if self.postmaster_pid is not None else 0.0
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
