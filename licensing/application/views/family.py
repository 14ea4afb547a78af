"""The household's own application: overview, sections, documents, signatures, submission."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from licensing import bp
from licensing.application import others, submission
from licensing.application import services as applications
from licensing.application.documents import RequiredDocument, required_documents
from licensing.application.forms import SignatureForm
from licensing.application.models import ApplicationDocument, DocumentPage
from licensing.application.permissions import (
    application_for_household,
    get_document_for,
    get_document_page_for,
    get_own_application,
    get_own_application_for_section,
)
from licensing.application.sections import (
    MIN_NON_RELATIVE_REFERENCES,
    MIN_REFERENCES,
    REFERENCE_ROWS,
    SECTION_FORMS,
    SECTION_KEYS,
)
from licensing.roles import FAMILY
from licensing.uploads import FileRefused, open_stored, send_stored
from portal import audit
from portal.access import roles_required, signed_in
from portal.clock import agency_today
from portal.database import keep_on_refusal
from portal.extensions import limiter
from portal.forms import ConfirmForm, csrf_failed, keeps_input, refusal_beside, refuse_beside, render_form
from portal.pending import resumes_after_sign_in, take_pending_submission
from portal.routing import takes_several_files
from portal.transitions import Refused
from portal.uploads import closed_on_error

# The hidden field of a section's form naming the state it was rendered from (applications.section_marker).
SECTION_MARKER = "section_marker"


@bp.get("/application")
@roles_required(*FAMILY)
def application_overview():
    application = application_for_household(current_user)
    if application is None:
        return render_template("licensing/application_not_open.html")
    # A file or a signature refused just before: said beside its own field, which gets the focus.
    refused_place, refused_message = refusal_beside()
    today = agency_today()
    return render_template(
        "licensing/application_overview.html", application=application,
        progress=applications.progress(application),
        sections=applications.sections_by_key(application), section_keys=SECTION_KEYS,
        required=required_documents(application, applications.section_data(application),
                                    applications.documents_day(application, today)),
        latest=applications.latest_documents(application),
        refused_place=refused_place, refused_message=refused_message,
        adults=others.adults_needing_own_part(application, today),
        missing=submission.missing_for_submission(application, today),
        signed={s.member_id: s for s in application.signatures},
        account_member=submission.account_holder_member(application, current_user),
        sign_form=SignatureForm(), button_form=ConfirmForm(),
    )


@bp.route("/application/section/<key>", methods=["GET", "POST"])
@roles_required(*FAMILY, hidden=True)
@keeps_input
@resumes_after_sign_in
def application_section(key: str):
    if key not in SECTION_FORMS:
        abort(404)
    # Saving reads and writes the whole application; opening the page shows its sections, people and references.
    saving = request.method == "POST"
    application = get_own_application(current_user) if saving else get_own_application_for_section(current_user)
    section = applications.sections_by_key(application)[key]
    editable = applications.section_is_editable(application, section)
    form_class = SECTION_FORMS[key]
    if saving:
        form = form_class()
        # Kept before validating: whatever happens next, nothing typed is lost (even when it doesn't validate).
        draft_kept = True
        if not csrf_failed():
            try:
                applications.save_draft(application, section, applications.typed_fields(key, request.form),
                                        current_user)
                keep_on_refusal()
            except applications.DraftTooLarge:
                draft_kept = False  # too much to keep: the answers are still checked, and what is wrong is marked
        if form.validate():
            cleared = applications.save_section(application, section, form, current_user)
            if key in ("references", "household"):
                others.send_outstanding_requests(application, current_user, agency_today())
            flash(_("Saved. This section is complete."), "success")
            for member in others.ask_again_to_sign(application, cleared, current_user):
                flash(_("Your change means everyone signs again: we emailed %(name)s a new link to sign.",
                        name=member.full_name), "info")
            return redirect(url_for("licensing.application_overview"), code=303)
        return _section_page(form, application, section, editable, draft_kept=draft_kept)
    kept = take_pending_submission()
    if kept is not None:
        flash(_("Your session had ended. We kept what you typed: check it and save."), "info")
    formdata = kept or (MultiDict(_flatten(section.draft)) if section.draft else None)
    form = form_class(formdata=formdata, data=None if formdata else applications.initial_form_data(application,
                                                                                                    section))
    if formdata is not None:
        form.check_draft()  # mark what still needs fixing in what was typed (empty answers are asked for on saving)
    return _section_page(form, application, section, editable, draft_kept=formdata is not None)


def _draft_key() -> str:
    """Drafts are counted per signed-in person (a shared office address is many households)."""
    user_id = getattr(current_user, "id", None)
    return f"draft-user:{user_id}" if user_id is not None else f"draft-address:{request.remote_addr}"


def _too_many_drafts(_limit):
    response = jsonify(saved=False, message=_("Too many saves in a short time. Wait a minute; what you type next is "
                                              "saved then."))
    response.status_code = 429
    return response


@bp.post("/application/section/<key>/draft")
@roles_required(*FAMILY, hidden=True)
@limiter.limit(lambda: current_app.config["DRAFT_RATE_LIMIT"], key_func=_draft_key, methods=["POST"],
               on_breach=_too_many_drafts)
def save_section_draft(key: str):
    """Autosave (static/js/portal.js): keep what is typed in a section, as it is. Never validates, never touches the
    answers, the signatures or the application's status; a section that can't be changed now is refused unwritten
    (409), a draft over the cap too (413). A draft from a page rendered before the section was last saved (its
    marker says so) is not kept, so it can't reopen the section just saved (a slow phone's draft landing after its
    own Save; nobody reads that answer), and a second window of the same section is told to reload (409) rather
    than shown "Saved" for words that were not kept."""
    if key not in SECTION_FORMS:
        abort(404)
    application = get_own_application(current_user)
    section = applications.sections_by_key(application)[key]
    if applications.draft_is_stale(section, request.form.get(SECTION_MARKER)):
        return jsonify(saved=False, message=_("This section was saved in another window. Reload the page to see "
                                              "it, then go on.")), 409
    try:
        applications.save_draft(application, section, applications.typed_fields(key, request.form), current_user)
    except applications.DraftTooLarge as refused:
        return jsonify(saved=False, message=str(refused.message)), 413
    except Refused as refused:
        return jsonify(saved=False, message=str(refused.message)), 409
    return "", 204


def _section_page(form, application, section, editable: bool, draft_kept: bool):
    return render_form("licensing/application_section.html", form, application=application, section=section,
                       editable=editable, draft_kept=draft_kept, marker_name=SECTION_MARKER,
                       marker=applications.section_marker(section),
                       references_needed={"minimum": MIN_REFERENCES, "non_relatives": MIN_NON_RELATIVE_REFERENCES,
                                          "slots": REFERENCE_ROWS})


def _flatten(draft: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in draft.items() for value in values]


@bp.post("/application/documents")
@takes_several_files
@roles_required(*FAMILY)
def upload_document():
    application = get_own_application(current_user)
    slot_key = request.form.get("slot", "")
    try:
        applications.add_document(application, slot_key, request.files.getlist("file"), current_user,
                                  agency_today())
    except FileRefused as refused:
        return refuse_beside(f"document:{slot_key}", str(refused.message), "licensing.application_overview")
    except Refused as refused:
        flash(str(refused.message), "danger")
        return redirect(url_for("licensing.application_overview", _anchor="documents"), code=303)
    flash(_("Thank you, the document is uploaded."), "success")
    return redirect(url_for("licensing.application_overview", _anchor=_row_anchor(slot_key)), code=303)


def _row_anchor(slot_key: str) -> str:
    kind, _sep, member = slot_key.partition(":")
    return RequiredDocument(kind, int(member) or None, "").anchor


@bp.get("/documents/<int:document_id>")
@signed_in
def download_document(document_id: int):
    document, household_id = get_document_for(current_user, document_id)
    return _send_page(document, None, household_id)


@bp.get("/documents/<int:document_id>/pages/<int:page>")
@signed_in
def download_document_page(document_id: int, page: int):
    document, more, household_id = get_document_page_for(current_user, document_id, page)
    return _send_page(document, more, household_id)


def _send_page(document: ApplicationDocument, more: DocumentPage | None, household_id: int):
    """One page of a document (its own file when `more` is None), to someone its loader let through."""
    file = more or document
    try:
        stored = open_stored(file.stored_name)
    except FileNotFoundError:
        abort(404)
    with closed_on_error(stored):
        # A read of a sensitive record: recorded (and committed with the answer).
        details = {"page": more.position} if more is not None else {}
        audit.record("document_downloaded", actor=current_user, target=document, household_id=household_id,
                     kind=document.kind, **details)
        inline = request.args.get("preview") == "1" and file.content_type != "image/heic"
        # IDs and medical statements must not stay in a shared computer's browser cache: no-store (send_stored).
        return send_stored(stored, mimetype=file.content_type, as_attachment=not inline,
                           download_name=file.original_name)


@bp.post("/application/sign")
@roles_required(*FAMILY)
def sign_application():
    application = get_own_application(current_user)
    form = SignatureForm()
    member = next((m for m in application.members if m.is_applicant and str(m.id) == form.member_id.data), None)
    if member is None:
        abort(404)
    if member is not submission.account_holder_member(application, current_user):
        abort(404)  # hidden like every other family route: a co-applicant signs through their own emailed link
    if not form.validate_on_submit():
        return refuse_beside("signature", _("Type your full legal name to sign."), "licensing.application_overview")
    try:
        submission.sign_as_account_holder(application, member, form.typed_name.data, current_user,
                                          request.remote_addr or "")
    except Refused as refused:
        return refuse_beside("signature", str(refused.message), "licensing.application_overview")
    flash(_("Signed."), "success")
    return redirect(url_for("licensing.application_overview", _anchor="sign"), code=303)



@bp.post("/application/members/<int:member_id>/signature-link")
@roles_required(*FAMILY, hidden=True)
def send_signature_link(member_id: int):
    application = get_own_application(current_user)
    member = next((m for m in others.applicants_signing_by_link(application) if m.id == member_id), None)
    if member is None:
        abort(404)
    sent_before = member.signature_link_sent_at is not None
    try:
        others.send_signature_request(application, member, current_user)
        if sent_before:
            flash(_("We emailed %(name)s a link to sign, at %(email)s. An earlier link no longer works.",
                    name=member.full_name, email=member.email), "success")
        else:
            flash(_("We emailed %(name)s a link to sign, at %(email)s.", name=member.full_name, email=member.email),
                  "success")
    except Refused as refused:
        flash(str(refused.message), "danger")
    return redirect(url_for("licensing.application_overview", _anchor="sign"), code=303)


@bp.post("/application/submit")
@roles_required(*FAMILY)
def submit_application():
    application = get_own_application(current_user)
    if submission.submit(application, current_user, agency_today()):
        flash(_("Your application can't be sent yet. See what is missing below."), "danger")
        return redirect(url_for("licensing.application_overview", _anchor="submit"), code=303)
    flash(_("Your application is sent. Your homefinder will contact you about the next steps."), "success")
    return redirect(url_for("licensing.application_overview"), code=303)


@bp.post("/application/references/<int:reference_id>/resend")
@roles_required(*FAMILY, hidden=True)
def resend_reference(reference_id: int):
    application = get_own_application(current_user)
    reference = next((r for r in application.references if r.id == reference_id and r.responded_at is None), None)
    if reference is None:
        abort(404)
    others.send_reference_request(application, reference, current_user)
    flash(_("We sent the request again to %(email)s.", email=reference.email), "success")
    return redirect(url_for("licensing.application_overview", _anchor="others"), code=303)


@bp.post("/application/members/<int:member_id>/resend")
@roles_required(*FAMILY, hidden=True)
def resend_member(member_id: int):
    application = get_own_application(current_user)
    member = next((m for m in others.adults_needing_own_part(application, agency_today())
                   if m.id == member_id and m.email and m.own_part_completed_at is None), None)
    if member is None:
        abort(404)
    others.send_member_request(application, member, current_user)
    flash(_("We sent the request again to %(email)s.", email=member.email), "success")
    return redirect(url_for("licensing.application_overview", _anchor="others"), code=303)
