"""Seats and childcare places as counters on the session, each taken or given back by ONE conditional UPDATE: the
check and the seat are one database operation, so capacity holds however many people enroll at the same moment, on
PostgreSQL (the row lock makes a second UPDATE re-read the counter) and on SQLite (one writer at a time).

Core statements on the table, not the ORM object: the ORM would write the value it read (a lost update) and bump
the session's version, which is for staff edits."""

from __future__ import annotations

from portal.extensions import db
from training.catalog.models import CourseSession, SessionStatus

_session = CourseSession.__table__


def take_seats(session_id: int, n: int = 1) -> bool:
    """Take `n` seats of an open session if they are all free; the row count says whether they were taken."""
    result = db.session.execute(
        _session.update()
        .where(_session.c.id == session_id, _session.c.status == SessionStatus.OPEN.value,
               _session.c.seats_taken + n <= _session.c.capacity)
        .values(seats_taken=_session.c.seats_taken + n))
    return result.rowcount == 1


def release_seats(session_id: int, n: int = 1) -> None:
    db.session.execute(_session.update().where(_session.c.id == session_id, _session.c.seats_taken >= n)
                       .values(seats_taken=_session.c.seats_taken - n))


def take_childcare(session_id: int, children: int) -> bool:
    """Book childcare for `children` if the session has room for all of them."""
    result = db.session.execute(
        _session.update()
        .where(_session.c.id == session_id, _session.c.status == SessionStatus.OPEN.value,
               _session.c.childcare_taken + children <= _session.c.childcare_capacity)
        .values(childcare_taken=_session.c.childcare_taken + children))
    return result.rowcount == 1


def release_childcare(session_id: int, children: int) -> None:
    db.session.execute(_session.update().where(_session.c.id == session_id, _session.c.childcare_taken >= children)
                       .values(childcare_taken=_session.c.childcare_taken - children))


def set_capacity(session_id: int, capacity: int, childcare_capacity: int) -> bool:
    """Change the capacities unless fewer than the seats (or childcare places) already taken: one statement too."""
    result = db.session.execute(
        _session.update()
        .where(_session.c.id == session_id, _session.c.seats_taken <= capacity,
               _session.c.childcare_taken <= childcare_capacity)
        .values(capacity=capacity, childcare_capacity=childcare_capacity))
    return result.rowcount == 1


def clear_counters(session_id: int) -> None:
    """A cancelled session holds nobody."""
    db.session.execute(_session.update().where(_session.c.id == session_id).values(seats_taken=0, childcare_taken=0))
