"""Scheduled jobs run on several machines at once (issue 14): two copies of a job started at the same moment, each
with its own connection and transaction against one committed database, handle every due item exactly once.
Emails are counted where they arrive, at the suite's loopback SMTP server.

Runs on the database DATABASE_URL names (SQLite by default; PostgreSQL in CI's second run)."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from app import create_app
from licensing.application.models import Application
from licensing.tracker.models import HomeStudyVisit, VisitKind, VisitStatus
from licensing.tracker.reminders import send_reminders_command
from portal import emails, jobs
from portal.database import now_utc
from portal.models import Household, OutboxMessage, OutboxStatus, Role, User
from tests.conftest import build_schema, config_for_tests
from tests.multi_server.support import TEST_REDIS_URL, delete_run_keys, run_key
from tests.portal.test_mail import SMTPServer
from tests.support import drop_isolated_schema, isolated_database_url

DUE = 200
SCHEMA = "multi_server_jobs"


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def job_locks_of_this_run(monkeypatch) -> None:
    """Every job lock these tests take is this run's own: its Redis key and its PostgreSQL advisory lock key (both
    from portal.jobs.KEY_PREFIX + the job's name) carry REDIS_RUN_PREFIX, so a second suite run on the same database
    or Redis at the same moment neither holds "send-reminders" against this one nor is held by it."""
    monkeypatch.setattr(jobs, "KEY_PREFIX", jobs.KEY_PREFIX + run_key(""))


@pytest.fixture
def committed_app(database_url, tmp_path, smtp) -> Iterator[Flask]:
    url = isolated_database_url(database_url, SCHEMA, tmp_path)
    build_schema(url).dispose()
    app = create_app(config_for_tests(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False,
                                      MAIL_DEFAULT_SENDER="agency@example.com"))
    try:
        yield app
    finally:
        app.extensions["database"].engine.dispose()
        drop_isolated_schema(database_url, SCHEMA)


def _at_once(count: int, work) -> list[BaseException]:
    """Run `work(n)` in `count` threads released together; the exceptions they raised."""
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            work(n)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


def _arrived(smtp: SMTPServer, expected: int) -> Counter:
    deadline = time.monotonic() + 10
    while len(smtp.inbox.messages) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a duplicate would arrive right behind the last one
    return Counter(message["To"] for message in smtp.inbox.messages)


def test_two_senders_at_once_send_each_message_once(committed_app, smtp):
    app = committed_app
    now = now_utc()
    with Session(app.extensions["database"].engine) as session:
        session.execute(insert(OutboxMessage), [
            {"recipient": f"family{n}@example.com", "locale": "en", "template": "password_changed",
             "subject": f"Message {n}", "body_text": "Hello", "body_html": "<p>Hello</p>", "created_at": now,
             "next_attempt_at": now} for n in range(DUE)])
        session.commit()
    counts: list[dict] = []

    def send(_n: int) -> None:
        with app.app_context():
            counts.append(emails.deliver_due(limit=DUE))

    assert _at_once(2, send) == []
    arrived = _arrived(smtp, DUE)
    assert len(arrived) == DUE and set(arrived.values()) == {1}  # every message once, none twice
    assert sum(c["sent"] for c in counts) == DUE
    with Session(app.extensions["database"].engine) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def _families_with_a_visit_tomorrow(app: Flask) -> None:
    engine = app.extensions["database"].engine
    tomorrow = now_utc() + timedelta(hours=20)
    with Session(engine) as session:
        homefinder = User(email="homefinder@example.com", full_name="Hana Finder", role=Role.HOMEFINDER,
                          email_confirmed_at=now_utc())
        session.add(homefinder)
        session.flush()
        household_ids = list(session.scalars(insert(Household).returning(Household.id),
                                             [{"name": f"Family {n}"} for n in range(DUE)]))
        session.execute(insert(User), [
            {"email": f"family{n}@example.com", "full_name": f"Family {n}", "role": Role.FAMILY,
             "household_id": household_id, "email_confirmed_at": now_utc(), "preferred_locale": "en"}
            for n, household_id in enumerate(household_ids)])
        application_ids = list(session.scalars(insert(Application).returning(Application.id),
                                               [{"household_id": household_id} for household_id in household_ids]))
        session.execute(insert(HomeStudyVisit), [
            {"application_id": application_id, "kind": VisitKind.JOINT_INTERVIEW, "status": VisitStatus.SCHEDULED,
             "homefinder_id": homefinder.id, "starts_at": tomorrow} for application_id in application_ids])
        session.commit()


def test_two_runs_of_send_reminders_at_once_remind_each_visit_once(committed_app, smtp):
    """The hourly reminders started on two machines in the same second: each visit's day-before reminder goes to its
    family once, and the homefinder gets one per visit."""
    app = committed_app
    _families_with_a_visit_tomorrow(app)
    run = send_reminders_command.callback.__wrapped__  # the command inside flask's with_appcontext

    def remind(_n: int) -> None:
        with app.app_context():
            run(today=None)

    assert _at_once(2, remind) == []
    with app.app_context():
        emails.deliver_due(limit=10 * DUE)
    arrived = _arrived(smtp, 2 * DUE)
    assert arrived.pop("homefinder@example.com") == DUE
    assert len(arrived) == DUE and set(arrived.values()) == {1}
    with Session(app.extensions["database"].engine) as session:
        assert None not in set(session.scalars(select(HomeStudyVisit.reminder_sent_at)))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="on SQLite a job's transaction takes the write lock at BEGIN (portal.database.begin_writes_immediately): "
           "a second run reads only after the first committed, finds no visit left and never reaches the claim, "
           "which is what keeps two runs on PostgreSQL (read committed, no lock at BEGIN) to one reminder a visit")
def test_two_runs_past_the_lock_still_claim_each_visit_once(committed_app, smtp, monkeypatch):
    """The row claims docs/deployment.md relies on when two runs both got past the lock (a Redis lock that expired
    under a stalled process): the lock is made to let every run in, both runs read every visit as not yet reminded,
    and only then do both make their claim (the conditional UPDATE). Each visit is still reminded once."""
    app = committed_app
    _families_with_a_visit_tomorrow(app)
    entered: list[str] = []

    @contextmanager
    def always_enter(name: str, *, ttl_seconds: int = 600) -> Iterator[bool]:
        entered.append(name)
        yield True

    monkeypatch.setattr(jobs, "single_runner", always_enter)  # runs_alone looks it up when the command runs
    claims: dict[int, int] = {}  # thread -> rows its claim stamped
    both_read = threading.Barrier(2, timeout=30)

    def is_claim(statement: str) -> bool:
        return " ".join(statement.split()).upper().startswith("UPDATE HOME_STUDY_VISIT SET REMINDER_SENT_AT")

    def before(conn, cursor, statement, parameters, context, executemany):
        if is_claim(statement):
            both_read.wait()  # neither claims before the other has read the visits as due

    def after(conn, cursor, statement, parameters, context, executemany):
        if is_claim(statement):
            claims[threading.get_ident()] = cursor.rowcount

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    run = send_reminders_command.callback.__wrapped__
    try:
        assert _at_once(2, lambda _n: _in_context(app, run)) == []
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert entered == ["send-reminders", "send-reminders"]  # both runs got past the lock
    assert len(claims) == 2 and sum(claims.values()) == DUE  # both reached the claim; each visit claimed by one
    with app.app_context():
        emails.deliver_due(limit=10 * DUE)
    arrived = _arrived(smtp, 2 * DUE)
    assert arrived.pop("homefinder@example.com") == DUE
    assert len(arrived) == DUE and set(arrived.values()) == {1}


def _in_context(app: Flask, command) -> None:
    with app.app_context():
        command(today=None)


@pytest.mark.parametrize("backend", ["database", pytest.param("redis", marks=pytest.mark.needs_redis)])
def test_single_runner_lets_one_of_two_copies_in(committed_app, backend):
    """The lock itself: two copies of a job at the same moment, one runs and the other is told it is taken; once the
    first is done, the job can run again. `database`: PostgreSQL's advisory lock, or SQLite's file lock."""
    app = committed_app
    if backend == "redis":
        app.config["REDIS_URL"] = TEST_REDIS_URL
    name = "multi-server-test"
    entered: list[bool] = []
    both_tried = threading.Barrier(2, timeout=30)

    def job(_n: int) -> None:
        with app.app_context(), jobs.single_runner(name, ttl_seconds=5) as acquired:
            entered.append(acquired)
            both_tried.wait()  # whoever got the lock holds it until the other copy has tried

    try:
        assert _at_once(2, job) == []
        assert sorted(entered) == [False, True]
        with app.app_context(), jobs.single_runner(name, ttl_seconds=5) as acquired:
            assert acquired  # released after the first run
    finally:
        if backend == "redis":
            delete_run_keys()


def test_other_writers_go_on_while_a_sender_talks_smtp(committed_app, monkeypatch):
    """No transaction is open while a batch's messages go over SMTP (seconds for a batch): on SQLite an open write
    transaction there would answer every request that writes meanwhile "database is locked"."""
    from tests.portal.test_mail import FakeSMTP

    app = committed_app
    engine = app.extensions["database"].engine
    now = now_utc()
    with Session(engine) as session:
        session.execute(insert(OutboxMessage), [
            {"recipient": f"family{n}@example.com", "locale": "en", "template": "password_changed",
             "subject": f"Message {n}", "body_text": "Hello", "body_html": "<p>Hello</p>", "created_at": now,
             "next_attempt_at": now} for n in range(3)])
        session.commit()
    written: list[str] = []

    def another_request_writes(_fake, message) -> None:
        # Another connection (a request on another worker) writes while this message is being sent.
        with engine.connect() as other:
            if engine.dialect.name == "sqlite":
                other.exec_driver_sql("PRAGMA busy_timeout = 1000")
            with Session(other) as session:
                session.add(Household(name=f"Written while sending to {message.recipients[0]}"))
                session.commit()
        written.append(message.recipients[0])

    monkeypatch.setattr(emails, "_TimedConnection", FakeSMTP(on_send=another_request_writes))
    with app.app_context():
        assert emails.deliver_due() == {"sent": 3, "logged": 0, "failed": 0, "retry": 0}
    assert written == [f"family{n}@example.com" for n in range(3)]
    with Session(engine) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}
