"""Records for the training hours tests, made straight through the models: a household of two applicants with its
checklist's training items, and a course of three meetings run in two sessions (for make-ups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from licensing.application import services as applications
from licensing.application.models import ApplicationStatus, HouseholdMember, MemberRole
from licensing.tracker.models import ChecklistItem, License, LicenseType, RequirementTemplate
from portal.clock import agency_today, agency_zone
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household, Role
from training.catalog.models import (
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
)

TRAINING_CODES = ("preservice_training", "cpr_first_aid", "annual_training")


@dataclass
class World:
    owner_id: int
    household_id: int
    application_id: int
    ana_id: int
    luis_id: int
    items: dict[tuple[str, int], int]  # (template code, member id) -> item id


def build_household(app, make_user, *, licensed_on: date | None = None, locale: str = "en") -> World:
    owner = make_user(Role.FAMILY if licensed_on else Role.APPLICANT, full_name="Ana Torres", locale=locale)
    with app.app_context():
        session = portal_db.session
        household = session.get(Household, owner.household_id)
        application = applications.open_application(household, None, opened_by=None)
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = now_utc()
        ana = HouseholdMember(application_id=application.id, position=0, role=MemberRole.PRIMARY, first_name="Ana",
                              last_name="Torres", birth_date=date(1985, 4, 2), user_id=owner.id)
        luis = HouseholdMember(application_id=application.id, position=1, role=MemberRole.CO_APPLICANT,
                               first_name="Luis", last_name="Muñoz", birth_date=date(1983, 9, 20),
                               preferred_locale="es")
        session.add_all([ana, luis])
        session.flush()
        templates = {t.code: t for t in session.scalars(select(RequirementTemplate).where(
            RequirementTemplate.code.in_(TRAINING_CODES)))}
        items = {}
        for code in TRAINING_CODES:
            if code == "annual_training" and licensed_on is None:
                continue
            for member in (ana, luis):
                item = ChecklistItem(application_id=application.id, template_id=templates[code].id,
                                     member_id=member.id, cycle=1 if code == "annual_training" else 0)
                session.add(item)
                session.flush()
                items[(code, member.id)] = item.id
        if licensed_on is not None:
            session.add(License(application_id=application.id, household_id=household.id,
                                number=f"T-{application.id}", type=LicenseType.FOSTER, capacity=2, age_min=0,
                                age_max=12, effective_on=licensed_on, expires_on=licensed_on + timedelta(days=365),
                                issued_by_id=owner.id))
        portal_db.commit()
        return World(owner.id, household.id, application.id, ana.id, luis.id, items)


@dataclass
class CourseWorld:
    course_id: int
    sessions: list[int]
    meetings: dict[tuple[int, int], int]  # (session index, number) -> meeting id


def build_course(app, *, category: CourseCategory = CourseCategory.PRE_SERVICE, meeting_count: int = 3,
                 credit_tenths: int = 90, title: str = "TIPS-MAPP", sessions: int = 2, start_days_ago: int = 40,
                 valid_months: int | None = None, virtual: bool = False) -> CourseWorld:
    with app.app_context():
        session = portal_db.session
        course = Course(title_en=title, title_es=f"{title} (es)", category=category, credit_tenths=credit_tenths,
                        meeting_count=meeting_count, valid_months=valid_months)
        session.add(course)
        session.flush()
        today = agency_today()
        ids, meetings = [], {}
        for index in range(sessions):
            day = today - timedelta(days=start_days_ago - 10 * index)
            first = datetime.combine(day, time(18), tzinfo=agency_zone())
            run = CourseSession(course_id=course.id, enroll_by=today, cancel_by=today, first_starts_at=first)
            session.add(run)
            session.flush()
            ids.append(run.id)
            for number in range(1, meeting_count + 1):
                meeting = SessionMeeting(session_id=run.id, number=number,
                                         starts_at=first + timedelta(days=2 * (number - 1)),
                                         place="" if virtual else "Main office",
                                         virtual_link="https://meet.example/x" if virtual else "")
                session.add(meeting)
                session.flush()
                meetings[(index, number)] = meeting.id
        portal_db.commit()
        return CourseWorld(course.id, ids, meetings)


def enroll(app, world: World, session_id: int, member_id: int, makeup: list[int] | None = None) -> int:
    with app.app_context():
        enrollment = Enrollment(session_id=session_id, household_id=world.household_id, member_id=member_id,
                                status=EnrollmentStatus.ENROLLED, makeup_meetings=makeup, seat_at=now_utc())
        portal_db.session.add(enrollment)
        portal_db.commit()
        return enrollment.id
