"""The household's own application: overview, sections, documents, signatures, submission."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from licensing import applications, bp
from licensing.documents import FileRefused, required_documents, store_upload, stored_path
from licensing.forms import SignatureForm
from licensing.permissions import application_for_household, get_document_for
from licensing.sections import SECTION_FORMS, SECTION_KEYS
from portal import audit
from portal.access import roles_required, signed_in
from portal.extensions import db
from portal.forms import ConfirmForm, csrf_failed, keeps_input, render_form
from portal.models import Role
from portal.pending import take_pending_submission

FAMILY = (Role.APPLICANT, Role.FAMILY)


def _own_application():
    application = application_for_household(current_user)
    if application is None:
        abort(404)
    return application


def _applicant_name(application) -> str:
    return current_user.full_name


@bp.get("/application")
@roles_required(*FAMILY)
def application_overview():
    application = application_for_household(current_user)
    if application is None:
        return render_template("licensing/application_not_open.html")
    today = date.today()
    return render_template(
        "licensing/application_overview.html", application=application,
        progress=applications.progress(application),
        sections=applications.sections_by_key(application), section_keys=SECTION_KEYS,
        required=required_documents(application, applications.section_data(application), today),
        latest=applications.latest_documents(application),
        adults=applications.adults_needing_own_part(application, today),
        missing=applications.missing_for_submission(application, today),
        signed={s.member_id: s for s in application.signatures},
        sign_form=SignatureForm(), button_form=ConfirmForm(),
    )


@bp.route("/application/section/<key>", methods=["GET", "POST"])
@roles_required(*FAMILY, hidden=True)
@keeps_input
def application_section(key: str):
    if key not in SECTION_FORMS:
        abort(404)
    application = _own_application()
    section = applications.sections_by_key(application)[key]
    editable = applications.section_is_editable(application, section)
    form_class = SECTION_FORMS[key]
    if request.method == "POST":
        if not editable:
            abort(409)
        form = form_class()
        # Kept before validating: whatever happens next, nothing typed is lost.
        if not csrf_failed():
            applications.save_draft(application, section, _typed(request.form))
        if form.validate():
            applications.save_section(application, section, form, current_user)
            if key in ("references", "household"):
                applications.send_outstanding_requests(application, _applicant_name(application), date.today())
            db.commit()
            flash(_("Saved. This section is complete."), "success")
            return redirect(url_for("licensing.application_overview"), code=303)
        db.commit()  # the draft
        return render_form("licensing/application_section.html", form, application=application, section=section,
                           editable=editable, draft_kept=True)
    kept = take_pending_submission()
    if kept is not None:
        db.commit()
        flash(_("Your session had ended. We kept what you typed: check it and save."), "info")
    formdata = kept or (MultiDict(_flatten(section.draft)) if section.draft else None)
    form = form_class(formdata=formdata, data=None if formdata else applications.initial_form_data(application,
                                                                                                    section))
    if formdata is not None:
        form.check_draft()  # mark what still needs fixing in the kept draft
    return render_form("licensing/application_section.html", form, application=application, section=section,
                       editable=editable, draft_kept=formdata is not None)


def _typed(form: MultiDict) -> dict[str, list[str]]:
    return {name: form.getlist(name) for name in form if name != "csrf_token"}


def _flatten(draft: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in draft.items() for value in values]


@bp.post("/application/documents")
@roles_required(*FAMILY)
def upload_document():
    application = _own_application()
    if not application.is_editable_by_family:
        abort(409)
    form = ConfirmForm()
    slots = {slot.slot: slot for slot in required_documents(application, applications.section_data(application),
                                                            date.today())}
    slot = slots.get(request.form.get("slot", ""))
    upload = request.files.get("file")
    if not form.validate_on_submit() or slot is None or upload is None or not upload.filename:
        flash(_("Choose which document this is and the file to upload."), "danger")
        return redirect(url_for("licensing.application_overview", _anchor="documents"), code=303)
    try:
        stored = store_upload(upload.stream, upload.filename)
    except FileRefused as refused:
        flash(str(refused.message), "danger")
        return redirect(url_for("licensing.application_overview", _anchor="documents"), code=303)
    applications.add_document(application, slot, stored, current_user)
    db.commit()
    flash(_("Thank you, the document is uploaded."), "success")
    return redirect(url_for("licensing.application_overview", _anchor="documents"), code=303)


@bp.get("/documents/<int:document_id>")
@signed_in
def download_document(document_id: int):
    document = get_document_for(current_user, document_id)
    audit.record("document_downloaded", actor=current_user, target=document, kind=document.kind)
    db.commit()
    try:
        path = stored_path(document.stored_name)
    except FileNotFoundError:
        abort(404)
    inline = request.args.get("preview") == "1" and document.content_type != "image/heic"
    return send_file(path, mimetype=document.content_type, as_attachment=not inline,
                     download_name=document.original_name, max_age=0)


@bp.post("/application/sign")
@roles_required(*FAMILY)
def sign_application():
    application = _own_application()
    form = SignatureForm()
    members = {str(m.id): m for m in application.members if m.is_applicant}
    member = members.get(form.member_id.data or "")
    if not application.is_editable_by_family or member is None:
        abort(404)
    if form.validate_on_submit():
        if any(s.member_id == member.id for s in application.signatures):
            flash(_("This person has already signed."), "info")
        elif not applications.names_match(form.typed_name.data, member.full_name):
            flash(_("The typed name must be exactly %(name)s.", name=member.full_name), "danger")
        else:
            applications.sign(application, member, form.typed_name.data, current_user, request.remote_addr or "")
            db.commit()
            flash(_("Signed."), "success")
    else:
        flash(_("Type your full legal name to sign."), "danger")
    return redirect(url_for("licensing.application_overview", _anchor="sign"), code=303)


@bp.post("/application/submit")
@roles_required(*FAMILY)
def submit_application():
    application = _own_application()
    form = ConfirmForm()
    if not form.validate_on_submit() or not application.is_editable_by_family:
        abort(409)
    missing = applications.submit(application, current_user, date.today())
    if missing:
        flash(_("Your application can't be sent yet. See what is missing below."), "danger")
        return redirect(url_for("licensing.application_overview", _anchor="submit"), code=303)
    db.commit()
    flash(_("Your application is sent. Your homefinder will contact you about the next steps."), "success")
    return redirect(url_for("licensing.application_overview"), code=303)


@bp.post("/application/references/<int:reference_id>/resend")
@roles_required(*FAMILY, hidden=True)
def resend_reference(reference_id: int):
    application = _own_application()
    reference = next((r for r in application.references if r.id == reference_id), None)
    if reference is None or reference.responded_at is not None or not ConfirmForm().validate_on_submit():
        abort(404)
    applications.send_reference_request(application, reference, _applicant_name(application))
    db.commit()
    flash(_("We sent the request again to %(email)s.", email=reference.email), "success")
    return redirect(url_for("licensing.application_overview", _anchor="others"), code=303)


@bp.post("/application/members/<int:member_id>/resend")
@roles_required(*FAMILY, hidden=True)
def resend_member(member_id: int):
    application = _own_application()
    adults = applications.adults_needing_own_part(application, date.today())
    member = next((m for m in adults if m.id == member_id), None)
    if member is None or not member.email or member.own_part_completed_at is not None \
            or not ConfirmForm().validate_on_submit():
        abort(404)
    applications.send_member_request(application, member, _applicant_name(application))
    db.commit()
    flash(_("We sent the request again to %(email)s.", email=member.email), "success")
    return redirect(url_for("licensing.application_overview", _anchor="others"), code=303)
