"""Administrators keep the agency's saved return reasons, in English and Spanish, that staff pick when they return
something to a family."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from licensing import bp
from licensing.application import reasons
from licensing.application.forms import ReturnReasonForm
from licensing.application.permissions import get_return_reason_for_admin
from portal.access import roles_required
from portal.forms import keeps_input, render_form
from portal.models import Role


@bp.get("/admin/return-reasons")
@roles_required(Role.ADMIN)
def admin_return_reasons():
    return render_template("licensing/admin_return_reasons.html", reasons=reasons.all_reasons())


@bp.route("/admin/return-reasons/new", methods=["GET", "POST"], defaults={"reason_id": None})
@bp.route("/admin/return-reasons/<int:reason_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, hidden=True)
@keeps_input
def admin_return_reason(reason_id: int | None):
    reason = get_return_reason_for_admin(current_user, reason_id) if reason_id is not None else None
    form = ReturnReasonForm(obj=reason, active=reason.active if reason else True)
    if form.validate_on_submit():
        reasons.save_reason(current_user, reason, form.text_en.data, form.text_es.data, form.active.data)
        flash(_("Saved. Staff can choose it when they return something to a family."), "success")
        return redirect(url_for("licensing.admin_return_reasons"), code=303)
    return render_form("licensing/admin_return_reason.html", form, reason=reason)
