"""People without an account: references, other adults of the home and co-applicants, answering or signing through
an emailed link."""

from __future__ import annotations

from flask import render_template, request

from licensing import bp
from licensing.application import others
from licensing.application.forms import AdultPartForm, LinkSignatureForm, ReferenceResponseForm
from licensing.application.sections import SECTION_KEYS
from licensing.application.summary import attestation_statements, readable_sections
from portal.access import public
from portal.forms import keeps_input, render_form
from portal.i18n import suggest_locale
from portal.transitions import Refused


@bp.route("/reference/<token>", methods=["GET", "POST"])
@public
@keeps_input
def reference_answer(token: str):
    reference = others.reference_for_token(token)  # a bad link answers 400 (licensing/views.py)
    # The language the request was sent in, unless they switched: here, and on the thank-you page after it.
    suggest_locale(reference.preferred_locale)
    form = ReferenceResponseForm()
    if form.validate_on_submit():
        answers = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        others.record_reference_answer(reference, answers)
        return render_template("licensing/thanks_outside.html")
    return render_form("licensing/reference_answer.html", form, reference=reference)


@bp.route("/household-member/<token>", methods=["GET", "POST"])
@public
@keeps_input
def adult_part(token: str):
    member = others.member_for_token(token)  # a bad link answers 400 (licensing/views.py)
    suggest_locale(member.preferred_locale)
    form = AdultPartForm()
    if form.validate_on_submit():
        try:
            others.record_adult_part(member, form.other_states.data or "", form.typed_name.data,
                                     request.remote_addr or "")
            return render_template("licensing/thanks_outside.html")
        except Refused as refused:
            form.typed_name.errors.append(str(refused.message))
    return render_form("licensing/adult_part.html", form, member=member)



@bp.route("/sign/<token>", methods=["GET", "POST"])
@public
@keeps_input
def sign_by_link(token: str):
    # The language the link was sent in, unless they switched; also on the page saying a used link no longer works.
    suggest_locale(others.signing_link_locale(token))
    application, member = others.signer_for_token(token)  # a bad, replaced or used link answers 400
    form = LinkSignatureForm()
    if form.validate_on_submit():
        try:
            others.sign_through_link(application, member, form.typed_name.data, token, request.remote_addr or "")
            return render_template("licensing/signed_by_link.html", member=member)
        except Refused as refused:
            form.typed_name.errors.append(str(refused.message))
    return render_form("licensing/sign_by_link.html", form, application=application, member=member,
                       readable=readable_sections(application), section_keys=SECTION_KEYS,
                       attestations=attestation_statements())
