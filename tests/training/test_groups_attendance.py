"""Attendance per person at a meeting; where the group counts, hours are credited once per person and meeting
(however often attendance is saved), and hours hear of it through `credits_changed`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.database import now_utc
from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.groups_support import add_meeting, family_with_applicants, join, make_group
from training.catalog.models import CourseCategory
from training.groups.models import GroupAttendance
from training.hours.models import CreditSource, CreditStatus, TrainingCredit
from training.signals import credits_changed


def take_attendance(client, meeting_id: int, present: list[int]):
    return post_form(client, f"/training/staff/groups/meetings/{meeting_id}", {"present": [str(i) for i in present]})


def credits(db, member_ids: list[int]) -> list[TrainingCredit]:
    return list(db.session.scalars(select(TrainingCredit).where(TrainingCredit.member_id.in_(member_ids))
                                   .order_by(TrainingCredit.member_id)))


def test_attendance_credits_hours_once_per_person_and_meeting(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, counts_as_hours=True, credit_tenths=15)
    meeting_id = add_meeting(app, group_id, now_utc() - timedelta(hours=2))
    family, (first, second) = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs["actor"].id))

    credits_changed.connect(listener)
    try:
        sign_in(client, staff)
        page = text_of(client.get(f"/training/staff/groups/meetings/{meeting_id}"))
        assert f"Person0 H{family.household_id}" in page and f"Person1 H{family.household_id}" in page
        assert take_attendance(client, meeting_id, [first]).status_code == 303
        assert take_attendance(client, meeting_id, [first]).status_code == 303  # saved again: no second credit
        assert take_attendance(client, meeting_id, [first, second]).status_code == 303
    finally:
        credits_changed.disconnect(listener)
    rows = credits(db, [first, second])
    assert [(c.member_id, c.hours_tenths, c.source, c.category, c.status) for c in rows] == [
        (first, 15, CreditSource.SUPPORT_GROUP, CourseCategory.IN_SERVICE, CreditStatus.APPROVED),
        (second, 15, CreditSource.SUPPORT_GROUP, CourseCategory.IN_SERVICE, CreditStatus.APPROVED)]
    assert heard == [(family.household_id, staff.id), (family.household_id, staff.id)]
    assert db.session.scalar(select(func.count()).select_from(GroupAttendance).where(
        GroupAttendance.meeting_id == meeting_id, GroupAttendance.credit_id.is_not(None))) == 2


def test_a_group_that_does_not_count_credits_nothing(app, db, client, make_user):
    staff = make_user(Role.ADMIN)
    group_id = make_group(app, staff)
    meeting_id = add_meeting(app, group_id, now_utc() - timedelta(hours=1))
    family, (first, _second) = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, staff)
    assert take_attendance(client, meeting_id, [first]).status_code == 303
    assert credits(db, [first]) == []
    assert db.session.scalar(select(GroupAttendance.present).where(GroupAttendance.member_id == first)) is True


def test_attendance_refused_for_strangers_and_meetings_to_come(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, counts_as_hours=True, credit_tenths=10)
    past = add_meeting(app, group_id, now_utc() - timedelta(hours=1))
    coming = add_meeting(app, group_id, now_utc() + timedelta(days=2))
    member, (first, _) = family_with_applicants(app, make_user)
    join(app, member.household_id, group_id)
    _outsider, (stranger, _) = family_with_applicants(app, make_user)  # not a member, no answer
    sign_in(client, staff)
    response = take_attendance(client, past, [first, stranger])
    assert response.status_code == 422
    assert "not on this meeting's list" in text_of(response)
    assert take_attendance(client, coming, [first]).status_code == 422
    for hostile in (["-1"], ["abc"], ["99999999999"], ["1e3"]):
        assert post_form(client, f"/training/staff/groups/meetings/{past}", {"present": hostile}).status_code == 303
    assert credits(db, [first, stranger]) == []


def test_coordinators_and_families_cannot_take_attendance(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, counts_as_hours=True, credit_tenths=10)
    meeting_id = add_meeting(app, group_id, now_utc() - timedelta(hours=1))
    family, (first, _) = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    for role in (Role.COORDINATOR, Role.FAMILY):
        device = app.test_client()
        sign_in(device, make_user(role))
        assert take_attendance(device, meeting_id, [first]).status_code == 404
    sign_in(client, family)
    assert take_attendance(client, meeting_id, [first]).status_code == 404
    assert credits(db, [first]) == []
