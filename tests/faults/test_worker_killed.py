"""A worker killed mid-request leaves no half-written record (issue 14, "Faults"): the portal runs as gunicorn runs it
(one worker, on loopback), a family's enrollment stops after it has written its seat, its row and its audit event
(not committed), the worker is killed with SIGKILL, and then: none of the enrollment's rows exist, the seat count is
as before, and the worker gunicorn starts in its place serves the same enrollment, once.

On the SQLite file DATABASE_URL leaves to the tests, or on a PostgreSQL schema of its own (tests/faults/killable_app.py
is the test-only app module with the pause)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from portal.database import make_engine, now_utc
from portal.models import AuditEvent, Household, OutboxMessage, Role, User
from tests.conftest import CSRF_RE, build_schema, config_for_tests
from tests.processes import listening_url, start_gunicorn, stop
from tests.support import drop_isolated_schema, isolated_database_url, start_session_key
from tests.training.catalog_support import add_applicants, add_course, add_session
from training.catalog.models import CourseSession, Enrollment

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "faults_killed"


@dataclass
class Portal:
    url: str
    database_url: str
    pause_file: Path
    process: subprocess.Popen
    log: Path


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def portal(database_url, tmp_path_factory) -> Iterator[Portal]:
    tmp_path = tmp_path_factory.mktemp(SCHEMA)
    url = isolated_database_url(database_url, SCHEMA, tmp_path)
    build_schema(url).dispose()
    pause_file, log = tmp_path / "paused.json", tmp_path / "gunicorn.log"
    env = dict(os.environ, FAULTS_DATABASE_URL=url, FAULTS_PAUSE_FILE=str(pause_file), PYTHONPATH=str(ROOT))
    process = start_gunicorn("tests.faults.killable_app:app", ["--preload", "--workers", "1", "--timeout", "120",
                                                               "--graceful-timeout", "1"], env=env, log=log)
    try:
        yield Portal(listening_url(process, log), url, pause_file, process, log)
    finally:
        stop(process, timeout=10)
        drop_isolated_schema(database_url, SCHEMA)


def _family_with_a_session(url: str, email: str) -> tuple[int, int, int, str]:
    """A family with one applicant, a 10-seat session with 3 taken, and a signed-in session: (member, course session,
    user, cookie key)."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        user = User(email=email, full_name="Ana Torres", role=Role.FAMILY, email_confirmed_at=now_utc(),
                    household=Household(name="Torres"))
        session.add(user)
        session.flush()
        member = add_applicants(session, user.household_id, user_id=user.id, co_applicant=False, email=email)[0]
        course_session = add_session(session, add_course(session), capacity=10)
        course_session.seats_taken = 3
        session.commit()
        key = start_session_key(session, user)
    engine.dispose()
    return member.id, course_session.id, user.id, key


def _browser(portal: Portal, key: str) -> requests.Session:
    """A browser holding the signed cookie of a signed-in session (signed as the portal signs it)."""
    app = create_app(config_for_tests(portal.database_url))
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": key, "_fresh": True,
                                                                        "_permanent": True})
    browser = requests.Session()
    browser.cookies.set(app.config["SESSION_COOKIE_NAME"], cookie, domain="127.0.0.1", path="/")
    return browser


def _counts(url: str, session_id: int, user_id: int) -> dict:
    engine = make_engine(url)
    with Session(engine) as session:
        counts = {
            "enrollments": session.scalar(select(func.count()).select_from(Enrollment).where(
                Enrollment.session_id == session_id)),
            "seats_taken": session.scalar(select(CourseSession.seats_taken).where(CourseSession.id == session_id)),
            "audit": session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.actor_id == user_id)),
            "mail": session.scalar(select(func.count()).select_from(OutboxMessage)),
        }
    engine.dispose()
    return counts


def _worker_pids(portal: Portal) -> list[int]:
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", portal.log.read_text())]


def test_a_worker_killed_mid_enrollment_leaves_none_of_its_rows(portal):
    member_id, session_id, user_id, key = _family_with_a_session(portal.database_url, "killed@example.com")
    browser = _browser(portal, key)
    page = browser.get(f"{portal.url}/training/sessions/{session_id}/enroll", timeout=60)
    assert page.status_code == 200, page.text[:500]
    form = {"csrf_token": CSRF_RE.search(page.text).group(1), "people": str(member_id)}
    before = _counts(portal.database_url, session_id, user_id)
    assert before["enrollments"] == 0 and before["seats_taken"] == 3

    outcome: list[object] = []

    def enroll_and_wait() -> None:
        try:
            outcome.append(browser.post(f"{portal.url}/training/sessions/{session_id}/enroll", data=form,
                                        headers={"X-Pause-After-Flush": "AuditEvent"}, allow_redirects=False,
                                        timeout=60))
        except requests.RequestException as error:
            outcome.append(error)

    portal.pause_file.unlink(missing_ok=True)
    request = threading.Thread(target=enroll_and_wait)
    request.start()
    paused = json.loads(_wait_for(lambda: portal.pause_file.exists() and portal.pause_file.read_text(), 60,
                                  "the request to pause after its last flush"))
    # The enrollment's row, its seat and its audit event are written (not committed) when the worker dies.
    assert {"Enrollment", "AuditEvent"} <= set(paused["written"])
    os.kill(paused["pid"], signal.SIGKILL)
    request.join(timeout=30)
    assert outcome and isinstance(outcome[0], requests.RequestException)  # no answer: the worker is gone

    assert _counts(portal.database_url, session_id, user_id) == before  # nothing of it, not even the seat

    # gunicorn replaces the worker; the same enrollment, sent again, is served once.
    _wait_for(lambda: [pid for pid in _worker_pids(portal) if pid != paused["pid"]], 60, "a new worker")
    again = browser.post(f"{portal.url}/training/sessions/{session_id}/enroll", data=form, allow_redirects=False,
                         timeout=60)
    assert again.status_code == 303, again.text[:500]
    after = _counts(portal.database_url, session_id, user_id)
    assert after["enrollments"] == 1 and after["seats_taken"] == 4 and after["audit"] == before["audit"] + 1
