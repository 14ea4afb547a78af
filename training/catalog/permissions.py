"""Who works the catalog, and named loaders for its records. Staff loaders answer 404 to anyone who isn't training
staff; a family's loaders filter by its own household in the query, so another household's id is simply not found."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from licensing.application.models import Application, HouseholdMember, MemberRole
from portal.extensions import db
from portal.models import Role, User
from training.catalog.models import Course, CourseSession, Enrollment

# Homefinders and supervisors run the agency's trainings; families (applicants and licensed) take them.
TRAINING_STAFF = (Role.HOMEFINDER, Role.ADMIN)
FAMILY = (Role.APPLICANT, Role.FAMILY)


def can_manage_catalog(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in TRAINING_STAFF


def _staff_only(user: User) -> None:
    if not can_manage_catalog(user):
        abort(404)


def get_course_for_staff(user: User, course_id: int) -> Course:
    _staff_only(user)
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return course


def get_session_for_staff(user: User, session_id: int) -> CourseSession:
    _staff_only(user)
    session = db.session.scalar(select(CourseSession).where(CourseSession.id == session_id).options(
        selectinload(CourseSession.meetings), joinedload(CourseSession.course)))
    if session is None:
        abort(404)
    return session


def get_enrollment_for_staff(user: User, enrollment_id: int) -> Enrollment:
    _staff_only(user)
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.id == enrollment_id)
                                   .options(joinedload(Enrollment.session)))
    if enrollment is None:
        abort(404)
    return enrollment


def get_course_for_family(user: User, course_id: int) -> Course:
    """A course of the catalog as families see it: active courses only."""
    course = db.session.scalar(select(Course).where(Course.id == course_id, Course.active.is_(True)))
    if course is None:
        abort(404)
    return course


def get_session_for_family(user: User, session_id: int) -> CourseSession:
    """A session of an active course, with its meetings and course."""
    session = db.session.scalar(
        select(CourseSession).join(Course, Course.id == CourseSession.course_id)
        .where(CourseSession.id == session_id, Course.active.is_(True))
        .options(selectinload(CourseSession.meetings), joinedload(CourseSession.course)))
    if session is None:
        abort(404)
    return session


def get_enrollment_for_family(user: User, enrollment_id: int) -> Enrollment:
    if user.household_id is None:
        abort(404)
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.id == enrollment_id, Enrollment.household_id == user.household_id)
        .options(joinedload(Enrollment.session)))
    if enrollment is None:
        abort(404)
    return enrollment


def applicants_of(user: User) -> list[HouseholdMember]:
    """The applicants of the signed-in family's application (the people who take trainings), primary first."""
    if user.household_id is None:
        return []
    return list(db.session.scalars(
        select(HouseholdMember).join(Application, Application.id == HouseholdMember.application_id)
        .where(Application.household_id == user.household_id,
               HouseholdMember.role.in_((MemberRole.PRIMARY, MemberRole.CO_APPLICANT)))
        .order_by(HouseholdMember.position, HouseholdMember.id)))
