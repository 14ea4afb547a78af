"""People without an account: references, other adults of the home and co-applicants, answering or signing through
an emailed link."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from licensing import bp
from licensing.application import others
from licensing.application.forms import AdultPartForm, LinkBirthDateForm, LinkSignatureForm, ReferenceResponseForm
from licensing.application.sections import SECTION_KEYS
from licensing.application.submission import signed_content_hash
from licensing.application.summary import attestation_statements, readable_sections
from portal.access import public
from portal.database import keep_on_refusal
from portal.extensions import limiter
from portal.forms import keeps_input, render_form
from portal.i18n import suggest_locale
from portal.transitions import Refused

# The one signing link (its token's SHA-256) whose date of birth this browser confirmed, and who signed last here.
SIGNING_LINK_CONFIRMED = "signing_link_confirmed"
SIGNED_BY_LINK = "signed_by_link"


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



def _wrong_birth_date(_response) -> bool:
    """Only a wrong date of birth counts toward the address's limit (not a signature, nor reading the page)."""
    return bool(g.get("wrong_birth_date"))


@bp.route("/sign/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_LINK_RATE_LIMIT"], methods=["POST"], deduct_when=_wrong_birth_date)
@keeps_input
def sign_by_link(token: str):
    # The language the link was sent in, unless they switched; also on the page saying a used link no longer works.
    suggest_locale(others.signing_link_locale(token))
    application, member = others.signer_for_token(token)  # a bad, replaced or used link answers 400
    if session.get(SIGNING_LINK_CONFIRMED) != others.link_sha256(token):
        return _confirm_birth_date(token, member)
    form = LinkSignatureForm()
    shown = signed_content_hash(application)
    if form.validate_on_submit():
        if form.content_sha256.data != shown:
            # What they read is not what would be signed: nothing is stored, the page shows the application now.
            form.form_errors.append(_("The application changed while you were reading it; please read it again "
                                      "before signing."))
        else:
            try:
                others.sign_through_link(application, member, form.typed_name.data, token, request.remote_addr or "")
                session.pop(SIGNING_LINK_CONFIRMED, None)
                session[SIGNED_BY_LINK] = member.full_name
                # A page without the token: a refresh says thank you again, not that the (used) link is invalid.
                return redirect(url_for("licensing.signed_by_link"), code=303)
            except Refused as refused:
                form.typed_name.errors.append(str(refused.message))
    elif request.method == "GET":
        others.record_read_by_link(application, member, token)
    form.content_sha256.data = shown
    return render_form("licensing/sign_by_link.html", form, application=application, member=member,
                       readable=readable_sections(application), section_keys=SECTION_KEYS,
                       attestations=attestation_statements())


def _confirm_birth_date(token: str, member):
    """The link was sent to an address the primary typed: the answers (health, disclosures) are shown only once the
    co-applicant confirms their date of birth, remembered in this browser's session for this link only."""
    form = LinkBirthDateForm()
    if form.validate_on_submit():
        keep_on_refusal()  # a wrong date is counted even though the page answers 422 (or 400 once the link stops)
        g.wrong_birth_date = True  # also when this wrong date is the one that stops the link
        if others.birth_date_confirms(member, form.birth_date.data, token):
            g.wrong_birth_date = False
            session[SIGNING_LINK_CONFIRMED] = others.link_sha256(token)
            return redirect(url_for("licensing.sign_by_link", token=token), code=303)
        form.birth_date.errors.append(_("That date of birth doesn't match the application. Check it and try again."))
    return render_form("licensing/sign_by_link_confirm.html", form, member=member)


@bp.get("/signed")
@public
def signed_by_link():
    """After signing through a link, in the link's language (kept in the session); a refresh shows it again."""
    return render_template("licensing/signed_by_link.html", name=session.get(SIGNED_BY_LINK))
