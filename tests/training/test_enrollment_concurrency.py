"""Capacity under contention (issue 11's quality bar): 50 families enroll at the same moment into a 20-seat session,
each through its own request (own thread, own connection, own transaction): exactly 20 are seated and 30 wait, on
the database DATABASE_URL names (SQLite by default; PostgreSQL with DATABASE_URL=postgresql+psycopg://...).

The transactional `db` fixture can't do this (one connection, rolled back): requests in threads need committed rows
on a database of their own, made here from the migrations and dropped at the end."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from portal.database import now_utc
from portal.models import Household, Role, User
from tests.conftest import CSRF_RE, build_schema, config_for_tests
from tests.support import drop_isolated_schema, isolated_database_url, start_session_key
from tests.training.catalog_support import add_applicants, add_course, add_session
from training.catalog.models import CourseSession, Enrollment, EnrollmentStatus

FAMILIES = 50
SEATS = 20
SCHEMA = "catalog_concurrency"


@pytest.fixture
def committed_app(database_url, tmp_path) -> Iterator[Flask]:
    url = isolated_database_url(database_url, SCHEMA, tmp_path)
    build_schema(url).dispose()
    app = create_app(config_for_tests(url))
    try:
        yield app
    finally:
        app.extensions["database"].engine.dispose()
        drop_isolated_schema(database_url, SCHEMA)


def _families_and_session(app: Flask) -> tuple[list[tuple[User, int]], int]:
    """50 families, each with one applicant, and a 20-seat session, committed."""
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        course = add_course(session)
        course_session = add_session(session, course, capacity=SEATS)
        families = []
        for n in range(FAMILIES):
            user = User(email=f"rush{n}@example.com", full_name=f"Rush {n}", role=Role.FAMILY,
                        email_confirmed_at=now_utc(), household=Household(name=f"Rush {n}"))
            session.add(user)
            session.flush()
            member = add_applicants(session, user.household_id, user_id=user.id, co_applicant=False,
                                    email=user.email)[0]
            families.append((user, member.id))
        session.commit()
        return families, course_session.id


def test_fifty_families_at_once_fill_twenty_seats_exactly(committed_app):
    app = committed_app
    families, session_id = _families_and_session(app)
    clients = []
    with Session(app.extensions["database"].engine, expire_on_commit=False) as session:
        for user, member_id in families:
            client = app.test_client()
            key = start_session_key(session, user)
            with client.session_transaction() as cookie:
                cookie.permanent = True
                cookie["_user_id"] = key
                cookie["_fresh"] = True
            token = CSRF_RE.search(client.get("/training/mine").get_data(as_text=True)).group(1)
            clients.append((client, member_id, token))

    start = threading.Barrier(FAMILIES)
    answers: list[int] = []
    failures: list[BaseException] = []

    def rush(client, member_id: int, token: str) -> None:
        try:
            start.wait(timeout=60)
            response = client.post(f"/training/sessions/{session_id}/enroll",
                                   data={"csrf_token": token, "people": str(member_id)})
            answers.append(response.status_code)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=rush, args=entry) for entry in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert Counter(answers) == {303: FAMILIES}  # every family got an answer: a seat or the waitlist
    with Session(app.extensions["database"].engine) as session:
        statuses = dict(session.execute(select(Enrollment.status, func.count()).where(
            Enrollment.session_id == session_id).group_by(Enrollment.status)).all())
        assert statuses == {EnrollmentStatus.ENROLLED: SEATS, EnrollmentStatus.WAITLISTED: FAMILIES - SEATS}
        assert session.get(CourseSession, session_id).seats_taken == SEATS
        # The waitlist is in the order the requests were served: every seat was taken before anyone waited.
        seated_last = session.scalar(select(func.max(Enrollment.created_at)).where(
            Enrollment.session_id == session_id, Enrollment.status == EnrollmentStatus.ENROLLED))
        waited_first = session.scalar(select(func.min(Enrollment.created_at)).where(
            Enrollment.session_id == session_id, Enrollment.status == EnrollmentStatus.WAITLISTED))
        assert seated_last <= waited_first
