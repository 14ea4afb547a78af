"""The family's checklist: what's next, files sent for items, choosing a visit time, the safety self-check."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from licensing import bp
from licensing.application.permissions import application_row_for_household, get_own_application
from licensing.roles import FAMILY
from licensing.tracker.forms import SlotChoiceForm, safety_form_class
from licensing.tracker.permissions import get_item_for_family, get_visit_slot_for_family
from licensing.tracker.services import checklists, checks, home_study, licenses, safety, visits
from licensing.uploads import FileRefused
from portal.access import roles_required
from portal.clock import agency_today
from portal.forms import ConfirmForm, keeps_input, refusal_beside, refuse_beside, render_form
from portal.routing import takes_several_files
from portal.transitions import Refused


@bp.get("/checklist")
@roles_required(*FAMILY)
def family_checklist():
    application = application_row_for_household(current_user)
    if application is None:
        return render_template("licensing/application_not_open.html")
    report = home_study.report_for(application.id)
    # A file refused just before: said in that item's own row, its file input focused (see send_item_document).
    refused_place, refused_message = refusal_beside()
    return render_template("licensing/family_checklist.html", application=application,
                           view=checklists.load_checklist(application.id), visits=visits.visits_of(application.id),
                           license=licenses.license_for(application.id),
                           # The write-up is for staff only until a supervisor approves it.
                           report=report if report is not None and report.is_approved else None,
                           family_check_status=checks.family_check_status, button_form=ConfirmForm(),
                           documents=checklists.item_documents(application.id), can_send=checklists.FAMILY_CAN_SEND,
                           refused_place=refused_place, refused_message=refused_message)


@bp.post("/checklist/items/<int:item_id>/document")
@takes_several_files
@roles_required(*FAMILY, hidden=True)
def send_item_document(item_id: int):
    item = get_item_for_family(current_user, item_id)
    try:
        checklists.send_item_document(current_user, item, request.files.getlist("file"), current_user.household_id)
    except FileRefused as refused:
        # As on the application's documents: said in the item's own row, its file input focused.
        return refuse_beside(f"item:{item.id}", str(refused.message), "licensing.family_checklist")
    except Refused as refused:  # an item that takes no file now: said on the checklist
        flash(str(refused.message), "danger")
        return redirect(url_for("licensing.family_checklist", _anchor=f"item-{item.id}"), code=303)
    flash(_("Thank you, the document is uploaded."), "success")
    return redirect(url_for("licensing.family_checklist", _anchor=f"item-{item.id}"), code=303)



@bp.post("/visits/<int:visit_id>/choose")
@roles_required(*FAMILY, hidden=True)
def choose_visit_slot(visit_id: int):
    form = SlotChoiceForm()
    visit, slot = get_visit_slot_for_family(current_user, visit_id, form.slot.data if form.validate_on_submit()
                                            else None)
    visits.choose_slot(current_user, visit, slot, current_user.household_id)
    flash(_("The visit is scheduled. We sent you a confirmation."), "success")
    return redirect(url_for("licensing.family_checklist", _anchor="visits"), code=303)


@bp.route("/safety-self-check", methods=["GET", "POST"])
@roles_required(*FAMILY)
@keeps_input
def safety_self_check():
    application = get_own_application(current_user)
    form = safety_form_class(self_check=True)(data=safety.safety_answers(application.id, self_check=True))
    if form.validate_on_submit():
        safety.record_safety(current_user, application, _safety_results(form), self_check=True, today=agency_today())
        flash(_("Your self-check is saved. Fix anything marked before the inspection."), "success")
        return redirect(url_for("licensing.safety_self_check"), code=303)
    return render_form("licensing/safety_checklist.html", form, application=application, self_check=True,
                       safety_codes=safety.SAFETY_ITEMS)


def _safety_results(form) -> dict[str, tuple[str, str]]:
    return {code: (form[f"{code}_result"].data, form[f"{code}_note"].data or "") for code in safety.SAFETY_ITEMS}

