"""Named loaders of payments' records. A family's loaders filter by its own household in the query, so another
household's id is simply not found (404); staff loaders answer 404 to anyone who doesn't work licensing (homefinders
and supervisors take fees and record what was paid at the office)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember
from licensing.roles import can_work_applications, may_work_household
from licensing.tracker.models import ChecklistItem, RequirementTemplate, RequirementType
from portal.extensions import db
from portal.models import User
from training.catalog.models import Course, CourseSession, Enrollment
from training.payments.models import Payment


def may_take_payments(user: User) -> bool:
    """Staff who record fees paid at the office, waive them, and see every household's payments."""
    return can_work_applications(user)


def get_payment_for_family(user: User, payment_id: int) -> Payment:
    if user.household_id is None:
        abort(404)
    payment = db.session.scalar(select(Payment).where(Payment.id == payment_id,
                                                      Payment.household_id == user.household_id))
    if payment is None:
        abort(404)
    return payment


def _enrollment(where, options=()) -> tuple[Enrollment, CourseSession, Course, HouseholdMember | None] | None:
    row = db.session.execute(
        select(Enrollment, CourseSession, Course, HouseholdMember)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
        .where(*where)).first()
    return tuple(row) if row is not None else None


def get_enrollment_for_family(user: User, enrollment_id: int):
    """The family's own enrollment, with its session, course and person."""
    if user.household_id is None:
        abort(404)
    found = _enrollment([Enrollment.id == enrollment_id, Enrollment.household_id == user.household_id])
    if found is None:
        abort(404)
    return found


def get_enrollment_for_staff(user: User, enrollment_id: int):
    if not may_take_payments(user):
        abort(404)
    found = _enrollment([Enrollment.id == enrollment_id])
    if found is None or not may_work_household(user, found[0].household_id):
        abort(404)
    return found


def _fee_item(where) -> tuple[ChecklistItem, RequirementTemplate, int, HouseholdMember | None] | None:
    row = db.session.execute(
        select(ChecklistItem, RequirementTemplate, Application.household_id, HouseholdMember)
        .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
        .join(Application, Application.id == ChecklistItem.application_id)
        .outerjoin(HouseholdMember, HouseholdMember.id == ChecklistItem.member_id)
        .where(RequirementTemplate.type == RequirementType.FEE, *where)).first()
    return tuple(row) if row is not None else None


def get_fee_item_for_family(user: User, item_id: int):
    """The family's own checklist item of a fee requirement (any other item, or another household's, is 404)."""
    if user.household_id is None:
        abort(404)
    found = _fee_item([ChecklistItem.id == item_id, Application.household_id == user.household_id])
    if found is None:
        abort(404)
    return found


def get_fee_item_for_staff(user: User, item_id: int):
    if not may_take_payments(user):
        abort(404)
    found = _fee_item([ChecklistItem.id == item_id])
    if found is None or not may_work_household(user, found[2]):
        abort(404)
    return found
