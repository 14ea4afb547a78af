"""Attendance makes completions: make-ups across sessions, once only, and the checklist's training items follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from licensing.application.models import Application
from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.clock import agency_today, agency_zone
from portal.extensions import db as portal_db
from portal.models import AuditEvent, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.training.hours_support import build_course, build_household, enroll
from training.catalog.models import CourseCategory, Enrollment, EnrollmentStatus, SessionMeeting
from training.hours.checklist import sync_household
from training.hours.models import CreditSource, TrainingCredit


@pytest.fixture
def staff(client, login):
    return login(Role.HOMEFINDER)


def take(client, meeting_id: int, present: list[int]):
    return post_form(client, f"/training/staff/meetings/{meeting_id}/attendance", {"present": present})


def item(db, world, code: str, member_id: int) -> ChecklistItem:
    db.session.expire_all()
    return db.session.get(ChecklistItem, world.items[(code, member_id)])


def test_a_make_up_in_another_session_completes_the_course_once(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    course = build_course(app, credit_tenths=90)
    first = enroll(app, world, course.sessions[0], world.ana_id)
    makeup = enroll(app, world, course.sessions[1], world.ana_id, makeup=[2])
    enroll(app, world, course.sessions[0], world.luis_id)

    for number in (1, 2, 3):  # Ana misses meeting 2 of her own session; Luis attends everything
        present = [world.luis_id] + ([world.ana_id] if number != 2 else [])
        assert take(client, course.meetings[(0, number)], present).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit)
                             .where(TrainingCredit.member_id == world.ana_id)) == 0
    luis_credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.member_id == world.luis_id))
    assert luis_credit.hours_tenths == 90 and luis_credit.source is CreditSource.COURSE

    # The make-up session's meeting 2: Ana is on its roster; she isn't on its meeting 1.
    assert "Ana Torres" in text_of(client.get(f"/training/staff/meetings/{course.meetings[(1, 2)]}/attendance"))
    assert "Ana Torres" not in text_of(client.get(f"/training/staff/meetings/{course.meetings[(1, 1)]}/attendance"))
    assert take(client, course.meetings[(1, 2)], [world.ana_id]).status_code == 303

    db.session.expire_all()
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.member_id == world.ana_id))
    makeup_meeting = db.session.get(SessionMeeting, course.meetings[(1, 2)])
    with app.app_context():
        assert credit.completed_on == makeup_meeting.starts_at.astimezone(agency_zone()).date()
    assert credit.category is CourseCategory.PRE_SERVICE and credit.certificate_code.startswith("TC-")
    assert credit.expires_on is None
    assert {db.session.get(Enrollment, e).status for e in (first, makeup)} == {EnrollmentStatus.COMPLETED}

    # Saving again (twice, and the first session's meetings too) credits nobody twice.
    take(client, course.meetings[(1, 2)], [world.ana_id])
    take(client, course.meetings[(0, 3)], [world.ana_id, world.luis_id])
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit)) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "course_completed")) == 2

    # 9 of 27 pre-service hours: the items are submitted with their hours, not approved.
    ana_item = item(db, world, "preservice_training", world.ana_id)
    assert (ana_item.status, ana_item.hours_completed) == (ItemStatus.SUBMITTED, 9)


def test_meeting_the_rule_approves_the_items_and_cpr_gets_its_expiry(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    tips = build_course(app, credit_tenths=270, meeting_count=2, sessions=1)
    cpr = build_course(app, category=CourseCategory.CPR_FIRST_AID, credit_tenths=40, meeting_count=1, sessions=1,
                       title="CPR – “Heartsaver” <Plus>")  # noqa: RUF001  (a pasted dash)
    for member in (world.ana_id, world.luis_id):
        enroll(app, world, tips.sessions[0], member)
    enroll(app, world, cpr.sessions[0], world.ana_id)
    take(client, tips.meetings[(0, 1)], [world.ana_id, world.luis_id])
    take(client, tips.meetings[(0, 2)], [world.ana_id])  # Luis misses the last meeting
    take(client, cpr.meetings[(0, 1)], [world.ana_id])

    ana = item(db, world, "preservice_training", world.ana_id)
    assert (ana.status, ana.hours_completed) == (ItemStatus.APPROVED, 27)
    assert item(db, world, "preservice_training", world.luis_id).status is ItemStatus.NOT_STARTED
    cpr_item = item(db, world, "cpr_first_aid", world.ana_id)
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.course_id == cpr.course_id))
    assert cpr_item.status is ItemStatus.APPROVED
    assert credit.expires_on == credit.completed_on.replace(year=credit.completed_on.year + 2)
    assert cpr_item.expires_on == credit.expires_on
    # The staff checklist shows the hours and the courses behind the item.
    response = client.get(f"/licensing/staff/applications/{world.application_id}/checklist")
    page = text_of(response)
    assert "27 of 27 hours: TIPS-MAPP (27 h)" in page
    assert "Certified: CPR – “Heartsaver” <Plus>" in page  # noqa: RUF001  (a pasted dash)
    assert "“Heartsaver” &lt;Plus&gt;" in response.get_data(as_text=True)  # the title as text, never markup
    # ...with the link to the household's training record, which only staff get.
    household_id = db.session.get(Application, world.application_id).household_id
    assert f'href="/training/staff/households/{household_id}/hours"' in response.get_data(as_text=True)
    family = app.test_client()
    sign_in(family, db.session.get(User, world.owner_id))
    own = family.get("/licensing/checklist").get_data(as_text=True)
    assert "27 of 27 hours" in own and "/training/staff/households/" not in own


def test_annual_hours_count_in_the_current_license_year_for_each_parent(app, db, client, make_user, staff):
    with app.app_context():
        licensed_on = agency_today() - timedelta(days=200)
    world = build_household(app, make_user, licensed_on=licensed_on)
    before = build_course(app, category=CourseCategory.IN_SERVICE, credit_tenths=60, meeting_count=1, sessions=1,
                          start_days_ago=260, title="Before the license")
    inside = build_course(app, category=CourseCategory.SPECIALTY, credit_tenths=75, meeting_count=1, sessions=1,
                          title="Trauma and sleep")
    for course in (before, inside):
        enroll(app, world, course.sessions[0], world.ana_id)
        take(client, course.meetings[(0, 1)], [world.ana_id])
    annual = item(db, world, "annual_training", world.ana_id)
    assert (annual.status, annual.hours_completed) == (ItemStatus.SUBMITTED, 7)
    assert item(db, world, "annual_training", world.luis_id).status is ItemStatus.NOT_STARTED

    family = app.test_client()
    sign_in(family, db.session.get(User, world.owner_id))
    record = text_of(family.get("/training/hours"))
    assert "In-service hours this license year: 7.5 of 12 hours" in record
    assert "Trauma and sleep" in record and "Before the license" in record
    checklist = text_of(family.get("/licensing/checklist"))
    assert "7.5 of 12 hours: Trauma and sleep (7.5 h)" in checklist


def test_attendance_refuses_strangers_and_meetings_not_held_yet(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    past = build_course(app, meeting_count=1, sessions=1)
    future = build_course(app, meeting_count=1, sessions=1, start_days_ago=-5)
    for course in (past, future):
        enroll(app, world, course.sessions[0], world.ana_id)
    stranger = take(client, past.meetings[(0, 1)], [world.ana_id, world.luis_id])  # Luis isn't on this roster
    assert stranger.status_code == 422
    early = take(client, future.meetings[(0, 1)], [world.ana_id])
    assert early.status_code == 422 and "hasn't happened yet" in text_of(early)
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit)) == 0
    assert take(client, past.meetings[(0, 1)], [world.ana_id]).status_code == 303


def test_online_cpr_counts_only_where_the_rule_says(app, db, client, make_user, staff):
    world = build_household(app, make_user)
    cpr = build_course(app, category=CourseCategory.CPR_FIRST_AID, credit_tenths=20, meeting_count=1, sessions=1,
                       virtual=True, valid_months=12)
    enroll(app, world, cpr.sessions[0], world.ana_id)
    take(client, cpr.meetings[(0, 1)], [world.ana_id])
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.course_id == cpr.course_id))
    assert credit.format == "online" and credit.expires_on.year * 12 + credit.expires_on.month == \
        credit.completed_on.year * 12 + credit.completed_on.month + 12  # the course's own validity
    assert item(db, world, "cpr_first_aid", world.ana_id).status is ItemStatus.NOT_STARTED

    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert post_form(admin, "/training/admin/rules", {"version": "1", "preservice_hours": "27", "inservice_hours": "12",
                                               "inservice_categories": ["in_service"], "cpr_valid_months": "24",
                                               "online_cpr_counts": "y"}).status_code == 303
    with app.app_context():  # the next change of the household's credits brings its items up to the new rule
        sync_household(world.household_id)
        portal_db.commit()
    assert item(db, world, "cpr_first_aid", world.ana_id).status is ItemStatus.APPROVED


def test_odd_meeting_numbers_are_no_meeting_not_a_500():
    """Make-up meeting numbers are read back from JSON: superscript digits pass str.isdigit() but not int(), and a
    huge number is no meeting; both are simply ignored."""
    from training.hours.services import _numbers

    assert _numbers(["²", "9" * 30, "2", 3, None]) == {2, 3}
