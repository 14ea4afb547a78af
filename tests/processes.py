"""gunicorn started by tests and `make load` on a loopback port of its own.

gunicorn binds 127.0.0.1:0 itself and says which port it got ("Listening at: http://127.0.0.1:PORT" in its log):
no port is picked in advance, so nothing else can take it between the pick and gunicorn's bind."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTENING_RE = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


def start_gunicorn(app: str, options: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn serving `app` ("module:callable") on 127.0.0.1:0, its output (stdout and stderr) written to `log`."""
    with log.open("wb") as output:
        return subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", *options, app],
                                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def listening_url(process: subprocess.Popen, log: Path, timeout: float = 120) -> str:
    """The base URL gunicorn says it listens at, once it has said so (a loaded machine starts it slowly)."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(errors="replace") if log.exists() else ""
        match = LISTENING_RE.search(text)
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {process.returncode}) before listening: {text[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not listen within {timeout:.0f} s: {text[-3000:]}")
        time.sleep(0.05)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if gunicorn has not stopped within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
