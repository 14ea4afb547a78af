"""Named loaders for the tracker's records. A family's loaders filter by its own household, so another household's
id is simply not found (404); staff loaders answer 404 to anyone who doesn't work licensing, and give the record
with its household's id, which every transition records."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from licensing.application.models import Application
from licensing.roles import can_work_applications, is_active_admin, may_work_household
from licensing.tracker.models import BackgroundCheck, ChecklistItem, HomeStudyVisit, RequirementTemplate, VisitSlot
from portal.extensions import db
from portal.models import User


def _own(user: User, model, record_id: int, *options):
    if user.household_id is None:
        abort(404)
    record = db.session.scalar(select(model).join(Application, Application.id == model.application_id)
                               .where(model.id == record_id, Application.household_id == user.household_id)
                               .options(*options))
    if record is None:
        abort(404)
    return record


def _for_staff(user: User, model, record_id: int, *options):
    if not can_work_applications(user):
        abort(404)
    row = db.session.execute(select(model, Application.household_id)
                             .join(Application, Application.id == model.application_id)
                             .where(model.id == record_id).options(*options)).first()
    if row is None or not may_work_household(user, row[1]):
        abort(404)
    return row[0], row[1]


def get_item_for_family(user: User, item_id: int) -> ChecklistItem:
    return _own(user, ChecklistItem, item_id, selectinload(ChecklistItem.template))


def get_visit_slot_for_family(user: User, visit_id: int, slot_id: int | None) -> tuple[HomeStudyVisit, VisitSlot]:
    """The family's visit and one of the times offered for it; anything else is 404."""
    visit = _own(user, HomeStudyVisit, visit_id)
    slot = db.session.scalar(select(VisitSlot).where(VisitSlot.id == slot_id, VisitSlot.visit_id == visit.id)) \
        if slot_id is not None else None
    if slot is None:
        abort(404)
    return visit, slot


def get_checklist_application_for_staff(user: User, application_id: int) -> Application:
    """The application a staff checklist page is about, with its household (its name is the page's title) and
    nothing else: one statement, where the application pages' loader takes eight. Who may: as
    licensing.application.permissions.get_application_for_staff."""
    if not can_work_applications(user):
        abort(404)
    application = db.session.scalar(select(Application).options(joinedload(Application.household))
                                    .where(Application.id == application_id))
    if application is None:
        abort(404)
    return application


def get_item_for_staff(user: User, item_id: int) -> tuple[ChecklistItem, int]:
    return _for_staff(user, ChecklistItem, item_id, selectinload(ChecklistItem.template))


def get_check_for_staff(user: User, check_id: int) -> tuple[BackgroundCheck, int]:
    return _for_staff(user, BackgroundCheck, check_id)


def get_visit_for_staff(user: User, visit_id: int) -> tuple[HomeStudyVisit, int]:
    return _for_staff(user, HomeStudyVisit, visit_id)


def get_requirement_for_admin(user: User, template_id: int) -> RequirementTemplate:
    template = db.session.get(RequirementTemplate, template_id) if is_active_admin(user) else None
    if template is None:
        abort(404)
    return template
