"""Named loaders for appointments. Staff loaders scope by the caseload (the child's coordinator, or an administrator:
portal/children/visibility.py); the family's loader asks the one visibility rule in the query itself. Anything else is
404, so a guessed id tells nothing."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import audit
from portal.appointments.emails import AppointmentAction
from portal.children.models import Appointment, Child
from portal.children.permissions import CHILD_VIEWED
from portal.children.visibility import caseload_clause, family_appointments_clause, may_work_child
from portal.extensions import db
from portal.models import Role, User

SCHEDULERS = (Role.COORDINATOR, Role.ADMIN)


def get_child_for_scheduling(user: User, child_id: int, *, record_read: bool = False) -> Child:
    """The child, for its coordinator or an administrator; 404 for anyone else. `record_read`: the page shows the
    child's record (its appointments), so the read goes to the event log with the child's id."""
    child = db.session.get(Child, child_id)
    if child is None or not may_work_child(user, child):
        abort(404)
    if record_read:
        audit.record(AppointmentAction.CHILD_APPOINTMENTS_VIEWED, actor=user, target=child, child_id=child.id)
    return child


def get_appointment_for_staff(user: User, appointment_id: int, *, record_read: bool = False) -> Appointment:
    """An appointment of a child on this person's caseload (every child for an administrator), with its child.
    `record_read`: the page shows the child's record (internal notes), so the read goes to the event log."""
    if not (user.is_authenticated and user.is_active and user.role in SCHEDULERS):
        abort(404)
    appointment = db.session.scalar(
        select(Appointment).join(Child, Child.id == Appointment.child_id)
        .where(Appointment.id == appointment_id, caseload_clause(user)).options(contains_eager(Appointment.child)))
    if appointment is None:
        abort(404)
    if record_read:
        audit.record(CHILD_VIEWED, actor=user, target=appointment, child_id=appointment.child_id)
    return appointment


def get_appointment_for_family(user: User, appointment_id: int) -> Appointment:
    """An appointment this person's household may see today (portal/children/visibility.py), with its child."""
    if not (user.is_authenticated and user.is_active) or user.household_id is None:
        abort(404)
    appointment = db.session.scalar(
        select(Appointment).join(Child, Child.id == Appointment.child_id)
        .where(Appointment.id == appointment_id, family_appointments_clause(user.household_id))
        .options(contains_eager(Appointment.child)))
    if appointment is None:
        abort(404)
    return appointment
