"""The agency's settings page (administrators): the numbers in portal/settings.py."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.validators import InputRequired, NumberRange

from portal import bp
from portal.access import roles_required
from portal.forms import IntegerField, PortalForm, keeps_input, render_form
from portal.models import Role
from portal.settings import SETTINGS, save_settings, setting_values


def settings_form_class() -> type[PortalForm]:
    """One whole-number field per setting, bounded by the setting's range."""

    class AgencySettingsForm(PortalForm):
        pass

    for key, setting in SETTINGS.items():
        setattr(AgencySettingsForm, key, IntegerField(
            setting.label, description=setting.description,
            validators=[InputRequired(message=_("Enter a whole number.")),
                        NumberRange(min=setting.minimum, max=setting.maximum)]))
    return AgencySettingsForm


@bp.route("/admin/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@keeps_input
def admin_settings():
    form = settings_form_class()(data=setting_values())
    if form.validate_on_submit():
        changed = save_settings(current_user, {key: getattr(form, key).data for key in SETTINGS})
        flash(_("The settings are saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("portal.admin_settings"), code=303)
    return render_form("admin/settings.html", form)
