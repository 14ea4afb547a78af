"""Reads of payments for pages: a household's payments (for its pay buttons, loaded once per request whatever the
number of enrollments or fee items shown), the family's list, and the staff list's query with its filters."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import Select, exists, select

from licensing.application.models import HouseholdMember
from licensing.tracker.models import ItemStatus
from portal.extensions import db
from portal.models import Household
from portal.paging import matches
from training.catalog.models import Course, CourseSession, Enrollment, EnrollmentStatus
from training.payments import stripe_client
from training.payments.models import SETTLED, FeeAmount, Payment, PaymentPurpose, PaymentStatus


@dataclass(frozen=True)
class PayState:
    """What a pay button shows: the amount, the payment that settles it (or the latest tried), and whether the family
    may pay online now."""

    amount_cents: int
    payment: Payment | None
    can_pay: bool  # owed, and nothing settles it
    online: bool  # Stripe is set up: a pay button; otherwise "pay at the office"

    @property
    def settled(self) -> bool:
        return self.payment is not None and self.payment.status in SETTLED

    @property
    def waiting(self) -> bool:
        return self.payment is not None and self.payment.status is PaymentStatus.PENDING


# A seat's fee is owed while the seat is held and after the course is completed (attending does not pay it).
OWING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)


def _household_payments(household_id: int) -> dict[tuple[PaymentPurpose, int], Payment]:
    """The household's payments by what they are for, the settling one first (one query per request)."""
    cache = g.setdefault("household_payments", {})
    if household_id not in cache:
        found: dict[tuple[PaymentPurpose, int], Payment] = {}
        for payment in db.session.scalars(select(Payment).where(Payment.household_id == household_id)
                                          .order_by(Payment.id)):
            key = (payment.purpose, payment.enrollment_id or payment.checklist_item_id or 0)
            kept = found.get(key)
            if kept is None or kept.status not in SETTLED or payment.status in SETTLED:
                found[key] = payment
        cache[household_id] = found
    return cache[household_id]


def _fee_amounts() -> dict[int, int]:
    if "fee_amounts" not in g:
        g.fee_amounts = dict(db.session.execute(select(FeeAmount.template_id, FeeAmount.amount_cents)).all())
    return g.fee_amounts


def enrollment_pay_state(enrollment, course) -> PayState:
    payment = _household_payments(enrollment.household_id).get((PaymentPurpose.ENROLLMENT, enrollment.id))
    owed = course.fee_cents > 0 and enrollment.status in OWING
    settled = payment is not None and payment.status in SETTLED
    return PayState(course.fee_cents, payment, owed and not settled, stripe_client.configured())


def fee_item_pay_state(item, household_id: int) -> PayState:
    amount = _fee_amounts().get(item.template_id) or 0
    payment = _household_payments(household_id).get((PaymentPurpose.FEE_ITEM, item.id))
    settled = payment is not None and payment.status in SETTLED
    owed = amount > 0 and item.status not in (ItemStatus.APPROVED, ItemStatus.WAIVED)
    return PayState(amount, payment, owed and not settled, stripe_client.configured())


@dataclass(frozen=True)
class StillOwed:
    """Something the family still has to pay: a seat in a paid session, or a fee on its checklist."""

    label: str
    person: str
    state: PayState
    action: str  # the pay URL


def still_owed(household_id: int, language: str) -> list[StillOwed]:
    """Seats and checklist fees the household still owes, with what the pay button shows (two statements, and the
    household's payments once per request)."""
    from flask import url_for

    from licensing.application.models import Application
    from licensing.tracker.models import ChecklistItem, RequirementTemplate, RequirementType

    owed: list[StillOwed] = []
    seats = db.session.execute(
        select(Enrollment, Course, HouseholdMember.first_name)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
        .where(Enrollment.household_id == household_id, Enrollment.status.in_(OWING), Course.fee_cents > 0)
        .order_by(CourseSession.first_starts_at, Enrollment.id)).all()
    for enrollment, course, first_name in seats:
        state = enrollment_pay_state(enrollment, course)
        if state.can_pay:
            owed.append(StillOwed(course.title(language), first_name or "", state,
                                  url_for("training.pay_enrollment", enrollment_id=enrollment.id)))
    items = db.session.execute(
        select(ChecklistItem, RequirementTemplate)
        .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
        .join(Application, Application.id == ChecklistItem.application_id)
        .where(Application.household_id == household_id, RequirementTemplate.type == RequirementType.FEE,
               ChecklistItem.status.not_in([ItemStatus.APPROVED, ItemStatus.WAIVED]))
        .order_by(ChecklistItem.id)).all()
    for item, template in items:
        state = fee_item_pay_state(item, household_id)
        if state.can_pay:
            owed.append(StillOwed(template.title(language), "", state,
                                  url_for("training.pay_fee_item", item_id=item.id)))
    return owed


def family_payments(household_id: int) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.household_id == household_id)
                                   .order_by(Payment.created_at.desc(), Payment.id.desc())))


def staff_payments_query(status: str, purpose: str, q: str) -> Select:
    """Payments with their household's name, newest first, filtered by status, purpose and a search of the
    household's name or what was paid for."""
    query = (select(Payment, Household.name).join(Household, Household.id == Payment.household_id)
             .order_by(Payment.created_at.desc(), Payment.id.desc()))
    if status in {s.value for s in PaymentStatus}:
        query = query.where(Payment.status == PaymentStatus(status))
    if purpose in {p.value for p in PaymentPurpose}:
        query = query.where(Payment.purpose == PaymentPurpose(purpose))
    if q:
        query = query.where(matches(q, Household.name, Payment.description_en, Payment.description_es,
                                    Payment.offline_receipt, Payment.payment_intent_id))
    return query


def owed_seats_query(q: str) -> Select:
    """Seats taken in paid sessions that nothing settles yet (no payment, or only expired and failed ones): what
    staff may record as paid at the office or waive. Rows: enrollment id, household, person, course, fee, start."""
    settled = exists().where(Payment.enrollment_id == Enrollment.id, Payment.status.in_(SETTLED))
    query = (select(Enrollment.id, Household.name, HouseholdMember.first_name, HouseholdMember.last_name,
                    Course.title_en, Course.title_es, Course.fee_cents, CourseSession.first_starts_at)
             .join(CourseSession, CourseSession.id == Enrollment.session_id)
             .join(Course, Course.id == CourseSession.course_id)
             .join(Household, Household.id == Enrollment.household_id)
             .outerjoin(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
             .where(Enrollment.status.in_(OWING), Course.fee_cents > 0, ~settled)
             .order_by(CourseSession.first_starts_at, Enrollment.id))
    if q:
        query = query.where(matches(q, Household.name, HouseholdMember.first_name, HouseholdMember.last_name,
                                    Course.title_en, Course.title_es))
    return query
