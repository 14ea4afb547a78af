"""Helpers of the support-group, training-calendar and reminder tests: records made straight through the models and
services (the catalog's enrollment pages are another part's), inside an app context, committed into the test's
outer transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from licensing.application import services as applications
from licensing.application.models import HouseholdMember, MemberRole
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household, OutboxMessage, Role, User
from training.catalog.models import (
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
)
from training.groups import services
from training.groups.models import GroupMeeting, GroupMembership, Recurrence

GROUP_VALUES = {
    "name_en": "Parent circle", "name_es": "Círculo de padres", "description_en": "Share what works.",
    "description_es": "Compartir lo que funciona.", "language": "en", "facilitator": "Dana", "place": "1 Main St",
    "virtual_link": "", "recurrence": Recurrence.WEEKLY, "weekday": 1, "week_of_month": 1,
    "time_of_day": time(18, 30), "duration_minutes": 90, "childcare_capacity": 0, "counts_as_hours": False,
    "credit_tenths": 0, "active": True,
}


def family_with_applicants(app, make_user, role: Role | str = Role.FAMILY, locale: str = "en",
                           applicants: int = 2) -> tuple[User, list[int]]:
    """A family account whose household has an application with its applicants; returns (user, member ids)."""
    user = make_user(role, locale=locale)
    with app.app_context():
        household = portal_db.session.get(Household, user.household_id)
        application = applications.open_application(household, None, opened_by=None)
        members = [HouseholdMember(application_id=application.id, position=n,
                                   role=MemberRole.PRIMARY if n == 0 else MemberRole.CO_APPLICANT,
                                   first_name=f"Person{n}", last_name=f"H{household.id}",
                                   birth_date=date(1985, 1, 1)) for n in range(applicants)]
        portal_db.session.add_all(members)
        portal_db.session.flush()
        ids = [member.id for member in members]
        portal_db.session.commit()
    return user, ids


def make_group(app, staff: User, **overrides) -> int:
    """A group saved through the service (its meetings of the next three months are made)."""
    with app.app_context():
        actor = portal_db.session.get(User, staff.id)
        values = {**GROUP_VALUES, "starts_on": agency_today(), **overrides}
        group = services.save_group(actor, None, values, agency_today())
        portal_db.session.commit()
        return group.id


def add_meeting(app, group_id: int, starts_at: datetime, childcare_capacity: int = 0) -> int:
    with app.app_context():
        meeting = GroupMeeting(group_id=group_id, starts_at=starts_at, childcare_capacity=childcare_capacity)
        portal_db.session.add(meeting)
        portal_db.session.commit()
        return meeting.id


def join(app, household_id: int, group_id: int) -> None:
    with app.app_context():
        portal_db.session.add(GroupMembership(group_id=group_id, household_id=household_id))
        portal_db.session.commit()


def meetings_of(db, group_id: int) -> list[GroupMeeting]:
    return list(db.session.scalars(select(GroupMeeting).where(GroupMeeting.group_id == group_id)
                                   .order_by(GroupMeeting.starts_at)))


def enroll(app, member_id: int, household_id: int, starts: list[datetime], *, title: str = "Trauma-informed care",
           status: EnrollmentStatus = EnrollmentStatus.ENROLLED, makeup: list[int] | None = None,
           session_id: int | None = None) -> tuple[int, list[int]]:
    """A session (new, or `session_id`) with meetings at `starts`, and one person enrolled in it; returns
    (session id, meeting ids)."""
    with app.app_context():
        session = portal_db.session
        if session_id is None:
            course = Course(title_en=title, title_es=f"{title} (es)", category=CourseCategory.IN_SERVICE,
                            credit_tenths=30, meeting_count=len(starts))
            session.add(course)
            session.flush()
            course_session = CourseSession(course_id=course.id, enroll_by=agency_today(), cancel_by=agency_today(),
                                           first_starts_at=starts[0], language="en")
            session.add(course_session)
            session.flush()
            session.add_all([SessionMeeting(session_id=course_session.id, number=n + 1, starts_at=when,
                                            duration_minutes=120, place="Agency office")
                             for n, when in enumerate(starts)])
            session.flush()
            session_id = course_session.id
        session.add(Enrollment(session_id=session_id, household_id=household_id, member_id=member_id, status=status,
                               makeup_meetings=makeup, seat_at=now_utc()))
        session.flush()
        meeting_ids = list(session.scalars(select(SessionMeeting.id).where(SessionMeeting.session_id == session_id)
                                           .order_by(SessionMeeting.number)))
        session.commit()
        return session_id, meeting_ids


def outbox(db, template: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if template is not None:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))


def in_days(days: int, hour: int = 18, minute: int = 15) -> datetime:
    """An aware UTC time `days` from now at the given time of day (UTC), for meetings."""
    return (now_utc() + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
