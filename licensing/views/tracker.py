"""The licensing tracker: the family's checklist, the homefinder's household view, license and requirements."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from licensing import applications, bp, tracker
from licensing.documents import FileRefused, store_upload
from licensing.models import (
    BackgroundCheck,
    ChecklistEvent,
    ChecklistItem,
    CheckStatus,
    HomeStudyReport,
    HomeStudyVisit,
    ItemStatus,
    License,
    LicenseType,
    RequirementTemplate,
    RequirementType,
    SafetyCheck,
    VisitKind,
    VisitSlot,
    VisitStatus,
)
from licensing.permissions import application_for_household, get_application_for_staff
from licensing.tracker import ChangedMeanwhile, TransitionRefused
from licensing.tracker_forms import (
    CheckUpdateForm,
    CompleteVisitForm,
    ItemUpdateForm,
    LicenseForm,
    ProposeVisitForm,
    RequirementTemplateForm,
    home_study_form_class,
    safety_form_class,
)
from portal.access import roles_required
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import current_language, local_to_utc
from portal.models import Role

FAMILY = (Role.APPLICANT, Role.FAMILY)
STAFF = (Role.HOMEFINDER, Role.ADMIN)


# -- family ---------------------------------------------------------------------------------------------------------

def _family_application():
    application = application_for_household(current_user)
    if application is None:
        abort(404)
    return application


@bp.get("/checklist")
@roles_required(*FAMILY)
def family_checklist():
    application = application_for_household(current_user)
    if application is None:
        return render_template("licensing/application_not_open.html")
    view = tracker.load_checklist(application.id)
    visits = _visits(application.id)
    license_ = db.session.scalar(select(License).where(License.application_id == application.id))
    # The write-up is for staff only until a supervisor approves it.
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application.id,
                                                             HomeStudyReport.approved_at.is_not(None)))
    return render_template("licensing/family_checklist.html", application=application, view=view, visits=visits,
                           license=license_, report=report, family_check_status=tracker.family_check_status,
                           button_form=ConfirmForm(), documents=tracker.item_documents(application.id),
                           can_send=tracker.FAMILY_CAN_SEND)


@bp.post("/checklist/items/<int:item_id>/document")
@roles_required(*FAMILY, hidden=True)
def send_item_document(item_id: int):
    application = _family_application()
    item = db.session.scalar(select(ChecklistItem).options(selectinload(ChecklistItem.template)).where(
        ChecklistItem.id == item_id, ChecklistItem.application_id == application.id))
    if item is None or item.template.type is not RequirementType.DOCUMENT:
        abort(404)
    upload = request.files.get("file")
    if not ConfirmForm().validate_on_submit() or item.status not in tracker.FAMILY_CAN_SEND:
        abort(409)
    if upload is None or not upload.filename:
        flash(_("Choose the file to upload."), "danger")
        return redirect(url_for("licensing.family_checklist", _anchor=f"item-{item.id}"), code=303)
    try:
        stored = store_upload(upload.stream, upload.filename)
    except FileRefused as refused:
        flash(str(refused.message), "danger")
        return redirect(url_for("licensing.family_checklist", _anchor=f"item-{item.id}"), code=303)
    tracker.send_item_document(current_user, item, stored)
    db.commit()
    flash(_("Thank you, the document is uploaded."), "success")
    return redirect(url_for("licensing.family_checklist", _anchor=f"item-{item.id}"), code=303)


def _visits(application_id: int) -> list[HomeStudyVisit]:
    return list(db.session.scalars(select(HomeStudyVisit).options(selectinload(HomeStudyVisit.slots),
                                                                  selectinload(HomeStudyVisit.homefinder))
                                   .where(HomeStudyVisit.application_id == application_id)
                                   .order_by(HomeStudyVisit.id)))


@bp.post("/visits/<int:visit_id>/choose")
@roles_required(*FAMILY, hidden=True)
def choose_visit_slot(visit_id: int):
    application = _family_application()
    visit = db.session.scalar(select(HomeStudyVisit).where(HomeStudyVisit.id == visit_id,
                                                           HomeStudyVisit.application_id == application.id))
    slot_id = request.form.get("slot", "")
    slot = db.session.scalar(select(VisitSlot).where(VisitSlot.id == int(slot_id), VisitSlot.visit_id == visit_id)) \
        if visit is not None and slot_id.isdigit() else None
    if visit is None or slot is None or not ConfirmForm().validate_on_submit():
        abort(404)
    if visit.status is not VisitStatus.PROPOSED:
        abort(409)
    tracker.choose_slot(current_user, visit, slot)
    db.commit()
    flash(_("The visit is scheduled. We sent you a confirmation."), "success")
    return redirect(url_for("licensing.family_checklist", _anchor="visits"), code=303)


@bp.route("/safety-self-check", methods=["GET", "POST"])
@roles_required(*FAMILY)
@keeps_input
def safety_self_check():
    application = _family_application()
    form = safety_form_class(self_check=True)(data=_safety_data(application.id, self_check=True))
    if form.validate_on_submit():
        tracker.record_safety(current_user, application, _safety_results(form), self_check=True,
                              correction_template=None, today=date.today())
        db.commit()
        flash(_("Your self-check is saved. Fix anything marked before the inspection."), "success")
        return redirect(url_for("licensing.safety_self_check"), code=303)
    return render_form("licensing/safety_checklist.html", form, application=application, self_check=True,
                       safety_codes=tracker.SAFETY_ITEMS)


def _safety_data(application_id: int, self_check: bool) -> dict:
    data = {}
    for line in db.session.scalars(select(SafetyCheck).where(SafetyCheck.application_id == application_id,
                                                             SafetyCheck.self_check.is_(self_check))):
        data[f"{line.item_code}_result"] = line.result.value
        data[f"{line.item_code}_note"] = line.note
    return data


def _safety_results(form) -> dict[str, tuple[str, str]]:
    return {code: (form[f"{code}_result"].data, form[f"{code}_note"].data or "") for code in tracker.SAFETY_ITEMS}


# -- homefinder -----------------------------------------------------------------------------------------------------

@bp.get("/staff/applications/<int:application_id>/checklist")
@roles_required(*STAFF, hidden=True)
def staff_checklist(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    return _render_staff_checklist(application)


def _render_staff_checklist(application, status: int = 200, **forms):
    view = tracker.load_checklist(application.id)
    events = db.session.scalars(select(ChecklistEvent).options(selectinload(ChecklistEvent.actor))
                                .where(ChecklistEvent.application_id == application.id)
                                .order_by(ChecklistEvent.id.desc()).limit(200)).all()
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application.id))
    license_ = db.session.scalar(select(License).where(License.application_id == application.id))
    titles = {i.id: i.template.title(current_language()) for i in view.items}
    license_form = forms.get("license_form") or LicenseForm(type=LicenseType.FOSTER.value, capacity=2, age_min=0,
                                                            age_max=17)
    return render_template(
        "licensing/staff_checklist.html", application=application, view=view, events=events, titles=titles,
        visits=_visits(application.id), report=report, license=license_,
        ready=tracker.ready_for_license(view), item_form=ItemUpdateForm(), check_form=CheckUpdateForm(),
        visit_form=forms.get("visit_form") or ProposeVisitForm(), complete_form=CompleteVisitForm(),
        license_form=license_form, conflict=forms.get("conflict"), refused=forms.get("refused"),
        documents=tracker.item_documents(application.id),
        button_form=ConfirmForm(),
    ), status


@bp.post("/staff/items/<int:item_id>")
@roles_required(*STAFF, hidden=True)
def staff_update_item(item_id: int):
    item = db.session.scalar(select(ChecklistItem).options(selectinload(ChecklistItem.template))
                             .where(ChecklistItem.id == item_id))
    if item is None:
        abort(404)
    application = get_application_for_staff(current_user, item.application_id)
    form = ItemUpdateForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        return _render_staff_checklist(application, 422, refused=(item.id, _("Check the values and try again.")))
    try:
        tracker.change_status(current_user, item, int(form.version.data), ItemStatus(form.status.data),
                              reason=form.reason.data or "", hours=form.hours.data,
                              payment_method=form.payment_method.data or "",
                              receipt_number=form.receipt_number.data or "")
        db.commit()
    except ChangedMeanwhile:
        db.session.rollback()
        return _render_staff_checklist(get_application_for_staff(current_user, application.id), 409,
                                       conflict=item_id)
    except StaleDataError:
        db.session.rollback()
        return _render_staff_checklist(get_application_for_staff(current_user, application.id), 409,
                                       conflict=item_id)
    except TransitionRefused as refused:
        db.session.rollback()
        return _render_staff_checklist(get_application_for_staff(current_user, application.id), 422,
                                       refused=(item_id, str(refused.message)))
    flash(_("Saved."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application.id, _anchor=f"item-{item.id}"),
                    code=303)


@bp.post("/staff/checks/<int:check_id>")
@roles_required(*STAFF, hidden=True)
def staff_update_check(check_id: int):
    check = db.session.get(BackgroundCheck, check_id)
    if check is None:
        abort(404)
    application = get_application_for_staff(current_user, check.application_id)
    form = CheckUpdateForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        abort(400)
    try:
        tracker.update_check(current_user, check, int(form.version.data), CheckStatus(form.status.data))
        db.commit()
    except (ChangedMeanwhile, StaleDataError):
        db.session.rollback()
        return _render_staff_checklist(get_application_for_staff(current_user, application.id), 409,
                                       conflict=f"check-{check_id}")
    flash(_("Saved."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application.id, _anchor="checks"), 303)


@bp.post("/staff/applications/<int:application_id>/visits")
@roles_required(*STAFF, hidden=True)
def staff_propose_visit(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = ProposeVisitForm()
    if not form.validate_on_submit():
        return _render_staff_checklist(application, 422, visit_form=form)
    slots = [local_to_utc(f.data) for f in (form.slot_1, form.slot_2, form.slot_3) if f.data]
    tracker.propose_visit(current_user, application, VisitKind(form.kind.data), slots)
    db.commit()
    flash(_("The times were sent to the family."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application.id, _anchor="visits"), 303)


@bp.post("/staff/visits/<int:visit_id>/complete")
@roles_required(*STAFF, hidden=True)
def staff_complete_visit(visit_id: int):
    visit = db.session.get(HomeStudyVisit, visit_id)
    if visit is None:
        abort(404)
    application = get_application_for_staff(current_user, visit.application_id)
    form = CompleteVisitForm()
    if not form.validate_on_submit() or visit.status is not VisitStatus.SCHEDULED:
        abort(409)
    tracker.complete_visit(current_user, visit, form.notes.data or "")
    db.commit()
    flash(_("The visit is recorded as completed."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application.id, _anchor="visits"), 303)


@bp.route("/staff/applications/<int:application_id>/safety", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def staff_safety(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = safety_form_class(self_check=False)(data=_safety_data(application.id, self_check=False))
    if form.validate_on_submit():
        correction = db.session.scalar(select(RequirementTemplate).where(RequirementTemplate.code
                                                                         == "safety_correction"))
        tracker.record_safety(current_user, application, _safety_results(form), self_check=False,
                              correction_template=correction, today=date.today())
        db.commit()
        flash(_("The inspection is saved. Corrections were added to the family's checklist."), "success")
        return redirect(url_for("licensing.staff_checklist", application_id=application.id), code=303)
    self_check = _safety_data(application.id, self_check=True)
    return render_form("licensing/safety_checklist.html", form, application=application, self_check=False,
                       family_answers=self_check, safety_codes=tracker.SAFETY_ITEMS)


@bp.route("/staff/applications/<int:application_id>/home-study", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def staff_home_study(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application.id))
    form_class = home_study_form_class()
    form = form_class(data={**(report.sections if report else {}), "version": report.version if report else ""})
    if form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            tracker.save_report(current_user, application, version,
                                {key: form[key].data or "" for key in tracker.REPORT_SECTIONS})
            db.commit()
        except (ChangedMeanwhile, StaleDataError):
            db.session.rollback()
            flash(_("Someone else saved this write-up meanwhile. Here is their version; add your changes again."),
                  "warning")
            return redirect(url_for("licensing.staff_home_study", application_id=application.id), code=303)
        flash(_("The write-up is saved."), "success")
        return redirect(url_for("licensing.staff_home_study", application_id=application.id), code=303)
    return render_form("licensing/home_study.html", form, application=application, report=report,
                       button_form=ConfirmForm(), report_keys=tracker.REPORT_SECTIONS)


@bp.post("/staff/applications/<int:application_id>/home-study/approve")
@roles_required(Role.ADMIN, hidden=True)
def admin_approve_home_study(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application.id))
    if report is None or not ConfirmForm().validate_on_submit():
        abort(409)
    tracker.approve_report(current_user, report)
    db.commit()
    flash(_("The home study is approved."), "success")
    return redirect(url_for("licensing.staff_home_study", application_id=application.id), code=303)


@bp.post("/staff/applications/<int:application_id>/license")
@roles_required(Role.ADMIN, hidden=True)
def admin_issue_license(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    view = tracker.load_checklist(application.id)
    form = LicenseForm()
    if not tracker.ready_for_license(view) or db.session.scalar(
            select(License.id).where(License.application_id == application.id)) is not None:
        abort(409)
    if not form.validate_on_submit():
        return _render_staff_checklist(application, 422, license_form=form)
    try:
        tracker.issue_license(current_user, application, form.number.data, LicenseType(form.type.data),
                              form.capacity.data, form.age_min.data, form.age_max.data, form.effective_on.data,
                              form.expires_on.data, applications.section_data(application))
    except TransitionRefused as refused:
        db.session.rollback()
        form.number.errors.append(str(refused.message))
        return _render_staff_checklist(get_application_for_staff(current_user, application_id), 422,
                                       license_form=form)
    db.commit()
    flash(_("The license is issued. The family was told by email."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application_id), code=303)


# -- administrator: requirement templates -------------------------------------------------------------------------

@bp.get("/admin/requirements")
@roles_required(Role.ADMIN)
def admin_requirements():
    templates = db.session.scalars(select(RequirementTemplate).order_by(RequirementTemplate.for_renewal,
                                                                        RequirementTemplate.position)).all()
    return render_template("licensing/admin_requirements.html", templates=templates)


@bp.route("/admin/requirements/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/admin/requirements/<int:template_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, hidden=True)
@keeps_input
def admin_requirement(template_id: int | None):
    template = db.session.get(RequirementTemplate, template_id) if template_id is not None else None
    if template_id is not None and template is None:
        abort(404)
    form = RequirementTemplateForm(obj=template, active=template.active if template else True)
    if form.validate_on_submit():
        clash = db.session.scalar(select(RequirementTemplate).where(RequirementTemplate.code == form.code.data))
        if clash is not None and clash is not template:
            form.code.errors.append(_("Another requirement already uses this code."))
        else:
            if template is None:
                template = RequirementTemplate(position=1000)
                db.session.add(template)
            form.populate_obj(template)
            for name in ("explanation_en", "explanation_es"):
                setattr(template, name, getattr(template, name) or "")
            db.commit()
            flash(_("Saved. New checklists use it from now on."), "success")
            return redirect(url_for("licensing.admin_requirements"), code=303)
    return render_form("licensing/admin_requirement.html", form, requirement=template)
