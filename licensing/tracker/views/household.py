"""The staff page of one household's checklist, drawn by the staff and supervisor views (and re-drawn with a refusal
or a conflict next to the record it is about)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from licensing.application import reasons
from licensing.application.models import Application
from licensing.tracker.forms import CheckUpdateForm, CompleteVisitForm, ItemUpdateForm, LicenseForm, ProposeVisitForm
from licensing.tracker.labels import CHECK_TYPE, VISIT_KIND, item_title
from licensing.tracker.models import CHECK_MOVES, ITEM_MOVES, CheckStatus, ItemStatus, LicenseType
from licensing.tracker.services import checklists, licenses, visits
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.i18n import current_language, label_of
from portal.models import AuditEvent

# What the checklist's history shows of the household's events (the application page shows the application's own).
TRACKER_RECORDS = ("ChecklistItem", "BackgroundCheck", "HomeStudyVisit", "HomeStudyReport", "License")
TRACKER_ACTIONS = ("checklist_generated", "background_checks_requested", "safety_inspection_recorded",
                   "safety_self_check_recorded")
HISTORY_LIMIT = 200


def checklist_history(application: Application) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))  # one query, with or without actors
        .where(AuditEvent.household_id == application.household_id,
               or_(AuditEvent.target_type.in_(TRACKER_RECORDS), AuditEvent.action.in_(TRACKER_ACTIONS)))
        .order_by(AuditEvent.id.desc()).limit(HISTORY_LIMIT)))


def _history_subjects(view: checklists.ChecklistView, household_visits: list, report, license_) \
        -> dict[tuple[str, int], str]:
    """What each event of the history is about, in the reader's words, from what the page already loaded: the item
    and whose it is, the check and whose it is, the visit."""
    def whose(member_id: int | None) -> str:
        member = view.members.get(member_id) if member_id else None
        return f" — {member.full_name}" if member is not None else ""

    subjects: dict[tuple[str, int], str] = {}
    for item in view.items:
        subjects[("ChecklistItem", item.id)] = item_title(item) + whose(item.member_id)
    for check in view.checks:
        check_type = label_of(CHECK_TYPE, check.check_type) + (f" ({check.state})" if check.state else "")
        subjects[("BackgroundCheck", check.id)] = check_type + whose(check.member_id)
    for visit in household_visits:
        subjects[("HomeStudyVisit", visit.id)] = label_of(VISIT_KIND, visit.kind)
    if report is not None:
        subjects[("HomeStudyReport", report.id)] = _("Home study write-up")
    if license_ is not None:
        subjects[("License", license_.id)] = _("License %(number)s", number=license_.number)
    return subjects


def render_staff_checklist(application: Application, status: int = 200, **forms):
    view = checklists.load_checklist(application.id)
    visits_ = visits.visits_of(application.id)
    report, license_ = licenses.report_and_license(application.id)
    license_form = forms.get("license_form") or LicenseForm(type=LicenseType.FOSTER.value, capacity=2, age_min=0,
                                                            age_max=17)
    languages = reasons.family_languages(application.household_id)
    return render_template(
        "licensing/staff_checklist.html", application=application, view=view, events=checklist_history(application),
        titles={i.id: i.template.title(current_language()) for i in view.items},
        subjects=_history_subjects(view, visits_, report, license_),
        visits=visits_, report=report,
        license=license_, ready=licenses.ready_for_license(view),
        item_form=ItemUpdateForm(), check_form=CheckUpdateForm(),
        visit_form=forms.get("visit_form") or ProposeVisitForm(), complete_form=CompleteVisitForm(),
        license_form=license_form, conflict=forms.get("conflict"), refused=forms.get("refused"),
        reason_missing=forms.get("reason_missing"), tried=forms.get("tried"), tried_form=forms.get("tried_form"),
        documents=checklists.item_documents(application.id, view.items), button_form=ConfirmForm(),
        # Only the moves the tables allow are offered (the refusal stays the rule's, not the menu's).
        can_move=lambda item, value: ITEM_MOVES.allows(item.status, ItemStatus(value)),
        can_move_check=lambda check, value: CHECK_MOVES.allows(check.status, CheckStatus(value)),
        family_hint=reasons.language_hint(languages),
        saved_reasons=reasons.reason_choices(reasons.active_reasons(), languages),
    ), status
