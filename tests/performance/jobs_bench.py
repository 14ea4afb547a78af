"""The cron jobs at agency scale (issue 14: "the reminder and send-mail jobs handle 10,000 due items in under a
minute"). `make bench-jobs` (or `python -m tests.performance.jobs_bench --items 10000`) builds a fresh database
(a throw-away SQLite file, or the PostgreSQL database DATABASE_URL names, in a schema of its own), seeds N due
items by bulk inserts, and times:

- send-reminders: N home-study visits tomorrow, each reminded to its family and its homefinder (2N emails queued);
- send-mail: the 2N queued messages, delivered over one connection to an SMTP server on loopback (aiosmtpd's
  Sink handler, in a process of its own).

It prints a table and, as its last line, a JSON object {"database": .., "items": .., "jobs": [{"name", "items",
"seconds", "cpu_seconds", "per_second", "under_a_minute"}]}. Seconds are wall-clock; cpu_seconds are this
process's own (not the database's nor the SMTP server's), a steadier figure on a shared machine."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

SCHEMA = "jobs_bench"


def _seed_visits(engine, items: int) -> None:
    from licensing.application.models import Application
    from licensing.tracker.models import HomeStudyVisit, VisitKind, VisitStatus
    from portal.database import now_utc
    from portal.models import Household, Role, User

    tomorrow = now_utc() + timedelta(hours=20)
    with Session(engine) as session:
        homefinder = User(email="homefinder@example.com", full_name="Hana Finder", role=Role.HOMEFINDER,
                          email_confirmed_at=now_utc())
        session.add(homefinder)
        session.flush()
        for start in range(0, items, 2000):
            count = min(2000, items - start)
            households = list(session.scalars(insert(Household).returning(Household.id),
                                              [{"name": f"Family {start + n}"} for n in range(count)]))
            session.execute(insert(User), [
                {"email": f"family{start + n}@example.com", "full_name": f"Family {start + n}", "role": Role.FAMILY,
                 "household_id": household, "email_confirmed_at": now_utc(),
                 "preferred_locale": "es" if n % 3 == 0 else "en"} for n, household in enumerate(households)])
            applications = list(session.scalars(insert(Application).returning(Application.id),
                                                [{"household_id": household} for household in households]))
            session.execute(insert(HomeStudyVisit), [
                {"application_id": application, "kind": VisitKind.JOINT_INTERVIEW, "status": VisitStatus.SCHEDULED,
                 "homefinder_id": homefinder.id, "starts_at": tomorrow} for application in applications])
        session.commit()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("the SMTP server did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from app import create_app
    from licensing.tracker.reminders import send_reminders
    from portal import emails
    from portal.clock import agency_today
    from portal.models import OutboxMessage, OutboxStatus
    from tests.conftest import build_schema, config_for_tests
    from tests.multi_server.support import free_port
    from tests.support import drop_isolated_schema, isolated_database_url

    folder = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    base = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'base.sqlite3'}"
    url = isolated_database_url(base, SCHEMA, folder)
    build_schema(url).dispose()
    port = free_port()
    # The SMTP server in a process of its own, as in production (in this process it would share the GIL).
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port)
    app = create_app(config_for_tests(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False,
                                      MAIL_DEFAULT_SENDER="agency@example.com"))
    engine = app.extensions["database"].engine
    database = engine.dialect.name
    results = []
    try:
        started = time.perf_counter()
        _seed_visits(engine, args.items)
        print(f"seeded {args.items} visits due tomorrow in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        with app.app_context():
            from portal.extensions import db

            started, cpu = time.perf_counter(), time.process_time()
            with db.unit_of_work():
                counts = send_reminders(agency_today())
            results.append(("send-reminders (visits)", counts["visits"], time.perf_counter() - started,
                            time.process_time() - cpu))
            assert counts["visits"] == args.items, counts

            started, cpu = time.perf_counter(), time.process_time()
            sent = emails.deliver_due(limit=10 * args.items)["sent"]
            results.append(("send-mail", sent, time.perf_counter() - started, time.process_time() - cpu))
        with Session(engine) as session:
            pending = session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status != OutboxStatus.SENT))
        assert pending == 0 and sent == 2 * args.items, (pending, sent)  # each accepted by the SMTP server
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)
        engine.dispose()
        drop_isolated_schema(base, SCHEMA)

    print(f"{'job':<28} {'items':>7} {'seconds':>8} {'cpu s':>7} {'per second':>11}")
    for name, items, seconds, cpu in results:
        print(f"{name:<28} {items:>7} {seconds:>8.1f} {cpu:>7.1f} {items / seconds:>11.0f}")
    print(json.dumps({"database": database, "items": args.items, "jobs": [
        {"name": name, "items": items, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
         "per_second": round(items / seconds), "under_a_minute": seconds < 60}
        for name, items, seconds, cpu in results]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
