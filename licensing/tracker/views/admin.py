"""The supervisor's decisions: approving the home study, issuing the license, and the agency's requirements."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from licensing import bp
from licensing.application.permissions import get_application_for_staff
from licensing.application.services import section_data
from licensing.tracker.forms import LicenseForm, RequirementTemplateForm
from licensing.tracker.models import LicenseType, RequirementTemplate
from licensing.tracker.permissions import get_requirement_for_admin
from licensing.tracker.services import checklists, home_study, licenses, requirements
from licensing.tracker.views.household import render_staff_checklist
from portal.access import roles_required
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.models import Role
from portal.transitions import Refused, TransitionRefused


@bp.post("/staff/applications/<int:application_id>/home-study/approve")
@roles_required(Role.ADMIN, hidden=True)
def admin_approve_home_study(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    report = home_study.report_for(application.id)
    if report is None or not ConfirmForm().validate_on_submit():
        raise TransitionRefused(_("There is no write-up to approve yet."))
    home_study.approve_report(current_user, report, application.household_id)
    flash(_("The home study is approved."), "success")
    return redirect(url_for("licensing.staff_home_study", application_id=application.id), code=303)


@bp.post("/staff/applications/<int:application_id>/license")
@roles_required(Role.ADMIN, hidden=True)
def admin_issue_license(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    view = checklists.load_checklist(application.id)
    if licenses.license_for(application.id) is not None:  # sent twice (a double click, the back button)
        raise TransitionRefused(_("A license was already issued for this household."))
    if not licenses.ready_for_license(view):
        raise TransitionRefused(_("Every item must be approved or waived before the license is issued."))
    form = LicenseForm()
    if not form.validate_on_submit():
        return render_staff_checklist(application, 422, license_form=form)
    try:
        licenses.issue_license(current_user, application, view, form.number.data, LicenseType(form.type.data),
                               form.capacity.data, form.age_min.data, form.age_max.data, form.effective_on.data,
                               form.expires_on.data, section_data(application))
    except TransitionRefused as refused:
        form.number.errors.append(str(refused.message))
        return render_staff_checklist(application, 422, license_form=form)
    flash(_("The license is issued. The family was told by email."), "success")
    return redirect(url_for("licensing.staff_checklist", application_id=application_id), code=303)


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
    template = get_requirement_for_admin(current_user, template_id) if template_id is not None else None
    form = RequirementTemplateForm(obj=template, active=template.active if template else True)
    if form.validate_on_submit():
        try:
            requirements.save_requirement(current_user, template, form)
        except Refused as refused:
            form.code.errors.append(str(refused.message))
        else:
            flash(_("Saved. New checklists use it from now on."), "success")
            return redirect(url_for("licensing.admin_requirements"), code=303)
    return render_form("licensing/admin_requirement.html", form, requirement=template)
