"""People without an account: references, and other adults of the home, answering through an emailed link."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from licensing import applications, bp
from licensing.forms import AdultPartForm, ReferenceResponseForm
from portal.access import public
from portal.extensions import db
from portal.forms import keeps_input, render_form
from portal.i18n import suggest_locale


@bp.route("/reference/<token>", methods=["GET", "POST"])
@public
@keeps_input
def reference_answer(token: str):
    reference = applications.reference_for_token(token)  # a bad link answers 400 (views/__init__.py)
    form = ReferenceResponseForm()
    if form.validate_on_submit():
        answers = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        applications.record_reference_answer(reference, answers)
        db.commit()
        return render_template("licensing/thanks_outside.html")
    suggest_locale(reference.preferred_locale)  # the language the request was sent in, unless they switched
    return render_form("licensing/reference_answer.html", form, reference=reference)


@bp.route("/household-member/<token>", methods=["GET", "POST"])
@public
@keeps_input
def adult_part(token: str):
    member = applications.member_for_token(token)  # a bad link answers 400 (views/__init__.py)
    suggest_locale(member.preferred_locale)
    form = AdultPartForm()
    if form.validate_on_submit():
        if not applications.names_match(form.typed_name.data, member.full_name):
            form.typed_name.errors.append(_("The typed name must be exactly %(name)s.", name=member.full_name))
        else:
            applications.record_adult_part(member, form.other_states.data or "", form.typed_name.data,
                                           request.remote_addr or "")
            db.commit()
            return render_template("licensing/thanks_outside.html")
    return render_form("licensing/adult_part.html", form, member=member)

