"""The training record, the attendance roster, the pending list and the checklist's credits run a fixed number of
SQL statements whatever the number of credits, people or submissions."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import agency_today
from portal.extensions import db as portal_db
from portal.models import Role, User
from tests.conftest import sign_in
from tests.training.hours_support import build_course, build_household, enroll
from training.catalog.models import CourseCategory
from training.hours.models import CreditSource, CreditStatus, TrainingCredit


def add_credits(app, world, count: int, status: CreditStatus = CreditStatus.APPROVED) -> None:
    with app.app_context():
        today = agency_today()
        for n in range(count):
            portal_db.session.add(TrainingCredit(
                household_id=world.household_id, member_id=(world.ana_id, world.luis_id)[n % 2],
                source=CreditSource.OUTSIDE, category=(CourseCategory.IN_SERVICE, CourseCategory.CPR_FIRST_AID)[n % 2],
                status=status, title=f"Class {n}", hours_tenths=10, completed_on=today - timedelta(days=n),
                expires_on=today + timedelta(days=300) if n % 2 else None, proof_path="0" * 48))
        portal_db.commit()


def statements(count_queries, client, url: str) -> int:
    client.get(url)  # warm: the session's first request loads the account once
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_records_and_lists_are_bounded(app, db, client, make_user, login, count_queries):
    with app.app_context():
        licensed_on = agency_today() - timedelta(days=100)
    small = build_household(app, make_user, licensed_on=licensed_on)
    large = build_household(app, make_user, licensed_on=licensed_on)
    add_credits(app, small, 2)
    add_credits(app, large, 24)
    add_credits(app, small, 1, CreditStatus.PENDING)
    course = build_course(app, sessions=1, meeting_count=1)
    enroll(app, small, course.sessions[0], small.ana_id)
    big_course = build_course(app, sessions=1, meeting_count=1)
    for world in (small, large):
        for member in (world.ana_id, world.luis_id):
            enroll(app, world, big_course.sessions[0], member)

    family_small, family_large = app.test_client(), app.test_client()
    sign_in(family_small, db.session.get(User, small.owner_id))
    sign_in(family_large, db.session.get(User, large.owner_id))
    assert statements(count_queries, family_small, "/training/hours") == \
        statements(count_queries, family_large, "/training/hours")
    assert statements(count_queries, family_small, "/licensing/checklist") == \
        statements(count_queries, family_large, "/licensing/checklist")

    login(Role.HOMEFINDER)
    assert statements(count_queries, client, f"/training/staff/households/{small.household_id}/hours") == \
        statements(count_queries, client, f"/training/staff/households/{large.household_id}/hours")
    assert statements(count_queries, client, f"/training/staff/meetings/{course.meetings[(0, 1)]}/attendance") == \
        statements(count_queries, client, f"/training/staff/meetings/{big_course.meetings[(0, 1)]}/attendance")
    pending_one = statements(count_queries, client, "/training/staff/hours/pending")
    add_credits(app, large, 9, CreditStatus.PENDING)
    assert statements(count_queries, client, "/training/staff/hours/pending") == pending_one
