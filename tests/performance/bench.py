"""`make bench`: seed 1,000 and 10,000 households into fresh databases and time every main page for the person who
usually opens it, in-process through the WSGI app (Flask's test client): a few warm-up requests, then the median of
the timed ones, with the SQL statements each request issued. The timed requests go in three rounds, every page (and
the baseline) timed in each for a third of them in a row, so a slower spell of the machine weighs on all alike.

    python -m tests.performance.bench [--sizes 1000,10000] [--requests 15] [--warmup 3] [--keep]

SQLite by default (files in a temporary directory). With DATABASE_URL set to a PostgreSQL database, say
`.../test_bench`, it uses two databases named after it instead, `test_bench1k` and `test_bench10k`: dropped if they
exist, created, and dropped again at the end (`--keep` keeps them, and the SQLite files).

It prints a table, checks the targets of docs/performance.md (at the largest size every page's median is under
MAX_RATIO times the baseline page's and under MAX_MEDIAN_MS; every page issues the same number of statements at
every size, at most MAX_STATEMENTS), lists what misses them, and prints as its last line one JSON object with the
figures. It exits with 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.performance.pages import (
    BASELINE,
    MAX_MEDIAN_MS,
    MAX_RATIO,
    MAX_STATEMENTS,
    PAGES,
    Accounts,
    Page,
    counting_statements,
    find_accounts,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Measure:
    median_ms: float
    statements: int
    cpu_ms: float = 0.0  # the median of this process's CPU time per request: less swayed by other work on the machine
    statement_counts: list[int] = field(default_factory=list)  # of every timed request (they should all be equal)


@dataclass
class SizeResult:
    size: int
    database: str
    seed_seconds: float
    accounts: Accounts
    baseline: Measure
    pages: dict[str, Measure]


# -- databases ----------------------------------------------------------------------------------------------------


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def database_for(size: int, base_url: str | None, sqlite_dir: Path) -> str:
    """A fresh, empty database for one size: a new SQLite file, or a PostgreSQL database dropped and created."""
    if not base_url or make_url(base_url).get_backend_name() == "sqlite":
        path = sqlite_dir / f"bench{size_label(size)}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(base_url)
    name = f"{url.database}{size_label(size)}"
    _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url_text: str) -> None:
    url = make_url(url_text)
    if url.get_backend_name() == "sqlite":
        Path(url.database).unlink(missing_ok=True)
    else:
        _postgres_admin(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _postgres_admin(url, *statements: str) -> None:
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def seed(url: str, size: int) -> float:
    """`flask upgrade-db` then `flask seed-demo --households N`, as a person would run them; the seed's seconds."""
    env = {**os.environ, "DATABASE_URL": url}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "upgrade-db"], cwd=ROOT, env=env, check=True, stdout=sys.stderr,
                   stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([*flask, "seed-demo", "--households", str(size)], cwd=ROOT, env=env, check=True,
                   stdout=sys.stderr)
    return time.perf_counter() - started


# -- timing -------------------------------------------------------------------------------------------------------

ROUNDS = 3  # the timed requests of every page are spread over this many rounds (measure_all)


def bench_app(url: str):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "MAIL_DELIVER_INLINE": False,
                       "MAIL_SERVER": "", "ENV_NAME": "development"})


def signed_in_client(app, user_id: int):
    """A test client signed in as the person, by a fresh session row (as /login leaves it, without its Argon2
    check): fresh, so no request of the page's run writes its "last seen"."""
    from portal.extensions import db
    from portal.models import User
    from tests.support import start_session_key

    with app.app_context():
        key = start_session_key(db.session, db.session.get(User, user_id))
    client = app.test_client()
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = key
        session["_fresh"] = True
    return client


