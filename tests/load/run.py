"""`make load`: seed PostgreSQL at agency scale, serve the portal with gunicorn (2 workers) on loopback, then run
the anonymous home page (the baseline) and signed-in people of mixed roles, each for the same time; then, reported
only, the same people asking for the trivial signed-in page (the most any signed-in mix could reach).

Exit status 1 when any answer was a 5xx, a write was lost or duplicated, or the signed-in pages got less than a third
of the baseline's requests per second. Settings (environment): LOAD_HOUSEHOLDS (10000), LOAD_USERS (50),
LOAD_SECONDS (60), LOAD_DATABASE_URL (else DATABASE_URL's server with `_load`, else portal_load on 127.0.0.1),
LOAD_KEEP_DATABASE=1 (reuse a database seeded by an earlier run instead of seeding again).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from tests.load.client import run_anonymous, run_mixed
from tests.load.cpu import CpuWindow, describe
from tests.load.server import ROOT, gunicorn, load_database_url, postmaster_pid, seed

MIN_RATIO = 1 / 3


def main() -> int:
    households = int(os.environ.get("LOAD_HOUSEHOLDS", 10_000))
    users = int(os.environ.get("LOAD_USERS", 50))
    seconds = float(os.environ.get("LOAD_SECONDS", 60))
    url = load_database_url()
    if os.environ.get("LOAD_KEEP_DATABASE") != "1":
        started = time.perf_counter()
        print(f"seeding {households} households into a fresh database ...", flush=True)
        seed(url, households)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    log_path = ROOT / "instance" / "load-gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)
    postmaster = postmaster_pid(url)
    with gunicorn(url, workers=2, log_path=log_path) as served:
        print(f"gunicorn (2 workers) at {served.base}; {users} people, {seconds:.0f} s each run", flush=True)
        with CpuWindow(served.pid, postmaster) as baseline_cpu:
            baseline = run_anonymous(served.base, users, seconds)
        baseline_figures = baseline_cpu.per_request(baseline.requests)
        print(json.dumps(baseline.summary("anonymous home")), flush=True)
        print(describe(baseline_figures), flush=True)
        mixed_cpu = CpuWindow(served.pid, postmaster)  # opened after everyone signed in (run_mixed)
        mixed = run_mixed(served.base, url, users, seconds, window=lambda: mixed_cpu)
        # Reported, not a target: the same people asking only for the trivial signed-in page (session, user, menu,
        # base template). Its requests per second are the most any mix of signed-in pages could reach here.
        floor_cpu = CpuWindow(served.pid, postmaster)
        floor = run_mixed(served.base, url, users, seconds, window=lambda: floor_cpu, base_template_only=True)
    results = mixed.results
    print(f"signed in: {mixed.signed_in} of {mixed.wanted} in {mixed.sign_in_seconds:.1f} s")
    mixed_figures = mixed_cpu.per_request(results.requests)
    print(json.dumps(results.summary("signed-in mixed")))
    print(describe(mixed_figures))
    print("\n".join(results.page_table()))
    accepted = sum(results.accepted.values())
    refused = sum(results.refused.values())
    print(f"writes: {accepted} accepted, {refused} refused; by kind: "
          + ", ".join(f"{kind} {sum(n for (k, _u), n in results.accepted.items() if k == kind)}"
                      for kind in ("enrollment", "message", "section")))
    ratio = results.rps / baseline.rps if baseline.rps else 0.0
    floor_results = floor.results
    floor_figures = floor_cpu.per_request(floor_results.requests)
    floor_ratio = floor_results.rps / baseline.rps if baseline.rps else 0.0
    print(json.dumps(floor_results.summary("signed-in base template")))
    print(describe(floor_figures))
    print(f"ratio to the anonymous home: signed-in mixed {ratio:.2f}, signed-in base template {floor_ratio:.2f} "
          f"(the mixed pages get {results.rps / floor_results.rps if floor_results.rps else 0:.2f} of the base "
          f"template's requests per second)")
    failures = []
    five_xx = baseline.five_xx + results.five_xx + floor_results.five_xx
    if five_xx or results.server_errors or floor_results.server_errors:
        failures.append(f"5xx answers: {five_xx} ({(results.server_errors + floor_results.server_errors)[:5]})")
    if baseline.errors or results.errors or floor_results.errors:
        failures.append("requests without an answer: "
                        f"{dict(baseline.errors + results.errors + floor_results.errors)}")
    failures += mixed.write_problems + floor.write_problems
    for run in (mixed, floor):
        if run.signed_in < run.wanted:
            failures.append(f"only {run.signed_in} of {run.wanted} people could sign in")
    if ratio < MIN_RATIO:
        failures.append(f"signed-in rps is {ratio:.2f} of the baseline's (at least {MIN_RATIO:.2f} wanted)")
    print(json.dumps({"households": households, "users": users, "seconds": seconds,
                      "baseline": baseline.summary("anonymous home"), "mixed": results.summary("signed-in mixed"),
                      "ratio": round(ratio, 3),
                      "base_template": floor_results.summary("signed-in base template"),
                      "base_template_ratio": round(floor_ratio, 3),
                      "cpu_per_request": {"anonymous home": baseline_figures, "signed-in mixed": mixed_figures,
                                          "signed-in base template": floor_figures},
                      "writes_accepted": accepted, "writes_refused": refused,
                      "failures": failures}))
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
