"""Named loaders of caregiver reports. A family reaches a report only while the child is placed with it (the one
visibility rule, portal/children/visibility.py, in the query itself): an ended placement is a 404 at once. Staff: the
child's coordinator or an administrator (`caseload_clause`); anyone else gets 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.children.models import Child
from portal.children.visibility import FamilyAccess, caseload_clause, family_children_query
from portal.court_reports.models import CaregiverReport
from portal.extensions import db
from portal.models import User


def placed_children(user: User):
    """A subquery of the children placed with the user's household today (primary placements; a respite home is not
    asked for the court report)."""
    views = family_children_query(user.household_id).subquery()
    return select(views.c.child_id).where(views.c.access == FamilyAccess.PRIMARY.value)


def family_reports_query(user: User) -> Select:
    return (select(CaregiverReport)
            .where(CaregiverReport.household_id == user.household_id,
                   CaregiverReport.child_id.in_(placed_children(user)))
            .options(joinedload(CaregiverReport.child).load_only(Child.id, Child.first_name, Child.last_name,
                                                                 Child.coordinator_id),
                     joinedload(CaregiverReport.appointment)))


def get_report_for_family(user: User, report_id: int) -> CaregiverReport:
    if user.household_id is None:
        abort(404)
    report = db.session.scalar(family_reports_query(user).where(CaregiverReport.id == report_id))
    if report is None:
        abort(404)
    return report


def staff_reports_query(user: User) -> Select:
    return (select(CaregiverReport).join(Child, Child.id == CaregiverReport.child_id).where(caseload_clause(user))
            .options(joinedload(CaregiverReport.child).load_only(Child.id, Child.first_name, Child.last_name,
                                                                 Child.coordinator_id),
                     joinedload(CaregiverReport.appointment)))


def get_report_for_staff(user: User, report_id: int) -> CaregiverReport:
    report = db.session.scalar(staff_reports_query(user).where(CaregiverReport.id == report_id))
    if report is None:
        abort(404)
    return report


def record_staff_read(user: User, report: CaregiverReport) -> None:
    """A staff member read what a family wrote about a child for the court: recorded (who, what, when)."""
    audit.record("court_report_read", actor=user, target=report, household_id=report.household_id,
                 child_id=report.child_id)
