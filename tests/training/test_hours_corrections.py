"""Retakes and corrections: a course taken again (CPR every two years) earns a new credit; attendance corrected to
absent withdraws the credit it made (course or support group), and the checklist follows the hours down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.database import now_utc
from portal.models import Role
from tests.conftest import post_form, sign_in
from tests.training.groups_support import add_meeting, family_with_applicants, join, make_group
from tests.training.hours_support import build_course, build_household, enroll
from training.catalog.models import CourseCategory, Enrollment, EnrollmentStatus
from training.groups.models import GroupAttendance
from training.hours.models import CreditSource, CreditStatus, TrainingCredit


@pytest.fixture
def staff(client, login):
    return login(Role.HOMEFINDER)


def take(client, meeting_id: int, present: list[int]):
    return post_form(client, f"/training/staff/meetings/{meeting_id}/attendance", {"present": present})


def course_credits(db, member_id: int) -> list[TrainingCredit]:
    db.session.expire_all()
    return list(db.session.scalars(select(TrainingCredit).where(
        TrainingCredit.member_id == member_id, TrainingCredit.source == CreditSource.COURSE)
        .order_by(TrainingCredit.completed_on, TrainingCredit.id)))


def test_a_retaken_course_earns_a_new_credit_with_a_new_expiry(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    # Two runs of a one-meeting CPR class, ten days apart (40 and 30 days ago): the second is Ana's renewal.
    cpr = build_course(app, category=CourseCategory.CPR_FIRST_AID, credit_tenths=40, meeting_count=1, sessions=2)
    first = enroll(app, world, cpr.sessions[0], world.ana_id)
    assert take(client, cpr.meetings[(0, 1)], [world.ana_id]).status_code == 303
    [old] = course_credits(db, world.ana_id)

    retake = enroll(app, world, cpr.sessions[1], world.ana_id)
    assert take(client, cpr.meetings[(1, 1)], [world.ana_id]).status_code == 303
    take(client, cpr.meetings[(1, 1)], [world.ana_id])  # saved twice: one new credit
    take(client, cpr.meetings[(0, 1)], [world.ana_id])  # the first run saved again: nothing more
    credits = course_credits(db, world.ana_id)
    assert len(credits) == 2
    new = credits[1]
    assert new.completed_on == old.completed_on + timedelta(days=10)
    assert new.expires_on == old.expires_on + timedelta(days=10)
    assert new.certificate_code != old.certificate_code and new.status is CreditStatus.APPROVED
    assert {db.session.get(Enrollment, e).status for e in (first, retake)} == {EnrollmentStatus.COMPLETED}
    cpr_item = db.session.get(ChecklistItem, world.items[("cpr_first_aid", world.ana_id)])
    assert cpr_item.expires_on == new.expires_on


def test_attendance_corrected_to_absent_withdraws_the_completion(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    tips = build_course(app, credit_tenths=270, meeting_count=2, sessions=1)
    enrollment_id = enroll(app, world, tips.sessions[0], world.ana_id)
    take(client, tips.meetings[(0, 1)], [world.ana_id])
    take(client, tips.meetings[(0, 2)], [world.ana_id])
    item_id = world.items[("preservice_training", world.ana_id)]
    db.session.expire_all()
    assert db.session.get(ChecklistItem, item_id).status is ItemStatus.APPROVED

    assert take(client, tips.meetings[(0, 2)], []).status_code == 303  # she wasn't there after all
    [credit] = course_credits(db, world.ana_id)
    assert credit.status is CreditStatus.WITHDRAWN and credit.reason
    assert db.session.get(Enrollment, enrollment_id).status is EnrollmentStatus.ENROLLED
    item = db.session.get(ChecklistItem, item_id)
    assert (item.status, item.hours_completed) == (ItemStatus.RETURNED, 0)

    take(client, tips.meetings[(0, 2)], [world.ana_id])  # corrected back: credited again
    credits = course_credits(db, world.ana_id)
    assert [c.status for c in credits] == [CreditStatus.WITHDRAWN, CreditStatus.APPROVED]
    assert db.session.get(Enrollment, enrollment_id).status is EnrollmentStatus.COMPLETED
    assert db.session.get(ChecklistItem, item_id).status is ItemStatus.APPROVED


def test_a_support_group_meeting_corrected_to_absent_withdraws_its_hours(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, counts_as_hours=True, credit_tenths=15)
    meeting_id = add_meeting(app, group_id, now_utc() - timedelta(hours=2))
    family, (first, second) = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, staff)
    url = f"/training/staff/groups/meetings/{meeting_id}"
    assert post_form(client, url, {"present": [str(first), str(second)]}).status_code == 303
    assert post_form(client, url, {"present": [str(second)]}).status_code == 303
    db.session.expire_all()
    statuses = dict(db.session.execute(select(TrainingCredit.member_id, TrainingCredit.status)).all())
    assert statuses == {first: CreditStatus.WITHDRAWN, second: CreditStatus.APPROVED}
    row = db.session.scalar(select(GroupAttendance).where(GroupAttendance.member_id == first))
    assert (row.present, row.credited) == (False, False)
    post_form(client, url, {"present": [str(first), str(second)]})  # present again: credited again, once
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit).where(
        TrainingCredit.status == CreditStatus.APPROVED)) == 2
