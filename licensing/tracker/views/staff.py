"""The homefinder's view of a household's checklist: items, background checks, visits, the safety inspection and
the home study write-up. Status changes go through the services' transition functions; a refused one re-renders
the page with the reason next to the record, and the request's unit of work stores nothing of it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from licensing import bp
from licensing.application import reasons
from licensing.application.permissions import get_application_for_staff
from licensing.roles import LICENSING_STAFF
from licensing.tracker.forms import (
    CheckUpdateForm,
    CompleteVisitForm,
    ItemUpdateForm,
    ProposeVisitForm,
    home_study_form_class,
    safety_form_class,
)
from licensing.tracker.models import ITEM_MOVES, CheckStatus, ItemStatus, VisitKind
from licensing.tracker.permissions import (
    get_check_for_staff,
    get_checklist_application_for_staff,
    get_item_for_staff,
    get_visit_for_staff,
)
from licensing.tracker.services import checklists, checks, home_study, safety, visits
from licensing.tracker.views.household import render_staff_checklist
from portal.access import roles_required
from portal.clock import agency_today
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import local_to_utc
from portal.transitions import ChangedMeanwhile, TransitionRefused


@bp.get("/staff/applications/<int:application_id>/checklist")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_checklist(application_id: int):
    return render_staff_checklist(get_checklist_application_for_staff(current_user, application_id))


def _back_to_checklist(application_id: int, anchor: str):
    return redirect(url_for("licensing.staff_checklist", application_id=application_id, _anchor=anchor), code=303)


@bp.post("/staff/items/<int:item_id>")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_update_item(item_id: int):
    item, household_id = get_item_for_staff(current_user, item_id)
    form = ItemUpdateForm()
    # A refused change comes back with the item's form open and what was chosen and typed still in it.
    tried = {"tried": item_id, "tried_form": form}
    try:
        if not form.validate_on_submit():
            raise TransitionRefused(_("Check the values and try again."))
        reason = reasons.text_for_family(form.reason.data, form.saved_reason.data, household_id)
        new_status = ItemStatus(form.status.data)
        if (not reason and new_status in ITEM_MOVES.needs_reason and new_status is not item.status
                and ITEM_MOVES.allows(item.status, new_status)):
            # A move the rule allows but for its reason (the service's own refusal), said next to the reason box:
            # none written, or a saved one that was just taken out of use. Details recorded on a waived or returned
            # item (hours, a receipt) change no status and need none.
            missing = form.missing if form.saved_reason.data else _("Give a reason the family will see.")
            return render_staff_checklist(_reloaded(item.application_id), 422, refused=(item_id, str(missing)),
                                          reason_missing=item_id, **tried)
        checklists.change_item_status(current_user, item, new_status, household_id=household_id,
                                      expected_version=form.version.data, reason=reason,
                                      hours=form.hours.data, payment_method=form.payment_method.data or "",
                                      receipt_number=form.receipt_number.data or "", today=agency_today())
    except (ChangedMeanwhile, StaleDataError):
        # Not what was tried: the page shows the item as it is now, to decide again (the hidden version is current).
        return render_staff_checklist(_reloaded(item.application_id), 409, conflict=item_id)
    except TransitionRefused as refused:
        return render_staff_checklist(_reloaded(item.application_id), 422, refused=(item_id, str(refused.message)),
                                      **tried)
    flash(_("Saved."), "success")
    return _back_to_checklist(item.application_id, f"item-{item.id}")


def _reloaded(application_id: int):
    """After a refused or stale change the session holds what was tried (or can't be used after a failed flush):
    start over from what is stored, to show it."""
    db.rollback()
    return get_checklist_application_for_staff(current_user, application_id)


@bp.post("/staff/checks/<int:check_id>")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_update_check(check_id: int):
    check, household_id = get_check_for_staff(current_user, check_id)
    form = CheckUpdateForm()
    try:
        if not form.validate_on_submit():
            raise TransitionRefused(_("Check the values and try again."))
        checks.update_check(current_user, check, CheckStatus(form.status.data), household_id=household_id,
                            expected_version=form.version.data)
    except (ChangedMeanwhile, StaleDataError):
        return render_staff_checklist(_reloaded(check.application_id), 409, conflict=f"check-{check_id}")
    except TransitionRefused as refused:
        return render_staff_checklist(_reloaded(check.application_id), 422,
                                      refused=(f"check-{check_id}", str(refused.message)))
    flash(_("Saved."), "success")
    return _back_to_checklist(check.application_id, "checks")


@bp.post("/staff/applications/<int:application_id>/visits")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_propose_visit(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = ProposeVisitForm()
    if not form.validate_on_submit():
        return render_staff_checklist(application, 422, visit_form=form)
    slots = [local_to_utc(f.data) for f in (form.slot_1, form.slot_2, form.slot_3) if f.data]
    visits.propose_visit(current_user, application, VisitKind(form.kind.data), slots)
    flash(_("The times were sent to the family."), "success")
    return _back_to_checklist(application.id, "visits")


@bp.post("/staff/visits/<int:visit_id>/complete")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_complete_visit(visit_id: int):
    visit, household_id = get_visit_for_staff(current_user, visit_id)
    form = CompleteVisitForm()
    if not form.validate_on_submit():
        return render_staff_checklist(get_checklist_application_for_staff(current_user, visit.application_id), 422)
    visits.complete_visit(current_user, visit, form.notes.data or "", household_id)
    flash(_("The visit is recorded as completed."), "success")
    return _back_to_checklist(visit.application_id, "visits")


@bp.route("/staff/applications/<int:application_id>/safety", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def staff_safety(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = safety_form_class(self_check=False)(data=safety.safety_answers(application.id, self_check=False))
    hint = reasons.language_hint(reasons.family_languages(application.household_id))
    for code in safety.SAFETY_ITEMS:  # a note on a line that needs correcting is what the family reads
        form[f"{code}_note"].description = hint
    if form.validate_on_submit():
        results = {code: (form[f"{code}_result"].data, form[f"{code}_note"].data or "")
                   for code in safety.SAFETY_ITEMS}
        safety.record_safety(current_user, application, results, self_check=False, today=agency_today())
        flash(_("The inspection is saved. Corrections were added to the family's checklist."), "success")
        return redirect(url_for("licensing.staff_checklist", application_id=application.id), code=303)
    return render_form("licensing/safety_checklist.html", form, application=application, self_check=False,
                       family_answers=safety.safety_answers(application.id, self_check=True),
                       safety_codes=safety.SAFETY_ITEMS)


@bp.route("/staff/applications/<int:application_id>/home-study", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def staff_home_study(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    report = home_study.report_for(application.id)
    form = home_study_form_class()(data={**(report.sections if report else {}), "version": report.version
                                         if report else None})
    # The family reads the recommendation on their checklist once the write-up is approved: say in which language.
    form["recommendation"].description = reasons.language_hint(reasons.family_languages(application.household_id))
    if form.validate_on_submit():
        try:
            home_study.save_report(current_user, application, form.version.data,
                                   {key: form[key].data or "" for key in home_study.REPORT_SECTIONS})
        except (ChangedMeanwhile, StaleDataError):
            # Long free text: show what this person typed, with the other version's number, so saving again is a
            # deliberate choice to keep theirs (nothing typed is lost, nobody's save is silently overwritten).
            db.rollback()
            report = home_study.report_for(application.id)
            form.version.data = report.version if report else None
            form.version.raw_data = [str(form.version.data or "")]  # the field shows what was posted otherwise
            return render_template("licensing/home_study.html", form=form, application=application, report=report,
                                   button_form=ConfirmForm(), report_keys=home_study.REPORT_SECTIONS,
                                   conflict=True), 409
        flash(_("The write-up is saved."), "success")
        return redirect(url_for("licensing.staff_home_study", application_id=application.id), code=303)
    return render_form("licensing/home_study.html", form, application=application, report=report,
                       button_form=ConfirmForm(), report_keys=home_study.REPORT_SECTIONS)
