"""The license: issued when every initial item is approved or waived; the household becomes a licensed family and
its renewal items are made."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from licensing.application.models import Application, ApplicationStatus
from licensing.application.services import change_application_status
from licensing.tracker.models import (
    LICENSE_MOVES,
    ChecklistItem,
    HomeStudyReport,
    License,
    LicenseStatus,
    LicenseType,
)
from licensing.tracker.services.checklists import FINAL, ChecklistView, generate_checklist
from portal import audit, emails, sessions
from portal.extensions import db
from portal.models import Role, User
from portal.services import household_accounts
from portal.transitions import TransitionRefused, transition

RENEWAL_DUE_BEFORE_EXPIRY = timedelta(days=60)


def ready_for_license(view: ChecklistView) -> bool:
    initial = [i for i in view.items if i.cycle == 0]
    return bool(initial) and all(i.status in FINAL for i in initial)


def license_for(application_id: int) -> License | None:
    return db.session.scalar(select(License).where(License.application_id == application_id))


def report_and_license(application_id: int) -> tuple[HomeStudyReport | None, License | None]:
    """The home study write-up and the license of an application, each or both missing (one query: the staff
    checklist shows both)."""
    row = db.session.execute(
        select(HomeStudyReport, License).select_from(Application)
        .outerjoin(HomeStudyReport, HomeStudyReport.application_id == Application.id)
        .outerjoin(License, License.application_id == Application.id)
        .where(Application.id == application_id).limit(1)).first()
    return (row[0], row[1]) if row is not None else (None, None)


def issue_license(admin: User, application: Application, view: ChecklistView, number: str, license_type: LicenseType,
                  capacity: int, age_min: int, age_max: int, effective_on: date, expires_on: date,
                  answers: dict) -> License:
    """Issue the license: the application is approved, the household becomes a licensed family and its renewal
    items are created. Refused unless every initial item is final and no license exists yet."""
    if license_for(application.id) is not None:
        raise TransitionRefused(_l("A license was already issued for this household."))
    if not ready_for_license(view):
        raise TransitionRefused(_l("Every item must be approved or waived before the license is issued."))
    if db.session.scalar(select(License.id).where(License.number == number.strip())) is not None:
        raise TransitionRefused(_l("This license number is already used."))
    license_ = License(application_id=application.id, household_id=application.household_id, number=number.strip(),
                       type=license_type, capacity=capacity, age_min=age_min, age_max=age_max,
                       effective_on=effective_on, expires_on=expires_on, issued_by_id=admin.id,
                       status=LicenseStatus.ACTIVE)
    db.session.add(license_)
    db.session.flush()
    change_application_status(admin, application, ApplicationStatus.APPROVED, license=license_.number)
    for user in household_accounts(application.household_id):
        if user.role is Role.APPLICANT:
            old = user.role
            user.role = Role.FAMILY
            # The new role takes effect at the next sign-in.
            sessions.end_all(user, admin, sessions.EndReason.ROLE_CHANGED)
            audit.record(audit.AuditAction.ROLE_CHANGED, actor=admin, target=user, old=old.value, new="family")
        emails.queue_email(user.email, user.preferred_locale, "license_issued", user=user, license=license_,
                           link=emails.portal_url("licensing.family_checklist"))
    generate_checklist(application, answers, effective_on, cycle=1, start=effective_on)
    _set_renewal_due_dates(application.id, expires_on)
    audit.record("license_issued", actor=admin, target=license_, household_id=application.household_id,
                 number=license_.number, to_status=LicenseStatus.ACTIVE.value)
    return license_


def expire_license(license_: License) -> None:
    """The day after it expires, an active license is expired (the reminder job)."""
    transition(LICENSE_MOVES, license_, LicenseStatus.EXPIRED, actor=None, household_id=license_.household_id)


def _set_renewal_due_dates(application_id: int, expires_on: date) -> None:
    """Renewal items are due before the license expires, so nothing is rushed at the end."""
    latest = expires_on - RENEWAL_DUE_BEFORE_EXPIRY
    for item in db.session.scalars(select(ChecklistItem).options(selectinload(ChecklistItem.template))
                                   .where(ChecklistItem.application_id == application_id, ChecklistItem.cycle == 1)):
        item.due_date = min(item.due_date, latest) if item.due_date else latest