def measure_all(app, engine, pages: list[Page], accounts: Accounts, warmup: int, requests: int) -> list[Measure]:
    """Each page's median of `requests` timed requests, taken in ROUNDS rounds: a round times every page (the
    baseline first) for its share of the requests in a row, after one untimed request of it. In a row, as a person
    reading one page after another, so every page is timed warm as before; in rounds, so a spell when the machine
    runs slower (other work on it) falls on the baseline and the pages alike instead of on whichever page was being
    timed then."""
    clients = []
    for page in pages:
        client, path = signed_in_client(app, accounts.user_for(page.role)), page.path(accounts)
        for _ in range(warmup):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{page.name}: GET {path} answered {response.status_code}, not 200")
        clients.append((client, path))
    gc.collect()
    times: list[list[float]] = [[] for _ in pages]
    cpu_times: list[list[float]] = [[] for _ in pages]
    counts: list[list[int]] = [[] for _ in pages]
    per_round = [requests // ROUNDS + (1 if number < requests % ROUNDS else 0) for number in range(ROUNDS)]
    for share in per_round:
        for index, (page, (client, path)) in enumerate(zip(pages, clients, strict=True)):
            if share:
                client.get(path)  # untimed: the page's code and rows warm again after the other pages
            for _ in range(share):
                with counting_statements(engine) as counter:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                assert response.status_code == 200, (page.name, path, response.status_code)
                times[index].append(elapsed * 1000)
                cpu_times[index].append(cpu * 1000)
                counts[index].append(counter.count)
    return [Measure(round(statistics.median(times[index]), 1), Counter(counts[index]).most_common(1)[0][0],
                    statement_counts=counts[index], cpu_ms=round(statistics.median(cpu_times[index]), 1))
            for index in range(len(pages))]


def bench_size(size: int, url: str, seed_seconds: float, warmup: int, requests: int) -> SizeResult:
    from portal.extensions import db

    app = bench_app(url)
    engine = app.extensions["database"].engine
    with app.app_context():
        accounts = find_accounts()
        db.session.rollback()
    baseline, *measured = measure_all(app, engine, [BASELINE, *PAGES], accounts, warmup, requests)
    pages = dict(zip((page.name for page in PAGES), measured, strict=True))
    for page in PAGES:
        print(f"  {size:>6}  {page.name:<46} {pages[page.name].median_ms:>7.1f} ms  "
              f"{pages[page.name].cpu_ms:>7.1f} cpu ms {pages[page.name].statements:>3} statements", file=sys.stderr)
    engine.dispose()
    return SizeResult(size, url, seed_seconds, accounts, baseline, pages)


# -- the report ---------------------------------------------------------------------------------------------------


def ratio(measure_: Measure, baseline: Measure) -> float:
    return round(measure_.median_ms / baseline.median_ms, 2)


def figures(results: list[SizeResult]) -> dict:
    """The JSON object of the issue: sizes, the baseline's median, and each page's median, ratio and statements."""
    return {
        "sizes": [r.size for r in results],
        "baseline_ms": {str(r.size): r.baseline.median_ms for r in results},
        "pages": [
            {
                "name": page.name,
                "role": page.role,
                "median_ms": {str(r.size): r.pages[page.name].median_ms for r in results},
                "ratio": {str(r.size): ratio(r.pages[page.name], r.baseline) for r in results},
                "statements": {str(r.size): r.pages[page.name].statements for r in results},
            }
            for page in PAGES
        ],
    }


def failures(results: list[SizeResult]) -> list[str]:
    """What misses the targets: times at the largest size, statements at every size."""
    missed = []
    largest = results[-1]
    for page in PAGES:
        at_largest = largest.pages[page.name]
        if at_largest.median_ms >= MAX_MEDIAN_MS:
            missed.append(f"{page.name}: {at_largest.median_ms} ms at {largest.size} (target < {MAX_MEDIAN_MS:g} ms)")
        if ratio(at_largest, largest.baseline) >= MAX_RATIO:
            missed.append(f"{page.name}: {ratio(at_largest, largest.baseline)}x the baseline at {largest.size} "
                          f"(target < {MAX_RATIO:g}x)")
        counts = {r.size: r.pages[page.name].statements for r in results}
        if len(set(counts.values())) > 1:
            missed.append(f"{page.name}: statements differ between sizes {counts}")
        if max(counts.values()) > MAX_STATEMENTS:
            missed.append(f"{page.name}: {max(counts.values())} statements (target ≤ {MAX_STATEMENTS})")
        for r in results:
            if len(set(r.pages[page.name].statement_counts)) > 1:
                missed.append(f"{page.name}: statements vary between requests at {r.size}: "
                              f"{r.pages[page.name].statement_counts}")
    return missed


def table(results: list[SizeResult], backend: str) -> str:
    sizes = [r.size for r in results]
    head = f"{'page':<46} {'role':<11}" + "".join(f" | {s:>6}: ms  xbase  cpu ms stmts" for s in sizes)
    lines = [f"Pages at {', '.join(f'{s:,}' for s in sizes)} households on {backend} (medians of the timed "
             "requests, in-process; cpu: this process's CPU time)", head, "-" * len(head)]
    row = f"{BASELINE.name:<46} {BASELINE.role:<11}"
    for r in results:
        row += f" | {r.baseline.median_ms:>10.1f}   1.00 {r.baseline.cpu_ms:>7.1f} {r.baseline.statements:>5}"
    lines.append(row)
    for page in PAGES:
        row = f"{page.name:<46} {page.role:<11}"
        for r in results:
            m = r.pages[page.name]
            row += f" | {m.median_ms:>10.1f} {ratio(m, r.baseline):>6.2f} {m.cpu_ms:>7.1f} {m.statements:>5}"
        lines.append(row)
    lines.append("seeding: " + ", ".join(f"{r.size:,} households in {r.seed_seconds:.1f} s" for r in results))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.performance.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="households per database, comma-separated")
    parser.add_argument("--requests", type=int, default=15,
                        help="timed requests per page, over three rounds (the median is kept)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--keep", action="store_true", help="keep the databases (and SQLite files) afterwards")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    base_url = os.environ.get("DATABASE_URL")
    backend = "PostgreSQL" if base_url and make_url(base_url).get_backend_name() == "postgresql" else "SQLite"
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        sqlite_dir = Path(tmp) if not args.keep else Path(tempfile.mkdtemp(prefix="portal-bench-"))
        urls = []
        try:
            for size in sizes:
                url = database_for(size, base_url, sqlite_dir)
                urls.append(url)
                print(f"seeding {size:,} households into {make_url(url).render_as_string()}", file=sys.stderr)
                seconds = seed(url, size)
                results.append(bench_size(size, url, seconds, args.warmup, args.requests))
        finally:
            if not args.keep:
                for url in urls:
                    drop_database(url)
    print(table(results, backend))
    missed = failures(results)
    if missed:
        print(f"\n{len(missed)} target(s) missed:")
        print("\n".join(f"- {line}" for line in missed))
    else:
        print("\nEvery page meets the targets.")
    print(json.dumps(figures(results)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
