"""Two app servers (issue 14): two gunicorn processes, each on its own loopback port, against one database and one
Redis. What one server counts the other sees: a sign-in lockout whose wrong passwords were split between them, a
per-address rate limit counted across both, and a training session's seats taken by enrollments sent to both at
once. Runs on PostgreSQL (CI's second run); Redis is TEST_REDIS_URL (default redis://127.0.0.1:6379/15), where the
servers' keys carry this run's prefix (RATELIMIT_KEY_PREFIX) and only those are deleted afterwards."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from portal.database import now_utc
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.conftest import CSRF_RE, build_schema, config_for_tests
from tests.multi_server.support import REDIS_RUN_PREFIX, TEST_REDIS_URL, delete_run_keys
from tests.processes import listening_url, start_gunicorn, stop
from tests.support import drop_isolated_schema, isolated_database_url, start_session_key
from tests.training.catalog_support import add_applicants, add_course, add_session
from training.catalog.models import CourseSession, Enrollment, EnrollmentStatus

pytestmark = [pytest.mark.needs_redis, pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="more than one app server means PostgreSQL (docs/deployment.md): SQLite is one machine's file, and two "
           "processes' writers wait for each other only up to the driver's busy timeout (on a loaded machine some "
           "of 24 simultaneous enrollments answered 500)")]

SCHEMA = "multi_server_two_apps"
SECRET = "two-servers-share-this-secret"
PASSWORD = "the right passphrase"
FAILURES_BEFORE_LOCKOUT = 5
EMAIL_LIMIT = 6
FAMILIES, SEATS = 24, 8


class Browser:
    """One person's browser: its session cookie goes to whichever server it talks to (as behind one proxy)."""

    def __init__(self, cookie: str | None = None) -> None:
        self.cookie = cookie

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=60, **kwargs)
        if "session" in response.cookies:
            self.cookie = response.cookies["session"]
        return response

    def token(self, url: str) -> str:
        match = CSRF_RE.search(self.request("GET", url).text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)


def _start_server(database_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "FLASK_ENV": "development", "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
           "PORTAL_URL": "http://127.0.0.1", "REDIS_URL": TEST_REDIS_URL, "RATELIMIT_STORAGE_URI": "",
           "MAIL_SERVER": "", "MAIL_DELIVER_INLINE": "0", "EMAIL_RATE_LIMIT": f"{EMAIL_LIMIT} per hour",
           "LOGIN_FAILURES_BEFORE_LOCKOUT": str(FAILURES_BEFORE_LOCKOUT), "LOGIN_RATE_LIMIT": "100 per minute"}
    # The limiter's keys in the shared Redis carry this run's prefix (gunicorn passes the literal to create_app).
    app = f"app:create_app({{'RATELIMIT_KEY_PREFIX': {REDIS_RUN_PREFIX!r}}})"
    return start_gunicorn(app, ["--workers", "1", "--threads", "8", "--timeout", "60"], env=env, log=log)


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120  # a loaded CI machine imports the app slowly
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/login", timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def two_servers(database_url, tmp_path_factory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("two-servers")
    url = isolated_database_url(database_url, SCHEMA, folder)
    build_schema(url).dispose()
    delete_run_keys()
    app = create_app(config_for_tests(url, SECRET_KEY=SECRET))
    seeded = _seed(app)
    logs = [folder / f"server-{n}.log" for n in range(2)]
    servers = [_start_server(url, log) for log in logs]
    try:
        bases = [listening_url(process, log) for process, log in zip(servers, logs, strict=True)]
        for process, base, log in zip(servers, bases, logs, strict=True):
            _wait_until_up(base, process, log)
        yield {"app": app, "bases": bases, **seeded}
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            stop(process)
        app.extensions["database"].engine.dispose()
        drop_isolated_schema(database_url, SCHEMA)
        delete_run_keys()


def _seed(app) -> dict:
    """A family that signs in with a password, and a session with SEATS seats for FAMILIES signed-in families."""
    signer = app.session_interface.get_signing_serializer(app)
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        owner = User(email="owner@example.com", full_name="Olga Owner", role=Role.FAMILY, email_confirmed_at=now_utc(),
                     password_hash=hash_password(PASSWORD), household=Household(name="Owner"))
        session.add(owner)
        course_session = add_session(session, add_course(session), capacity=SEATS)
        families = []
        for n in range(FAMILIES):
            user = User(email=f"rush{n}@example.com", full_name=f"Rush {n}", role=Role.FAMILY,
                        email_confirmed_at=now_utc(), household=Household(name=f"Rush {n}"))
            session.add(user)
            session.flush()
            member = add_applicants(session, user.household_id, user_id=user.id, co_applicant=False,
                                    email=user.email)[0]
            key = start_session_key(session, user)
            families.append((signer.dumps({"_user_id": key, "_fresh": True, "_permanent": True}), member.id))
        session.commit()
        return {"owner": owner.email, "session_id": course_session.id, "families": families}


def _sign_in(browser: Browser, base: str, email: str, password: str) -> requests.Response:
    return browser.request("POST", f"{base}/login", data={"csrf_token": browser.token(f"{base}/login"),
                                                          "email": email, "password": password})


def test_wrong_passwords_split_between_servers_lock_the_account_on_both(two_servers):
    a, b = two_servers["bases"]
    owner = two_servers["owner"]
    for n in range(FAILURES_BEFORE_LOCKOUT):  # alternately on each server: no server alone sees them all
        response = _sign_in(Browser(), (a, b)[n % 2], owner, "not the passphrase")
        assert response.status_code == 422
    for base in (a, b):  # the rightful password is refused on both, until the lockout ends
        assert _sign_in(Browser(), base, owner, PASSWORD).status_code == 429


def test_a_per_address_limit_is_counted_across_both_servers(two_servers):
    a, b = two_servers["bases"]
    browser = Browser()
    answers = [browser.request("POST", f"{(a, b)[n % 2]}/password/forgot",
                               data={"csrf_token": browser.token(f"{(a, b)[n % 2]}/password/forgot"),
                                     "email": f"someone{n}@example.com"}).status_code
               for n in range(EMAIL_LIMIT + 2)]
    assert answers == [200] * EMAIL_LIMIT + [429, 429]


def test_enrollments_sent_to_both_servers_at_once_never_exceed_the_seats(two_servers):
    bases, session_id = two_servers["bases"], two_servers["session_id"]
    ready = []
    for n, (cookie, member_id) in enumerate(two_servers["families"]):
        browser = Browser(cookie)
        base = bases[n % 2]
        ready.append((browser, base, member_id, browser.token(f"{base}/training/mine")))
    start = threading.Barrier(len(ready))
    answers: list[int] = []
    failures: list[BaseException] = []

    def enroll(browser: Browser, base: str, member_id: int, token: str) -> None:
        try:
            start.wait(timeout=60)
            answers.append(browser.request("POST", f"{base}/training/sessions/{session_id}/enroll",
                                           data={"csrf_token": token, "people": str(member_id)}).status_code)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=enroll, args=entry) for entry in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert Counter(answers) == {303: FAMILIES}
    with Session(two_servers["app"].extensions["database"].engine) as session:
        statuses = dict(session.execute(select(Enrollment.status, func.count()).where(
            Enrollment.session_id == session_id).group_by(Enrollment.status)).all())
        assert statuses == {EnrollmentStatus.ENROLLED: SEATS, EnrollmentStatus.WAITLISTED: FAMILIES - SEATS}
        assert session.get(CourseSession, session_id).seats_taken == SEATS
