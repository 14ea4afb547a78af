"""Named loaders of training.hours: each answers 404 when the record isn't the user's to see. A family's loaders
filter by its own household in the query; staff loaders answer 404 to anyone who doesn't work licensing."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.roles import can_work_applications, is_active_admin, may_work_household
from portal.extensions import db
from portal.models import Household, User
from training.catalog.models import SessionMeeting
from training.hours.models import CreditSource, CreditStatus, TrainingCredit, TrainingRule
from training.hours.services import current_rule


def may_take_attendance(user: User) -> bool:
    """Homefinders and supervisors take attendance (instructors hand theirs to staff)."""
    return can_work_applications(user)


def get_meeting_for_staff(user: User, meeting_id: int) -> SessionMeeting:
    meeting = db.session.get(SessionMeeting, meeting_id) if may_take_attendance(user) else None
    if meeting is None:
        abort(404)
    return meeting


def get_household_for_staff(user: User, household_id: int) -> Household:
    household = db.session.get(Household, household_id) if can_work_applications(user) else None
    if household is None or not may_work_household(user, household.id):
        abort(404)
    return household


def get_credit_for_staff(user: User, credit_id: int) -> TrainingCredit:
    credit = db.session.get(TrainingCredit, credit_id) if can_work_applications(user) else None
    if credit is None or not may_work_household(user, credit.household_id):
        abort(404)
    return credit


def get_proof_for_family(user: User, credit_id: int) -> TrainingCredit:
    """The family's own proof of outside hours."""
    credit = _own_credit(user, credit_id)
    if not credit.proof_path:
        abort(404)
    return credit


def get_certificate_for_family(user: User, credit_id: int) -> TrainingCredit:
    """A certificate of the family's own: a completed course of one of its people."""
    credit = _own_credit(user, credit_id)
    if credit.source is not CreditSource.COURSE or credit.status is not CreditStatus.APPROVED \
            or not credit.certificate_code:
        abort(404)
    return credit


def _own_credit(user: User, credit_id: int) -> TrainingCredit:
    if user.household_id is None:
        abort(404)
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.id == credit_id,
                                                            TrainingCredit.household_id == user.household_id))
    if credit is None:
        abort(404)
    return credit


def get_rule_for_admin(user: User) -> TrainingRule:
    if not is_active_admin(user):
        abort(404)
    return current_rule()
