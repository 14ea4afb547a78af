"""Homefinders and supervisors: the applications to review, notes, assignment, reopening, documents."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from licensing import bp
from licensing.application import lists, others, reasons
from licensing.application import services as applications
from licensing.application.documents import required_documents
from licensing.application.forms import AssignForm, NoteForm, ReasonForm, ReferenceResponseForm, ReopenSectionForm
from licensing.application.models import Application, ApplicationStatus, StaffNote
from licensing.application.permissions import get_application_for_staff, get_document_for
from licensing.application.sections import SECTION_KEYS, SECTION_TITLES
from licensing.application.summary import readable_sections
from licensing.pipeline.work_queue import APPLICATION_QUEUE_LABELS, application_queue
from licensing.roles import LICENSING_STAFF as STAFF
from portal.access import roles_required
from portal.clock import agency_today
from portal.extensions import db
from portal.folding import fold
from portal.forms import ConfirmForm
from portal.models import AuditEvent, Role, User
from portal.paging import paginate, search_text

# The application's history: the household's events about the application, its sections and documents (not the
# reads of documents, which the audit log keeps).
APPLICATION_RECORDS = ("Application", "ApplicationSection", "ApplicationDocument")


@bp.get("/staff/applications")
@roles_required(*STAFF)
def staff_applications():
    status, assigned, q = request.args.get("status", ""), request.args.get("assigned", ""), search_text()
    query = lists.applications_query(current_user, status, assigned, q)
    queue = request.args.get("queue", "")  # the home page's work queue links here
    if application_queue(queue) is not None:
        query = query.where(application_queue(queue))
    page = paginate(query, scalars=False)
    return render_template("licensing/staff_applications.html", page=page, applications=page.items, q=q,
                           status=status, assigned=assigned, statuses=list(ApplicationStatus),
                           queue_label=APPLICATION_QUEUE_LABELS.get(queue), queue=queue,
                           homefinders=_homefinders(), section_count=len(SECTION_KEYS),
                           complete=lists.complete_sections([row.id for row in page.items]))


def _homefinders() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_([Role.HOMEFINDER, Role.ADMIN]),
                                                      User.is_active.is_(True))
                                   .order_by(fold(User.full_name), User.id)))


@bp.get("/staff/applications/<int:application_id>")
@roles_required(*STAFF, hidden=True)
def staff_application(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    return _render_staff_application(application)


def _reference_rows(response: dict) -> list[tuple[str, object]]:
    form = ReferenceResponseForm(formdata=None, data=response, meta={"csrf": False})
    rows = []
    for field in form:
        if field.type == "CSRFTokenField":
            continue
        value = field.data
        if field.type == "RadioField":
            value = next((str(c.label) for c in field.choices if c.value == value), value)
        rows.append((field.label.text, value))
    return rows


def _render_staff_application(application: Application, **forms):
    today = agency_today()
    returning_document_id = forms.pop("returning_document_id", None)  # a document returned without a reason
    homefinders = _homefinders()
    assign_form = forms.get("assign_form") or AssignForm(homefinder_id=application.assigned_homefinder_id)
    assign_form.homefinder_id.choices = [SelectChoice(h.id, h.full_name) for h in homefinders]
    reopen_form = forms.get("reopen_form") or ReopenSectionForm()
    reopen_form.section.choices = [SelectChoice(k, SECTION_TITLES[k]) for k in SECTION_KEYS]
    notes = db.session.scalars(select(StaffNote).options(selectinload(StaffNote.author))
                               .where(StaffNote.application_id == application.id)
                               .order_by(StaffNote.id.desc())).all()
    events = db.session.scalars(select(AuditEvent).options(selectinload(AuditEvent.actor))
                                .where(AuditEvent.household_id == application.household_id,
                                       AuditEvent.target_type.in_(APPLICATION_RECORDS),
                                       AuditEvent.action != "document_downloaded")
                                .order_by(AuditEvent.id)).all()
    languages = reasons.family_languages(application.household_id)
    reopen_form.note.description = reasons.language_hint(languages)  # beside the box, read with it
    return render_template(
        "licensing/staff_application.html", application=application, sections=applications.sections_by_key(application),
        section_keys=SECTION_KEYS, progress=applications.progress(application),
        required=required_documents(application, applications.section_data(application),
                                    applications.documents_day(application, today)),
        latest=applications.latest_documents(application), notes=notes, events=events,
        note_form=forms.get("note_form") or NoteForm(), assign_form=assign_form, reopen_form=reopen_form,
        reason_form=forms.get("reason_form") or ReasonForm(), button_form=ConfirmForm(),
        adults=others.adults_needing_own_part(application, today), readable=readable_sections(application),
        reference_rows=_reference_rows, today=today, family_hint=reasons.language_hint(languages),
        signed={s.member_id: s for s in application.signatures},  # loaded with the application: no query more
        saved_reasons=reasons.reason_choices(reasons.active_reasons(), languages),
        returning_document_id=returning_document_id,
    ), 422 if forms else 200


@bp.post("/staff/applications/<int:application_id>/notes")
@roles_required(*STAFF, hidden=True)
def staff_add_note(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_staff_application(application, note_form=form)
    applications.add_note(current_user, application, form.body.data)
    flash(_("Note added."), "success")
    return redirect(url_for("licensing.staff_application", application_id=application.id, _anchor="notes"), 303)


@bp.post("/staff/applications/<int:application_id>/assign")
@roles_required(*STAFF, hidden=True)
def staff_assign(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = AssignForm()
    homefinders = {h.id: h for h in _homefinders()}
    form.homefinder_id.choices = [SelectChoice(h.id, h.full_name) for h in homefinders.values()]
    if not form.validate_on_submit():
        return _render_staff_application(application, assign_form=form)
    applications.assign(current_user, application, homefinders[form.homefinder_id.data])
    flash(_("Assigned."), "success")
    return redirect(url_for("licensing.staff_application", application_id=application.id), 303)


@bp.post("/staff/applications/<int:application_id>/reopen")
@roles_required(*STAFF, hidden=True)
def staff_reopen_section(application_id: int):
    application = get_application_for_staff(current_user, application_id)
    form = ReopenSectionForm()
    form.section.choices = [SelectChoice(k, SECTION_TITLES[k]) for k in SECTION_KEYS]
    if not form.validate_on_submit():
        return _render_staff_application(application, reopen_form=form)
    section = applications.sections_by_key(application)[form.section.data]
    note = reasons.text_for_family(form.note.data, form.saved_reason.data, application.household_id)
    if not note:  # a saved reason that was just taken out of use
        form.note.errors.append(form.missing)
        return _render_staff_application(application, reopen_form=form)
    applications.reopen_section(current_user, application, section, note)
    flash(_("The section is open again for the family."), "success")
    return redirect(url_for("licensing.staff_application", application_id=application.id), 303)


@bp.post("/staff/documents/<int:document_id>/review")
@roles_required(*STAFF, hidden=True)
def staff_review_document(document_id: int):
    document, _household_id = get_document_for(current_user, document_id)
    application = get_application_for_staff(current_user, document.application_id)
    decision = request.form.get("decision")
    form = ReasonForm()
    if decision == "accept" and ConfirmForm().validate_on_submit():
        applications.review_document(current_user, application, document, accept=True, reason="")
    elif decision == "return" and form.validate_on_submit():
        reason = reasons.text_for_family(form.reason.data, form.saved_reason.data, application.household_id)
        if not reason:  # a saved reason that was just taken out of use
            form.reason.errors.append(form.missing)
            return _render_staff_application(application, reason_form=form, returning_document_id=document.id)
        applications.review_document(current_user, application, document, accept=False, reason=reason)
    elif decision == "return":
        # Said beside that document's reason box, which is focused (the 422 page keeps what was typed).
        return _render_staff_application(application, reason_form=form, returning_document_id=document.id)
    else:
        abort(400)
    flash(_("Document reviewed."), "success")
    return redirect(url_for("licensing.staff_application", application_id=application.id, _anchor="documents"), 303)
