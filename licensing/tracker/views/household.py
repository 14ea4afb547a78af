"""The staff page of one household's checklist, drawn by the staff and supervisor views (and re-drawn with a refusal
or a conflict next to the record it is about)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from licensing.application.models import Application
from licensing.tracker.forms import CheckUpdateForm, CompleteVisitForm, ItemUpdateForm, LicenseForm, ProposeVisitForm
from licensing.tracker.models import LicenseType
from licensing.tracker.services import checklists, home_study, licenses, visits
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.i18n import current_language
from portal.models import AuditEvent

# What the checklist's history shows of the household's events (the application page shows the application's own).
TRACKER_RECORDS = ("ChecklistItem", "BackgroundCheck", "HomeStudyVisit", "HomeStudyReport", "License")
TRACKER_ACTIONS = ("checklist_generated", "background_checks_requested", "safety_inspection_recorded",
                   "safety_self_check_recorded")
HISTORY_LIMIT = 200


def checklist_history(application: Application) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .where(AuditEvent.household_id == application.household_id,
               or_(AuditEvent.target_type.in_(TRACKER_RECORDS), AuditEvent.action.in_(TRACKER_ACTIONS)))
        .order_by(AuditEvent.id.desc()).limit(HISTORY_LIMIT)))


def render_staff_checklist(application: Application, status: int = 200, **forms):
    view = checklists.load_checklist(application.id)
    license_form = forms.get("license_form") or LicenseForm(type=LicenseType.FOSTER.value, capacity=2, age_min=0,
                                                            age_max=17)
    return render_template(
        "licensing/staff_checklist.html", application=application, view=view, events=checklist_history(application),
        titles={i.id: i.template.title(current_language()) for i in view.items},
        visits=visits.visits_of(application.id), report=home_study.report_for(application.id),
        license=licenses.license_for(application.id), ready=licenses.ready_for_license(view),
        item_form=ItemUpdateForm(), check_form=CheckUpdateForm(),
        visit_form=forms.get("visit_form") or ProposeVisitForm(), complete_form=CompleteVisitForm(),
        license_form=license_form, conflict=forms.get("conflict"), refused=forms.get("refused"),
        documents=checklists.item_documents(application.id), button_form=ConfirmForm(),
    ), status
