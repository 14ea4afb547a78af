"""Payments' records for the access matrix: a seat in a paid session, a fee item of the checklist, and a payment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from licensing.tracker.models import ChecklistItem, RequirementTemplate
from portal.clock import agency_today
from portal.database import now_utc
from training.catalog.models import Course, CourseCategory, CourseSession, Enrollment, EnrollmentStatus
from training.payments.models import Payment, PaymentPurpose, PaymentStatus


def build_payment_records(session, household_id: int, application_id: int, member_id: int) -> dict[str, int]:
    today = agency_today()
    course = Course(title_en="CPR and First Aid", title_es="RCP y primeros auxilios", fee_cents=4500,
                    category=CourseCategory.CPR_FIRST_AID)
    session.add(course)
    session.flush()
    course_session = CourseSession(course_id=course.id, enroll_by=today + timedelta(days=7),
                                   cancel_by=today + timedelta(days=7), seats_taken=1,
                                   first_starts_at=now_utc() + timedelta(days=10))
    session.add(course_session)
    session.flush()
    enrollment = Enrollment(session_id=course_session.id, household_id=household_id, member_id=member_id,
                            status=EnrollmentStatus.ENROLLED, seat_at=now_utc())
    template_id = session.scalar(select(RequirementTemplate.id).where(RequirementTemplate.code == "fingerprinting_fee"))
    fee_item = ChecklistItem(application_id=application_id, template_id=template_id, member_id=member_id)
    session.add_all([enrollment, fee_item])
    session.flush()
    payment = Payment(household_id=household_id, purpose=PaymentPurpose.ENROLLMENT, enrollment_id=enrollment.id,
                      description_en="CPR and First Aid", description_es="RCP y primeros auxilios",
                      amount_cents=4500, status=PaymentStatus.EXPIRED)
    # A failed attempt at the fee: the staff list links it to "record at the office".
    fee_payment = Payment(household_id=household_id, purpose=PaymentPurpose.FEE_ITEM, checklist_item_id=fee_item.id,
                          description_en="Fingerprinting fee", description_es="Pago de huellas digitales",
                          amount_cents=2500, status=PaymentStatus.FAILED)
    session.add_all([payment, fee_payment])
    session.flush()
    return {"payment_enrollment_id": enrollment.id, "fee_item_id": fee_item.id, "payment_id": payment.id}
