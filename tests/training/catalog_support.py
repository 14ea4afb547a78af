"""Builders for the catalog's tests: a household with its applicants, a course with sessions and meetings. Plain
functions on a SQLAlchemy session, so the concurrency test can use them on its own committed database too."""

from __future__ import annotations

from datetime import date, timedelta

from licensing.application.models import Application, HouseholdMember, MemberRole
from portal.database import now_utc
from portal.models import Household
from tests.support import agency_today
from training.catalog.models import Course, CourseCategory, CourseSession, SessionMeeting


def add_applicants(session, household_id: int, *, user_id: int | None = None, co_applicant: bool = True,
                   first: str = "Ana", email: str = "") -> list[HouseholdMember]:
    """An application for the household with its primary applicant (and a co-applicant)."""
    application = Application(household_id=household_id)
    session.add(application)
    session.flush()
    people = [HouseholdMember(application_id=application.id, position=0, role=MemberRole.PRIMARY, first_name=first,
                              last_name="Torres", birth_date=date(1985, 4, 2), user_id=user_id, email=email)]
    if co_applicant:
        people.append(HouseholdMember(application_id=application.id, position=1, role=MemberRole.CO_APPLICANT,
                                      first_name="Luis", last_name="Torres", birth_date=date(1983, 9, 20),
                                      email=f"luis{household_id}@example.com", preferred_locale="es"))
    people.append(HouseholdMember(application_id=application.id, position=2, role=MemberRole.OTHER,
                                  first_name="Mateo", last_name="Torres", birth_date=date(2015, 6, 1)))
    session.add_all(people)
    session.flush()
    return people


def add_course(session, *, meetings: int = 1, fee_cents: int = 0, title: str = "Trauma-informed care",
               category: CourseCategory = CourseCategory.IN_SERVICE) -> Course:
    course = Course(title_en=title, title_es=f"{title} (es)", description_en="About trauma.",
                    description_es="Sobre el trauma.", category=category, credit_tenths=30,
                    meeting_count=meetings, fee_cents=fee_cents)
    session.add(course)
    session.flush()
    return course


def add_session(session, course: Course, *, capacity: int = 20, childcare: int = 0, days: int = 14,
                language: str = "en", enroll_by_days: int | None = None, cancel_by_days: int | None = None,
                today: date | None = None) -> CourseSession:
    today = today or agency_today()
    starts = now_utc().replace(microsecond=0) + timedelta(days=days)
    course_session = CourseSession(
        course_id=course.id, language=language, capacity=capacity, childcare_capacity=childcare,
        enroll_by=today + timedelta(days=days - 2 if enroll_by_days is None else enroll_by_days),
        cancel_by=today + timedelta(days=days - 3 if cancel_by_days is None else cancel_by_days),
        first_starts_at=starts, instructor="Dana Lee")
    session.add(course_session)
    session.flush()
    session.add_all([SessionMeeting(session_id=course_session.id, number=n, duration_minutes=180,
                                    starts_at=starts + timedelta(days=7 * (n - 1)), place="1200 Main Street")
                     for n in range(1, course.meeting_count + 1)])
    session.flush()
    return course_session


def new_household(session, name: str = "Torres") -> Household:
    household = Household(name=name)
    session.add(household)
    session.flush()
    return household
